package check

import (
	"context"
	"net"
	"net/netip"
	"sync"

	"netdiag/diag/ifaces"
	"netdiag/diag/netaddr"
)

// LocalStep is the local stack step: does the machine talk to itself over
// 127.0.0.1 and ::1?
type LocalStep struct {
	Verdict
	// Pings are the pings of 127.0.0.1 and ::1 (not ::1 when IPv6 is off).
	Pings []*PingResult `json:"pings"`
	// Connect is a TCP connection to a listener on 127.0.0.1, made instead
	// when ICMP is not permitted.
	Connect *ConnectResult `json:"connect,omitempty"`
}

var (
	loopback4 = netip.AddrFrom4([4]byte{127, 0, 0, 1})
	loopback6 = netip.IPv6Loopback()
)

// checkLocal pings 127.0.0.1 and ::1 (when lo has it) at once.
func checkLocal(ctx context.Context, opt Options, ifs *ifaces.Result) LocalStep {
	var lo *ifaces.Interface
	for i := range ifs.Interfaces {
		if ifs.Interfaces[i].IsLoopback() {
			lo = &ifs.Interfaces[i]
			break
		}
	}
	has := func(a netip.Addr) bool {
		for _, la := range lo.Addresses {
			if la.Prefix().Contains(a) {
				return true
			}
		}
		return false
	}
	broken := func(detail string) LocalStep {
		return LocalStep{Verdict: Verdict{Status: Fail, Problem: LoopbackDown, Detail: detail}, Pings: []*PingResult{}}
	}
	switch {
	case lo == nil:
		return broken("no loopback interface")
	case !lo.AdminUp:
		return broken(lo.Name + " is down")
	case !has(loopback4):
		return broken(lo.Name + " has no address 127.0.0.1")
	}
	targets := []netip.Addr{loopback4}
	if has(loopback6) {
		targets = append(targets, loopback6)
	}
	ctx, cancel := context.WithTimeout(ctx, min(localTimeout, opt.Timeout))
	defer cancel()
	st := LocalStep{Pings: make([]*PingResult, len(targets))}
	var wg sync.WaitGroup
	for i, a := range targets {
		wg.Go(func() { st.Pings[i] = pingOnce(ctx, opt, a) })
	}
	wg.Wait()

	v4 := st.Pings[0]
	st.Time = v4.RTT
	switch {
	case v4.NotPermitted:
		st.Connect = loopbackConnect(ctx, opt)
		if st.Connect.reached() {
			st.Status, st.Time = OK, st.Connect.Time
			st.Detail = "ICMP not permitted; TCP to 127.0.0.1 works"
		} else {
			st.Status, st.Problem = Fail, NoReply
			st.Detail = "ICMP not permitted, and TCP to 127.0.0.1 fails: " + st.Connect.Error
		}
	case !v4.answered():
		st.Status, st.Problem = Fail, NoReply
		st.Detail = "127.0.0.1 does not answer ping: " + v4.Error
	case len(targets) == 1:
		st.Status = OK
		st.Detail = "127.0.0.1 answers ping; IPv6 is off (lo has no ::1)"
	case !st.Pings[1].answered() && !st.Pings[1].NotPermitted:
		st.Status, st.Problem = Warn, NoReply
		st.Detail = "127.0.0.1 answers ping, ::1 does not: " + st.Pings[1].Error
	default:
		st.Status = OK
		st.Detail = "127.0.0.1 and ::1 answer ping"
	}
	if st.Status == OK && v4.Received < v4.Sent {
		st.Status, st.Problem = Warn, Loss
		st.Detail = lossText(v4) + " on loopback"
	}
	return st
}

// loopbackConnect checks the stack without ICMP: a TCP connection to a
// listener of its own on 127.0.0.1.
func loopbackConnect(ctx context.Context, opt Options) *ConnectResult {
	ln, err := net.Listen("tcp", netip.AddrPortFrom(loopback4, 0).String())
	if err != nil {
		return &ConnectResult{Outcome: "error", Error: errorText(err)}
	}
	defer ln.Close()
	port := netaddr.Port(ln.Addr().(*net.TCPAddr).Port)
	return Connect(ctx, opt.Dial, loopback4, port)
}
