//go:build linux

package trace

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"netdiag/diag/ping/icmpsock"
)

// socket opens a non-blocking UDP or TCP socket for probes to dst with the
// ICMP errors about what it sends queued for reading (IP_RECVERR), kernel
// timestamps on them, and the source address or interface of opt.
func socket(opt Options, dst netip.Addr, typ int) (int, error) {
	domain, level, recverr := unix.AF_INET, unix.IPPROTO_IP, unix.IP_RECVERR
	if dst.Is6() {
		domain, level, recverr = unix.AF_INET6, unix.IPPROTO_IPV6, unix.IPV6_RECVERR
	}
	fd, err := unix.Socket(domain, typ|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, os.NewSyscallError("socket", err)
	}
	err = func() error {
		if err := unix.SetsockoptInt(fd, level, recverr, 1); err != nil {
			return fmt.Errorf("setting IP_RECVERR: %w", err)
		}
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1); err != nil {
			return fmt.Errorf("setting SO_TIMESTAMPNS: %w", err)
		}
		if opt.Interface != "" {
			if err := unix.BindToDevice(fd, opt.Interface); err != nil {
				return fmt.Errorf("binding to interface %s: %w", opt.Interface, err)
			}
		}
		if opt.Source.IsValid() {
			if err := unix.Bind(fd, sockaddr(opt.Source, 0)); err != nil {
				return fmt.Errorf("using source address %s: %w", opt.Source, err)
			}
		}
		return nil
	}()
	if err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

func sockaddr(a netip.Addr, port int) unix.Sockaddr {
	if a.Is4() {
		return &unix.SockaddrInet4{Addr: a.As4(), Port: port}
	}
	return &unix.SockaddrInet6{Addr: a.As16(), Port: port}
}

// udpProber sends datagrams from one socket, the TTL set per datagram, to
// port Port and up: the destination port tells the probes apart, in the
// ICMP errors and in the rare answer of a UDP service.
type udpProber struct {
	closed atomic.Bool
	f      *os.File
	rc     syscall.RawConn
	dst    netip.Addr
	v6     bool
	base   int
	span   int
	n      int
	data   []byte
	got    func(reply)
}

func newUDPProber(opt Options, dst netip.Addr, got func(reply)) (prober, error) {
	fd, err := socket(opt, dst, unix.SOCK_DGRAM)
	if err != nil {
		return nil, err
	}
	if opt.MTU {
		if err := icmpsock.SetDontFragment(fd, dst.Is6()); err != nil {
			unix.Close(fd)
			return nil, err
		}
	}
	p := &udpProber{f: os.NewFile(uintptr(fd), "udp"), dst: dst, v6: dst.Is6(), base: int(opt.Port), got: got}
	p.span = 65536 - p.base
	if p.rc, err = p.f.SyscallConn(); err != nil {
		p.f.Close()
		return nil, err
	}
	return p, nil
}

func (p *udpProber) send(ttl, size int) (uint32, time.Time, error) {
	n := max(size-headers(p.v6), 0)
	if len(p.data) < n {
		p.data = make([]byte, n)
	}
	port := p.base + p.n%p.span
	p.n++
	sa, oob := sockaddr(p.dst, port), icmpsock.TTLControl(p.v6, ttl)
	var sent time.Time
	var serr error
	err := p.rc.Write(func(fd uintptr) bool {
		sent, serr = icmpsock.Sendmsg(int(fd), p.data[:n], oob, sa)
		return serr != unix.EAGAIN
	})
	if err == nil && serr != nil {
		err = os.NewSyscallError("sendmsg", serr)
	}
	return uint32(port), sent, err
}

func (p *udpProber) run() error {
	buf, oob := make([]byte, 65536), make([]byte, 512)
	var rerr error
	err := p.rc.Read(func(fd uintptr) bool {
		for {
			// An answer from a UDP service on the destination. Any other
			// error is the errno an ICMP error left on the socket
			// (sk_err), which this read clears; the error itself is in
			// the queue.
			_, _, _, from, err := unix.Recvmsg(int(fd), buf, nil, unix.MSG_DONTWAIT)
			if err == nil {
				if ap := addrPortOf(from); ap.Addr() == p.dst {
					p.got(reply{key: uint32(ap.Port()), kind: reachedDest, from: p.dst, when: time.Now()})
				}
				continue
			}
			pkt, port, ok, err := icmpsock.ReadErrQueue(int(fd), buf, oob)
			switch {
			case err != nil:
				rerr = err
				return true
			case !ok:
				return false // wait for more
			case pkt.Dst.WithZone("") != p.dst:
				continue
			}
			p.got(classify(&pkt, p.v6, p.dst, uint32(port)))
		}
	})
	if rerr != nil {
		return rerr
	}
	if err != nil && !p.closed.Load() {
		return err
	}
	return nil
}

