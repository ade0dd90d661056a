package udp

import (
	"net"

	"golang.org/x/sys/unix"
)

// pathMTU is the path MTU the kernel knows for a connected socket (IP_MTU,
// IPV6_MTU), or 0.
func pathMTU(c *net.UDPConn, v6 bool) int {
	rc, err := c.SyscallConn()
	if err != nil {
		return 0
	}
	mtu := 0
	rc.Control(func(fd uintptr) {
		if v6 {
			mtu, err = unix.GetsockoptInt(int(fd), unix.IPPROTO_IPV6, unix.IPV6_MTU)
		} else {
			mtu, err = unix.GetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_MTU)
		}
	})
	if err != nil {
		return 0
	}
	return mtu
}

// dualStack reports whether an IPv6 socket also receives IPv4
// (IPV6_V6ONLY off).
func dualStack(c *net.UDPConn) bool {
	rc, err := c.SyscallConn()
	if err != nil {
		return false
	}
	v6only := 1
	rc.Control(func(fd uintptr) {
		v6only, err = unix.GetsockoptInt(int(fd), unix.IPPROTO_IPV6, unix.IPV6_V6ONLY)
	})
	return err == nil && v6only == 0
}

// setBroadcast allows sending to broadcast addresses (SO_BROADCAST).
func setBroadcast(c *net.UDPConn) error {
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	if cerr := rc.Control(func(fd uintptr) {
		err = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_BROADCAST, 1)
	}); cerr != nil {
		return cerr
	}
	return err
}

// growRecvBuffer asks for a receive buffer of n bytes (SO_RCVBUFFORCE
// where permitted, which passes net.core.rmem_max; else SO_RCVBUF, capped
// by it) and returns the size the kernel reports, which counts its own
// bookkeeping too; 0 if unknown.
func growRecvBuffer(c *net.UDPConn, n int) int {
	rc, err := c.SyscallConn()
	if err != nil {
		return 0
	}
	size := 0
	rc.Control(func(fd uintptr) {
		if unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, n) != nil {
			unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF, n)
		}
		size, err = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF)
	})
	if err != nil {
		return 0
	}
	return size
}

// setDontFragment turns fragmentation off (IP_PMTUDISC_DO; IPV6_DONTFRAG
// and IPV6_PMTUDISC_DO): a datagram larger than the path MTU is an
// EMSGSIZE, not fragments.
func setDontFragment(c *net.UDPConn, v6 bool) error {
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	if cerr := rc.Control(func(fd uintptr) {
		if v6 {
			if err = unix.SetsockoptInt(int(fd), unix.IPPROTO_IPV6, unix.IPV6_MTU_DISCOVER, unix.IPV6_PMTUDISC_DO); err == nil {
				err = unix.SetsockoptInt(int(fd), unix.IPPROTO_IPV6, unix.IPV6_DONTFRAG, 1)
			}
			return
		}
		err = unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_MTU_DISCOVER, unix.IP_PMTUDISC_DO)
	}); cerr != nil {
		return cerr
	}
	return err
}
