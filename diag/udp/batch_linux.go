package udp

import (
	"net"
	"net/netip"
	"os"
	"strconv"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// mmsghdr is struct mmsghdr of recvmmsg(2) and sendmmsg(2).
type mmsghdr struct {
	hdr unix.Msghdr
	len uint32
}

// inboxSys is the recvmmsg state of an inbox: its headers point into the
// inbox's buffers.
type inboxSys struct {
	hdrs  []mmsghdr
	iovs  []unix.Iovec
	names []unix.RawSockaddrInet6
	zones map[uint32]string // interface names of IPv6 scope IDs
}

func (s *inboxSys) init(in *inbox) {
	n := len(in.bufs)
	s.hdrs, s.iovs, s.names = make([]mmsghdr, n), make([]unix.Iovec, n), make([]unix.RawSockaddrInet6, n)
	for i, b := range in.bufs {
		s.iovs[i].Base = &b[0]
		s.iovs[i].SetLen(len(b))
		s.hdrs[i].hdr.Iov = &s.iovs[i]
		s.hdrs[i].hdr.SetIovlen(1)
		s.hdrs[i].hdr.Name = (*byte)(unsafe.Pointer(&s.names[i]))
	}
}

// read waits for datagrams on c (honouring its read deadline) and takes
// as many as are queued, up to the inbox's size; it returns how many.
func (in *inbox) read(c *net.UDPConn) (int, error) {
	rc, err := c.SyscallConn()
	if err != nil {
		return 0, err
	}
	var n int
	var errno syscall.Errno
	if err := rc.Read(func(fd uintptr) bool {
		n, errno = in.sys.recv(fd, 0)
		return errno != unix.EAGAIN
	}); err != nil {
		return 0, err
	}
	return in.took(n, errno)
}

// drain takes the datagrams already queued on c without waiting, whatever
// its deadline says; 0 when none is.
func (in *inbox) drain(c *net.UDPConn) (int, error) {
	rc, err := c.SyscallConn()
	if err != nil {
		return 0, err
	}
	var n int
	var errno syscall.Errno
	if err := rc.Control(func(fd uintptr) { n, errno = in.sys.recv(fd, unix.MSG_DONTWAIT) }); err != nil {
		return 0, err
	}
	if errno == unix.EAGAIN {
		return 0, nil
	}
	return in.took(n, errno)
}

// recv is one recvmmsg call.
func (s *inboxSys) recv(fd uintptr, flags int) (int, syscall.Errno) {
	for i := range s.hdrs {
		s.hdrs[i].hdr.Namelen = unix.SizeofSockaddrInet6
		s.hdrs[i].hdr.Flags = 0
	}
	r, _, errno := unix.Syscall6(unix.SYS_RECVMMSG, fd, uintptr(unsafe.Pointer(&s.hdrs[0])), uintptr(len(s.hdrs)), uintptr(flags), 0, 0)
	return int(r), errno
}

// took fills in the n datagrams a recvmmsg returned.
func (in *inbox) took(n int, errno syscall.Errno) (int, error) {
	if errno != 0 {
		return 0, os.NewSyscallError("recvmmsg", errno)
	}
	for i := range n {
		h := &in.sys.hdrs[i]
		in.n[i] = int(h.len)
		in.trunc[i] = h.hdr.Flags&unix.MSG_TRUNC != 0
		in.src[i] = in.sys.addrPort(&in.sys.names[i])
	}
	return n, nil
}

// addrPort reads a source address as net.UDPConn.ReadMsgUDPAddrPort
// does: IPv6 with its zone, IPv4 as IPv4.
func (s *inboxSys) addrPort(sa *unix.RawSockaddrInet6) netip.AddrPort {
	switch sa.Family {
	case unix.AF_INET:
		sa4 := (*unix.RawSockaddrInet4)(unsafe.Pointer(sa))
		return netip.AddrPortFrom(netip.AddrFrom4(sa4.Addr), bigEndian(sa4.Port))
	case unix.AF_INET6:
		a := netip.AddrFrom16(sa.Addr)
		if sa.Scope_id != 0 {
			a = a.WithZone(s.zone(sa.Scope_id))
		}
		return netip.AddrPortFrom(a, bigEndian(sa.Port))
	}
	return netip.AddrPort{}
}

// zone names the interface of an IPv6 scope ID (its number if it has
// none).
func (s *inboxSys) zone(id uint32) string {
	if z, ok := s.zones[id]; ok {
		return z
	}
	z := strconv.Itoa(int(id))
	if ifi, err := net.InterfaceByIndex(int(id)); err == nil {
		z = ifi.Name
	}
	if s.zones == nil {
		s.zones = map[uint32]string{}
	}
	s.zones[id] = z
	return z
}

// bigEndian reads a port as the kernel stores it, in network order.
func bigEndian(p uint16) uint16 {
	b := (*[2]byte)(unsafe.Pointer(&p))
	return uint16(b[0])<<8 | uint16(b[1])
}

// outbox sends several datagrams with one system call (sendmmsg).
type outbox struct {
	hdrs []mmsghdr
	iovs []unix.Iovec
}

// send writes the datagrams to c, a connected socket, in as few system
// calls as it can; it returns how many went out before an error. When a
// message fails after others went out, sendmmsg returns the count and the
// kernel drops that message's error; the message is sent again by the next
// call. A pending ICMP error (port unreachable) that it consumed is lost
// to this sender, but each datagram to a closed port draws another, which
// the next call or the receiver reads.
func (o *outbox) send(c *net.UDPConn, bufs [][]byte) (int, error) {
	if len(o.hdrs) < len(bufs) {
		o.hdrs, o.iovs = make([]mmsghdr, len(bufs)), make([]unix.Iovec, len(bufs))
	}
	for i, b := range bufs {
		o.iovs[i].Base = unsafe.SliceData(b)
		o.iovs[i].SetLen(len(b))
		o.hdrs[i].hdr.Iov = &o.iovs[i]
		o.hdrs[i].hdr.SetIovlen(1)
	}
	rc, err := c.SyscallConn()
	if err != nil {
		return 0, err
	}
	sent := 0
	var errno syscall.Errno
	for sent < len(bufs) && errno == 0 {
		if err := rc.Write(func(fd uintptr) bool {
			r, _, e := unix.Syscall6(unix.SYS_SENDMMSG, fd, uintptr(unsafe.Pointer(&o.hdrs[sent])), uintptr(len(bufs)-sent), 0, 0, 0)
			if e == unix.EAGAIN {
				return false
			}
			if errno = e; e == 0 {
				sent += int(r)
			}
			return true
		}); err != nil {
			return sent, err
		}
	}
	if errno != 0 {
		return sent, os.NewSyscallError("sendmmsg", errno)
	}
	return sent, nil
}

// segments turns UDP segmentation offload on for datagrams of size bytes
// and returns how many of them one message may carry; 1 (offload off)
// where a datagram would not cross the path whole (the kernel then
// fragments it, which segmentation cannot do) or the kernel lacks it.
func segments(c *net.UDPConn, size int, v6 bool) int {
	fit, header := maxPayload4, 28
	if v6 {
		fit, header = maxPayload6, 48
	}
	mtu := pathMTU(c, v6)
	k := min(maxSegments, fit/size)
	if mtu == 0 || size+header > mtu || k < 2 {
		return 1
	}
	rc, err := c.SyscallConn()
	if err != nil {
		return 1
	}
	rc.Control(func(fd uintptr) { err = unix.SetsockoptInt(int(fd), unix.SOL_UDP, unix.UDP_SEGMENT, size) })
	if err != nil {
		return 1
	}
	return k
}

// unsegment turns UDP segmentation offload off.
func unsegment(c *net.UDPConn) {
	if rc, err := c.SyscallConn(); err == nil {
		rc.Control(func(fd uintptr) { unix.SetsockoptInt(int(fd), unix.SOL_UDP, unix.UDP_SEGMENT, 0) })
	}
}