func addrPortOf(sa unix.Sockaddr) netip.AddrPort {
	switch sa := sa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), uint16(sa.Port))
	case *unix.SockaddrInet6:
		return netip.AddrPortFrom(netip.AddrFrom16(sa.Addr).Unmap(), uint16(sa.Port))
	}
	return netip.AddrPort{}
}

func (p *udpProber) forget(uint32) {}

func (p *udpProber) close() {
	p.closed.Store(true)
	p.f.Close()
}

// tcpProber makes one non-blocking connection attempt per probe, its TTL
// set on its socket: a SYN-ACK or a reset means the destination answered,
// an ICMP error in the socket's error queue names the router.
type tcpProber struct {
	opt  Options
	dst  netip.Addr
	got  func(reply)
	done chan struct{}
	wg   sync.WaitGroup

	mu     sync.Mutex
	n      uint32
	socks  map[uint32]*os.File
	closed bool
}

func newTCPProber(opt Options, dst netip.Addr, got func(reply)) (prober, error) {
	return &tcpProber{opt: opt, dst: dst, got: got, done: make(chan struct{}), socks: map[uint32]*os.File{}}, nil
}

func (p *tcpProber) send(ttl, _ int) (uint32, time.Time, error) {
	fd, err := socket(p.opt, p.dst, unix.SOCK_STREAM)
	if err != nil {
		return 0, time.Time{}, err
	}
	level, name := unix.IPPROTO_IP, unix.IP_TTL
	if p.dst.Is6() {
		level, name = unix.IPPROTO_IPV6, unix.IPV6_UNICAST_HOPS
	}
	if err := unix.SetsockoptInt(fd, level, name, ttl); err != nil {
		unix.Close(fd)
		return 0, time.Time{}, fmt.Errorf("setting the TTL: %w", err)
	}
	sent := time.Now()
	if err := unix.Connect(fd, sockaddr(p.dst, int(p.opt.Port))); err != nil && err != unix.EINPROGRESS {
		unix.Close(fd)
		return 0, sent, os.NewSyscallError("connect", err)
	}
	f := os.NewFile(uintptr(fd), "tcp")
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return 0, sent, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		f.Close()
		return 0, sent, errors.New("closed")
	}
	p.n++
	key := p.n
	p.socks[key] = f
	p.wg.Go(func() { p.wait(key, rc) })
	return key, sent, nil
}

// wait waits for the connection attempt key to end and reports how.
func (p *tcpProber) wait(key uint32, rc syscall.RawConn) {
	var r reply
	buf, oob := make([]byte, 512), make([]byte, 512)
	err := rc.Write(func(fd uintptr) bool {
		_, perr := unix.Getpeername(int(fd))
		soerr, _ := unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_ERROR)
		if perr != nil && soerr == 0 {
			return false // still connecting
		}
		r = reply{key: key, kind: reachedDest, from: p.dst, when: time.Now()}
		pkt, _, ok, _ := icmpsock.ReadErrQueue(int(fd), buf, oob)
		switch {
		case ok:
			r = classify(&pkt, p.dst.Is6(), p.dst, key)
		case soerr != 0 && soerr != int(unix.ECONNREFUSED):
			r.kind, r.err = localError, unix.Errno(soerr).Error()
		}
		return true
	})
	p.mu.Lock()
	f, mine := p.socks[key]
	delete(p.socks, key)
	p.mu.Unlock()
	if !mine {
		return // forgotten or closed: no one wants the answer
	}
	f.Close()
	if err == nil {
		p.got(r)
	}
}

func (p *tcpProber) forget(key uint32) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if f, ok := p.socks[key]; ok {
		delete(p.socks, key)
		f.Close()
	}
}

func (p *tcpProber) run() error {
	<-p.done
	p.wg.Wait()
	return nil
}

func (p *tcpProber) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.closed = true
	for key, f := range p.socks {
		delete(p.socks, key)
		f.Close()
	}
	close(p.done)
}
