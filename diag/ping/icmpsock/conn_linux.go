//go:build linux

package icmpsock

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// Conn is an ICMP socket of one address family. Send and Recv may run
// concurrently with each other (one goroutine each); Close ends both.
type Conn struct {
	sockInfo
	f      *os.File
	rc     syscall.RawConn
	oob    []byte // Recv's control-message buffer
	closed atomic.Bool
}

// socketErr marks an error from socket(2) itself, after which the other
// kind of socket is worth a try; errors from setting the socket up (a bad
// source address, an unknown interface) would be the same for both.
type socketErr struct{ err error }

func (e *socketErr) Error() string { return e.err.Error() }
func (e *socketErr) Unwrap() error { return e.err }

func isSocketErr(err error) bool {
	var s *socketErr
	return errors.As(err, &s)
}

func open(cfg Config, raw bool) (*Conn, error) {
	domain, proto := unix.AF_INET, unix.IPPROTO_ICMP
	if cfg.IPv6 {
		domain, proto = unix.AF_INET6, unix.IPPROTO_ICMPV6
	}
	typ := unix.SOCK_DGRAM
	if raw {
		typ = unix.SOCK_RAW
	}
	fd, err := unix.Socket(domain, typ|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, proto)
	if err != nil {
		return nil, &socketErr{os.NewSyscallError("socket", err)}
	}
	c := &Conn{sockInfo: sockInfo{v6: cfg.IPv6, raw: raw}, oob: make([]byte, 512)}
	if err := c.setup(fd, cfg); err != nil {
		unix.Close(fd)
		return nil, err
	}
	c.f = os.NewFile(uintptr(fd), "icmp")
	if c.rc, err = c.f.SyscallConn(); err != nil {
		c.f.Close()
		return nil, err
	}
	return c, nil
}

func (c *Conn) setup(fd int, cfg Config) error {
	type opt struct {
		level, name, value int
		what               string
	}
	opts := []opt{{unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1, "SO_TIMESTAMPNS"}}
	switch {
	case c.v6:
		opts = append(opts, opt{unix.IPPROTO_IPV6, unix.IPV6_RECVHOPLIMIT, 1, "IPV6_RECVHOPLIMIT"})
		if !c.raw {
			opts = append(opts, opt{unix.IPPROTO_IPV6, unix.IPV6_RECVERR, 1, "IPV6_RECVERR"})
		}
		if cfg.TTL > 0 {
			opts = append(opts, opt{unix.IPPROTO_IPV6, unix.IPV6_UNICAST_HOPS, cfg.TTL, "IPV6_UNICAST_HOPS"},
				opt{unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_HOPS, cfg.TTL, "IPV6_MULTICAST_HOPS"})
		}
	default:
		if !c.raw { // a raw socket reads the IP header, TTL included
			opts = append(opts, opt{unix.IPPROTO_IP, unix.IP_RECVTTL, 1, "IP_RECVTTL"},
				opt{unix.IPPROTO_IP, unix.IP_RECVERR, 1, "IP_RECVERR"})
		}
		if cfg.TTL > 0 {
			opts = append(opts, opt{unix.IPPROTO_IP, unix.IP_TTL, cfg.TTL, "IP_TTL"},
				opt{unix.IPPROTO_IP, unix.IP_MULTICAST_TTL, cfg.TTL, "IP_MULTICAST_TTL"})
		}
	}
	for _, o := range opts {
		if err := unix.SetsockoptInt(fd, o.level, o.name, o.value); err != nil {
			return fmt.Errorf("setting %s: %w", o.what, err)
		}
	}
	if cfg.RecvBuffer > 0 {
		// Root may go past net.core.rmem_max; everyone else gets what it allows.
		if unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, cfg.RecvBuffer) != nil {
			_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, cfg.RecvBuffer)
		}
	}
	if cfg.Interface != "" {
		if err := unix.BindToDevice(fd, cfg.Interface); err != nil {
			return fmt.Errorf("binding to interface %s: %w", cfg.Interface, err)
		}
	}
	if c.raw {
		c.id = uint16(rand.UintN(1 << 16))
		if cfg.Source.IsValid() {
			if err := unix.Bind(fd, sockaddr(cfg.Source, 0)); err != nil {
				return fmt.Errorf("using source address %s: %w", cfg.Source, err)
			}
		}
		return attachFilter(fd, c.v6, c.id)
	}
	// A datagram socket's "port" is its echo identifier: bind to get one.
	src := cfg.Source
	if !src.IsValid() {
		src = netip.IPv4Unspecified()
		if c.v6 {
			src = netip.IPv6Unspecified()
		}
	}
	if err := unix.Bind(fd, sockaddr(src, 0)); err != nil {
		return fmt.Errorf("using source address %s: %w", src, err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return fmt.Errorf("reading the socket's identifier: %w", err)
	}
	switch sa := sa.(type) {
	case *unix.SockaddrInet4:
		c.id = uint16(sa.Port)
	case *unix.SockaddrInet6:
		c.id = uint16(sa.Port)
	}
	return nil
}

