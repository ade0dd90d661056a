package tcp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"sync"

	"netdiag/diag/netaddr"
	"netdiag/diag/sockets"
)

// ListenOptions says where the server listens.
type ListenOptions struct {
	// Host is an address or a name to listen on; the zero Host means every
	// interface (dual-stack IPv4 and IPv6 where the system has IPv6).
	Host netaddr.Host
	// Port 0 lets the system pick a free port.
	Port netaddr.Port
	// Family restricts the wildcard listener or a name's addresses.
	Family netaddr.Family
	// Resolver resolves a Host name; nil means net.DefaultResolver.
	Resolver *net.Resolver
}

// Listener is the server's listening side: one socket, or one per address
// when a host name resolves to several. It is a net.Listener, and it knows
// the addresses it is reachable on.
type Listener struct {
	lns       []net.Listener
	dualStack bool
	wildcard  bool

	// Several sockets: accepted connections arrive on conns.
	conns     chan net.Conn
	errs      chan error
	done      chan struct{}
	closeOnce sync.Once
	wg        sync.WaitGroup
}

// PortInUseError is returned when another socket holds the port.
type PortInUseError = sockets.PortInUseError

// Listen opens the server's listening socket(s) with SO_REUSEADDR, so that a
// restart right after clients disconnected does not fail while their
// connections linger in TIME_WAIT. A port already in use is a
// *PortInUseError naming the process that holds it, where the OS tells.
func Listen(ctx context.Context, opt ListenOptions) (*Listener, error) {
	type target struct{ network, addr string }
	var targets []target
	port := opt.Port.String()
	switch {
	case opt.Host.IsZero():
		network := map[netaddr.Family]string{netaddr.AnyFamily: "tcp", netaddr.IPv4: "tcp4", netaddr.IPv6: "tcp6"}[opt.Family]
		targets = []target{{network, ":" + port}}
	default:
		addrs, err := netaddr.Resolve(ctx, opt.Resolver, opt.Host, opt.Family)
		if err != nil {
			return nil, err
		}
		for _, a := range addrs {
			network := "tcp4"
			if a.Is6() {
				network = "tcp6"
			}
			if a.IsUnspecified() && a.Is6() && opt.Family == netaddr.AnyFamily {
				network = "tcp" // "::" listens dual-stack, as the system default does
			}
			targets = append(targets, target{network, net.JoinHostPort(a.String(), port)})
		}
	}
	lc := net.ListenConfig{Control: sockets.ReuseAddr}
	l := &Listener{}
	for _, t := range targets {
		if opt.Port == 0 && len(l.lns) > 0 {
			// Several addresses and "any port": use the same port on all.
			host, _, _ := net.SplitHostPort(t.addr)
			t.addr = net.JoinHostPort(host, fmt.Sprint(l.lns[0].Addr().(*net.TCPAddr).Port))
		}
		ln, err := lc.Listen(ctx, t.network, t.addr)
		if err != nil {
			for _, prev := range l.lns {
				prev.Close()
			}
			return nil, sockets.ListenError(t.addr, opt.Port, "tcp", err)
		}
		l.lns = append(l.lns, ln)
	}
	first := l.lns[0].Addr().(*net.TCPAddr)
	l.wildcard = first.IP.IsUnspecified()
	l.dualStack = l.wildcard && first.IP.To4() == nil && targets[0].network == "tcp"
	if len(l.lns) > 1 {
		l.start()
	}
	return l, nil
}

// start runs one accept goroutine per socket, feeding conns.
func (l *Listener) start() {
	l.conns = make(chan net.Conn)
	l.errs = make(chan error)
	l.done = make(chan struct{})
	for _, ln := range l.lns {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for {
				c, err := ln.Accept()
				if err != nil {
					select {
					case l.errs <- err:
						if errors.Is(err, net.ErrClosed) {
							return
						}
						continue
					case <-l.done:
						return
					}
				}
				select {
				case l.conns <- c:
				case <-l.done:
					c.Close()
					return
				}
			}
		}()
	}
}

// Accept waits for the next connection on any of the sockets.
func (l *Listener) Accept() (net.Conn, error) {
	if len(l.lns) == 1 {
		return l.lns[0].Accept()
	}
	select {
	case c := <-l.conns:
		return c, nil
	case err := <-l.errs:
		return nil, err
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close closes every socket and waits for the accept goroutines.
func (l *Listener) Close() error {
	var err error
	l.closeOnce.Do(func() {
		if l.done != nil {
			close(l.done)
		}
		for _, ln := range l.lns {
			err = errors.Join(err, ln.Close())
		}
		l.wg.Wait()
	})
	return err
}

// Addr returns the first socket's address.
func (l *Listener) Addr() net.Addr { return l.lns[0].Addr() }

// Addrs returns every socket's address.
func (l *Listener) Addrs() []string {
	out := make([]string, len(l.lns))
	for i, ln := range l.lns {
		out[i] = ln.Addr().String()
	}
	return out
}

// DualStack reports whether the listener is an IPv6 wildcard socket that
// also accepts IPv4 clients.
func (l *Listener) DualStack() bool { return l.dualStack }

// Reachable returns host:port for every local interface address the
// listener accepts connections on, IPv4 first, loopback first within a
// family; link-local IPv6 addresses carry their zone. It is empty unless the
// listener is on a wildcard address.
func (l *Listener) Reachable() []string {
	if !l.wildcard {
		return nil
	}
	first := l.lns[0].Addr().(*net.TCPAddr)
	v4, v6 := first.IP.To4() != nil || l.dualStack, first.IP.To4() == nil
	ifcs, err := net.Interfaces()
	if err != nil {
		return nil
	}
	var addrs []netip.Addr
	for _, ifc := range ifcs {
		if ifc.Flags&net.FlagUp == 0 {
			continue
		}
		as, err := ifc.Addrs()
		if err != nil {
			continue
		}
		for _, a := range as {
			pfx, err := netip.ParsePrefix(a.String())
			if err != nil {
				continue
			}
			ip := pfx.Addr()
			if ip.Is4() && !v4 || ip.Is6() && !v6 {
				continue
			}
			if ip.Is6() && ip.IsLinkLocalUnicast() {
				ip = ip.WithZone(ifc.Name)
			}
			addrs = append(addrs, ip)
		}
	}
	rank := func(a netip.Addr) int {
		r := 0
		if a.Is6() {
			r += 2
		}
		if !a.IsLoopback() {
			r++
		}
		return r
	}
	slices.SortStableFunc(addrs, func(a, b netip.Addr) int { return rank(a) - rank(b) })
	out := make([]string, len(addrs))
	for i, a := range addrs {
		out[i] = netip.AddrPortFrom(a, uint16(first.Port)).String()
	}
	return out
}
