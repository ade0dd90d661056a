package tcp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"

	"netdiag/diag/netaddr"
	"netdiag/diag/render"
)

// ConnectError means no address of the target accepted the connection.
type ConnectError struct {
	Target string
	Err    error // the last attempt's error (all of them joined)
}

// Error says which target failed and why.
func (e *ConnectError) Error() string {
	return fmt.Sprintf("cannot connect to %s: %v", e.Target, e.Err)
}

// Unwrap returns the attempts' errors.
func (e *ConnectError) Unwrap() error { return e.Err }

// dial resolves the target and tries its addresses in order.
func dial(ctx context.Context, opt ClientOptions) (net.Conn, ConnectEvent, error) {
	fam := opt.Family
	if opt.Source.Addr().IsValid() {
		srcFam := netaddr.IPv4
		if opt.Source.Addr().Is6() {
			srcFam = netaddr.IPv6
		}
		if fam != netaddr.AnyFamily && fam != srcFam {
			return nil, ConnectEvent{}, fmt.Errorf("--source %s is an %s address, but %s was asked for", opt.Source.Addr(), srcFam, fam)
		}
		fam = srcFam
	}
	addrs, err := netaddr.Resolve(ctx, opt.Resolver, opt.Target.Host, fam)
	if err != nil {
		return nil, ConnectEvent{}, err
	}
	d := opt.Dial
	if d == nil {
		var nd net.Dialer
		if opt.Source.IsValid() {
			nd.LocalAddr = net.TCPAddrFromAddrPort(opt.Source)
		}
		d = nd.DialContext
	}
	var errs []error
	for _, a := range addrs {
		actx, cancel := ctx, context.CancelFunc(func() {})
		if opt.Timeout > 0 {
			actx, cancel = context.WithTimeout(ctx, opt.Timeout)
		}
		start := time.Now()
		addr := netip.AddrPortFrom(a, uint16(opt.Target.Port)).String()
		c, err := d(actx, "tcp", addr)
		var ne net.Error
		timedOut := ctx.Err() == nil && (errors.Is(actx.Err(), context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout())
		cancel()
		if err == nil {
			ev := ConnectEvent{Header: header(KindConnect, "client"),
				Peer:        Peer{Conn: 1, Local: c.LocalAddr().String(), Remote: c.RemoteAddr().String()},
				Name:        opt.Target.Host.Name,
				ConnectTime: render.Seconds(time.Since(start))}
			return c, ev, nil
		}
		if errors.Is(err, syscall.ECONNRESET) { // accepted, then reset before connect returned
			return nil, ConnectEvent{}, closedAtOnceError()
		}
		if timedOut {
			err = fmt.Errorf("%s: no answer within %v (--timeout)", addr, opt.Timeout)
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, ConnectEvent{}, &ConnectError{Target: opt.Target.String(), Err: errors.Join(errs...)}
}