// attachFilter installs filterProgram on a raw socket.
func attachFilter(fd int, v6 bool, id uint16) error {
	raw, err := bpf.Assemble(filterProgram(v6, id))
	if err != nil {
		return fmt.Errorf("assembling the socket filter: %w", err)
	}
	filter := make([]unix.SockFilter, len(raw))
	for i, r := range raw {
		filter[i] = unix.SockFilter{Code: r.Op, Jt: r.Jt, Jf: r.Jf, K: r.K}
	}
	fprog := unix.SockFprog{Len: uint16(len(filter)), Filter: &filter[0]}
	if err := unix.SetsockoptSockFprog(fd, unix.SOL_SOCKET, unix.SO_ATTACH_FILTER, &fprog); err != nil {
		return fmt.Errorf("attaching the socket filter: %w", err)
	}
	return nil
}

// Send sends an echo request with sequence number seq and data to dst,
// waiting while the socket's send buffer is full. It returns the time just
// before the request went to the kernel, the start of its round trip.
func (c *Conn) Send(dst netip.Addr, seq uint16, data []byte) (time.Time, error) {
	return c.sendmsg(MarshalEcho(c.v6, c.id, seq, data), sockaddr(dst, 0), nil)
}

// SetReadDeadline makes a waiting or future Recv return a timeout error
// (IsTimeout) at t; the zero t means no deadline.
func (c *Conn) SetReadDeadline(t time.Time) error { return c.f.SetReadDeadline(t) }

// Close closes the socket; a Recv in progress returns ErrClosed.
func (c *Conn) Close() error {
	c.closed.Store(true)
	return c.f.Close()
}

// Recv waits for the next echo reply to this Conn or ICMP error about one
// of its requests, skipping everything else. The packet's Data aliases buf,
// which should hold the largest reply expected (65,536 bytes holds any).
func (c *Conn) Recv(buf []byte) (Packet, error) {
	pkt, _, err := c.recv(buf, true)
	return pkt, err
}

// TryRecv is Recv without the wait: ok is false when nothing is queued. A
// receiver that has just woken drains the socket with it, to handle a burst
// of replies in one go.
func (c *Conn) TryRecv(buf []byte) (pkt Packet, ok bool, err error) {
	return c.recv(buf, false)
}

