//go:build linux

package icmpsock

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// SendTTL is Send with the IPv4 TTL or IPv6 hop limit of this one request
// set to ttl (1-255), through a control message of sendmsg(2) (IP_TTL,
// IPV6_HOPLIMIT), which Linux honours on datagram and raw ICMP sockets. One
// socket thus has requests of every TTL in flight at once, as a traceroute
// probing all hops together needs.
func (c *Conn) SendTTL(dst netip.Addr, seq uint16, data []byte, ttl int) (time.Time, error) {
	return c.sendmsg(MarshalEcho(c.v6, c.id, seq, data), sockaddr(dst, 0), TTLControl(c.v6, ttl))
}

// SetDontFragment makes the socket's requests go out with the IPv4
// don't-fragment bit set (IPv6 never fragments on the way), never
// fragmented locally, and sized as given whatever path MTU the kernel has
// learnt for the destination (IP_PMTUDISC_PROBE, as tracepath does): a
// request larger than a link on the path then comes back as a
// "fragmentation needed" or "packet too big" error naming that link's
// MTU, and one larger than the outgoing interface's fails to send with
// EMSGSIZE.
func (c *Conn) SetDontFragment() error {
	var serr error
	err := c.rc.Control(func(fd uintptr) { serr = SetDontFragment(int(fd), c.v6) })
	if err != nil {
		return err
	}
	return serr
}

// SetDontFragment sets path MTU probing (IP_PMTUDISC_PROBE or
// IPV6_PMTUDISC_PROBE) on any IPv4 or IPv6 socket fd; see
// Conn.SetDontFragment.
func SetDontFragment(fd int, v6 bool) error {
	level, name, what := unix.IPPROTO_IP, unix.IP_MTU_DISCOVER, "IP_MTU_DISCOVER"
	if v6 {
		level, name, what = unix.IPPROTO_IPV6, unix.IPV6_MTU_DISCOVER, "IPV6_MTU_DISCOVER"
	}
	// IP_PMTUDISC_PROBE and IPV6_PMTUDISC_PROBE are both 3.
	if err := unix.SetsockoptInt(fd, level, name, unix.IP_PMTUDISC_PROBE); err != nil {
		return fmt.Errorf("setting %s: %w", what, err)
	}
	return nil
}

// TTLControl returns the control message that sets one datagram's IPv4 TTL
// (IP_TTL) or IPv6 hop limit (IPV6_HOPLIMIT), for sendmsg(2).
func TTLControl(v6 bool, ttl int) []byte {
	level, typ := unix.IPPROTO_IP, unix.IP_TTL
	if v6 {
		level, typ = unix.IPPROTO_IPV6, unix.IPV6_HOPLIMIT
	}
	b := make([]byte, unix.CmsgSpace(4))
	h := (*unix.Cmsghdr)(unsafe.Pointer(&b[0]))
	h.Level, h.Type = int32(level), int32(typ)
	h.SetLen(unix.CmsgLen(4))
	*(*int32)(unsafe.Pointer(&b[unix.CmsgLen(0)])) = int32(ttl)
	return b
}

// sendmsg sends msg to sa with the control messages oob, waiting while the
// socket's send buffer is full. It returns the time just before the
// message went to the kernel.
func (c *Conn) sendmsg(msg []byte, sa unix.Sockaddr, oob []byte) (time.Time, error) {
	var serr error
	var sent time.Time
	err := c.rc.Write(func(fd uintptr) bool {
		sent, serr = Sendmsg(int(fd), msg, oob, sa)
		return serr != unix.EAGAIN
	})
	if err != nil {
		if errors.Is(err, os.ErrClosed) {
			return sent, ErrClosed
		}
		return sent, err
	}
	if serr != nil {
		return sent, os.NewSyscallError("sendmsg", serr)
	}
	return sent, nil
}

// Sendmsg sends one datagram on socket fd, as sendmsg(2), and returns the
// time just before it went to the kernel. An ICMP error about an earlier
// datagram leaves its errno on a socket with IP_RECVERR (sk_err), and the
// next sendmsg returns that errno without sending; Sendmsg then sends
// again, a few times at most, so that one probe's "time exceeded" does not
// cost the next probe.
func Sendmsg(fd int, msg, oob []byte, sa unix.Sockaddr) (time.Time, error) {
	var sent time.Time
	var err error
	for range 4 {
		sent = time.Now()
		if _, err = unix.SendmsgN(fd, msg, oob, sa, 0); err == nil || err == unix.EAGAIN || !queuedICMPErrno(err) {
			break
		}
	}
	return sent, err
}

// ReadErrQueue reads, without waiting, one message from the error queue
// of a UDP or TCP socket fd that has IP_RECVERR (IPV6_RECVERR) set, the way
// Conn reads its own: ok is false when the queue is empty. The Packet's
// Kind is ICMPError; From is the router or host that sent the error (or,
// for an error of the local stack, Local is set with Errno), Type, Code and
// Info describe it, Dst is the destination of the datagram it is about and
// port that datagram's destination port; Data is as much of the datagram's
// payload as the error quoted, and aliases buf. Set SO_TIMESTAMPNS on fd to
// have When be the kernel's receive time.
func ReadErrQueue(fd int, buf, oob []byte) (pkt Packet, port int, ok bool, err error) {
	for {
		n, oobn, _, from, err := syscall.Recvmsg(fd, buf, oob, unix.MSG_ERRQUEUE|syscall.MSG_DONTWAIT)
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN:
			return pkt, 0, false, nil
		case err != nil:
			return pkt, 0, false, os.NewSyscallError("recvmsg", err)
		}
		pkt = Packet{Kind: ICMPError, TTL: -1, Dst: addrOf(from), Data: buf[:n]}
		switch sa := from.(type) {
		case *syscall.SockaddrInet4:
			port = sa.Port
		case *syscall.SockaddrInet6:
			port = sa.Port
		}
		var c Conn // a datagram socket's parsing: the error is in a control message
		if c.readCmsgs(oob[:oobn], &pkt) {
			return pkt, port, true, nil
		}
	}
}