func (c *Conn) recv(buf []byte, wait bool) (Packet, bool, error) {
	var pkt Packet
	var got bool
	var rerr error
	// syscall.Recvmsg, not unix.Recvmsg: the latter asks the socket for its
	// protocol (a getsockopt) on every IPv4 packet.
	err := c.rc.Read(func(fd uintptr) bool {
		for {
			n, oobn, _, from, err := syscall.Recvmsg(int(fd), buf, c.oob, syscall.MSG_DONTWAIT)
			switch {
			case err == nil:
				if c.parse(buf[:n], c.oob[:oobn], from, &pkt) {
					got = true
					return true
				}
				continue
			case err == unix.EINTR:
				continue
			case err == unix.EAGAIN:
			case queuedICMPErrno(err):
				// The error an ICMP message left on the socket; the
				// message itself is in the error queue or was read as a
				// packet.
				continue
			default:
				rerr = os.NewSyscallError("recvmsg", err)
				return true
			}
			if !c.raw {
				n, oobn, _, from, err = syscall.Recvmsg(int(fd), buf, c.oob, unix.MSG_ERRQUEUE|syscall.MSG_DONTWAIT)
				switch {
				case err == nil:
					if c.parseErrQueue(buf[:n], c.oob[:oobn], from, &pkt) {
						got = true
						return true
					}
					continue
				case err == unix.EINTR:
					continue
				case err != unix.EAGAIN:
					rerr = os.NewSyscallError("recvmsg", err)
					return true
				}
			}
			return !wait // nothing queued: wait for the socket, or give up
		}
	})
	switch {
	case err == nil:
		return pkt, got, rerr
	case errors.Is(err, os.ErrDeadlineExceeded):
		return pkt, false, errTimeout
	case errors.Is(err, os.ErrClosed) || c.closed.Load():
		return pkt, false, ErrClosed
	}
	return pkt, false, err
}

// queuedICMPErrno reports whether err is one an ICMP error sets on a socket
// (sk_err), which recvmsg returns once.
func queuedICMPErrno(err error) bool {
	switch err {
	case unix.ECONNREFUSED, unix.EHOSTUNREACH, unix.ENETUNREACH, unix.EHOSTDOWN,
		unix.ENONET, unix.ENOPROTOOPT, unix.EMSGSIZE, unix.EOPNOTSUPP, unix.EACCES, unix.EPROTO:
		return true
	}
	return false
}

// parse fills pkt from a packet read from the socket and reports whether it
// is a reply or error for this Conn.
func (c *Conn) parse(b, oob []byte, from syscall.Sockaddr, pkt *Packet) bool {
	*pkt = Packet{TTL: -1}
	var ok bool
	if c.raw && !c.v6 {
		ok = parseIPv4Packet(b, pkt)
	} else {
		ok = parseMessage(c.v6, b, pkt)
		pkt.From = addrOf(from)
	}
	if !ok || (c.raw && pkt.ID != c.id) {
		return false
	}
	c.readCmsgs(oob, pkt)
	return true
}

// parseErrQueue fills pkt from a message of the error queue: the request
// the error is about (from its ICMP header on), its destination (from), and
// the error in a control message.
func (c *Conn) parseErrQueue(b, oob []byte, from syscall.Sockaddr, pkt *Packet) bool {
	*pkt = Packet{Kind: ICMPError, TTL: -1, Dst: addrOf(from)}
	if !parseEchoHeader(b, pkt) {
		return false
	}
	return c.readCmsgs(oob, pkt)
}

// readCmsgs reads the receive timestamp, TTL or hop limit, and extended
// error from control messages into pkt; it reports whether an error
// message (if one was expected, pkt.Kind == ICMPError) was found.
func (c *Conn) readCmsgs(oob []byte, pkt *Packet) bool {
	found := pkt.Kind != ICMPError || c.raw
	msgs, _ := unix.ParseSocketControlMessage(oob)
	for _, m := range msgs {
		h, d := m.Header, m.Data
		switch {
		case h.Level == unix.SOL_SOCKET && h.Type == unix.SCM_TIMESTAMPNS && len(d) >= int(unsafe.Sizeof(unix.Timespec{})):
			ts := (*unix.Timespec)(unsafe.Pointer(&d[0]))
			pkt.When = time.Unix(int64(ts.Sec), int64(ts.Nsec))
		case (h.Level == unix.IPPROTO_IP && h.Type == unix.IP_TTL) || (h.Level == unix.IPPROTO_IPV6 && h.Type == unix.IPV6_HOPLIMIT):
			if len(d) >= 4 {
				pkt.TTL = int(*(*int32)(unsafe.Pointer(&d[0])))
			}
		case (h.Level == unix.IPPROTO_IP && h.Type == unix.IP_RECVERR) || (h.Level == unix.IPPROTO_IPV6 && h.Type == unix.IPV6_RECVERR):
			if len(d) < int(unsafe.Sizeof(unix.SockExtendedErr{})) {
				continue
			}
			ee := (*unix.SockExtendedErr)(unsafe.Pointer(&d[0]))
			off := d[unsafe.Sizeof(*ee):]
			pkt.From = offender(off)
			switch ee.Origin {
			case unix.SO_EE_ORIGIN_ICMP, unix.SO_EE_ORIGIN_ICMP6:
				pkt.Type, pkt.Code, pkt.Info = int(ee.Type), int(ee.Code), ee.Info
			case unix.SO_EE_ORIGIN_LOCAL:
				pkt.Local, pkt.Errno, pkt.Info = true, syscall.Errno(ee.Errno), ee.Info
				pkt.Type, pkt.Code = -1, -1
			default:
				continue
			}
			found = true
		}
	}
	if pkt.When.IsZero() {
		pkt.When = time.Now()
	}
	return found
}

// offender reads the sockaddr_in or sockaddr_in6 that follows a
// sock_extended_err: the address of the host that sent the ICMP error.
func offender(b []byte) netip.Addr {
	if len(b) < 2 {
		return netip.Addr{}
	}
	switch family := *(*uint16)(unsafe.Pointer(&b[0])); family {
	case unix.AF_INET:
		if len(b) >= unix.SizeofSockaddrInet4 {
			return netip.AddrFrom4([4]byte(b[4:8]))
		}
	case unix.AF_INET6:
		if len(b) >= unix.SizeofSockaddrInet6 {
			return withZone(netip.AddrFrom16([16]byte(b[8:24])), *(*uint32)(unsafe.Pointer(&b[24])))
		}
	}
	return netip.Addr{}
}

func addrOf(sa syscall.Sockaddr) netip.Addr {
	switch sa := sa.(type) {
	case *syscall.SockaddrInet4:
		return netip.AddrFrom4(sa.Addr)
	case *syscall.SockaddrInet6:
		return withZone(netip.AddrFrom16(sa.Addr), sa.ZoneId)
	}
	return netip.Addr{}
}

func withZone(a netip.Addr, zone uint32) netip.Addr {
	if zone == 0 || !a.IsLinkLocalUnicast() && !a.IsLinkLocalMulticast() {
		return a
	}
	if ifi, err := net.InterfaceByIndex(int(zone)); err == nil {
		return a.WithZone(ifi.Name)
	}
	return a.WithZone(strconv.FormatUint(uint64(zone), 10))
}

func sockaddr(a netip.Addr, port int) unix.Sockaddr {
	if a.Is4() {
		return &unix.SockaddrInet4{Addr: a.As4(), Port: port}
	}
	sa := &unix.SockaddrInet6{Addr: a.As16(), Port: port}
	if z := a.Zone(); z != "" {
		if n, err := strconv.ParseUint(z, 10, 32); err == nil {
			sa.ZoneId = uint32(n)
		} else if ifi, err := net.InterfaceByName(z); err == nil {
			sa.ZoneId = uint32(ifi.Index)
		}
	}
	return sa
}

// permissionError describes why ICMP sockets are not allowed: it reads
// net.ipv4.ping_group_range (of this process's network namespace) and the
// process's groups.
func permissionError(cfg Config) *PermissionError {
	e := &PermissionError{Mode: cfg.Mode, IPv6: cfg.IPv6}
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ping_group_range"); err == nil {
		e.Range = strings.Join(strings.Fields(string(b)), " ")
	}
	e.Groups = append(e.Groups, os.Getegid())
	if gs, err := os.Getgroups(); err == nil {
		for _, g := range gs {
			if g != e.Groups[0] {
				e.Groups = append(e.Groups, g)
			}
		}
	}
	e.Exe = executable()
	return e
}
