package check

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"netdiag/diag/netaddr"
	"netdiag/diag/ping/icmpsock"
	"netdiag/diag/render"
	"netdiag/diag/trace"
)

// maxTraceHops bounds the traces of the internet and path MTU steps.
const maxTraceHops = 30

// Tracer traces the path to an address: trace.Run, or a fake in tests.
type Tracer func(ctx context.Context, opt trace.Options, emit func(trace.Event)) (trace.Result, error)

// PathTrace is the trace toward an internet host that did not answer: how
// far its path answers.
type PathTrace struct {
	Reached bool `json:"reached"`
	// LastHop is the last hop that answered (0: none did), LastAddrs who
	// answered there.
	LastHop   int          `json:"last_hop"`
	LastAddrs []netip.Addr `json:"last_addrs"`
	// Hops are the hops probed, in order.
	Hops []TraceHop `json:"hops"`
	// Text says where the replies stop, as netdiag trace says it.
	Text string `json:"text"`
}

// TraceHop is one hop of a PathTrace.
type TraceHop struct {
	Hop      int          `json:"hop"`
	Addrs    []netip.Addr `json:"addrs"`
	Sent     int          `json:"sent"`
	Received int          `json:"received"`
	Mark     string       `json:"mark,omitempty"`
}

// tracePath traces the path to addr within ctx, as the internet step does
// for a host that does not answer in time: opt.Count probes per hop, each
// waiting until ctx's deadline. It returns nil when it cannot trace (no
// ICMP permission).
func tracePath(ctx context.Context, opt Options, addr netip.Addr) *PathTrace {
	topt := trace.Options{Target: netaddr.Host{Addr: addr}, Count: opt.Count, Interval: pingInterval,
		Timeout: opt.Timeout, Numeric: true, MaxHops: maxTraceHops}
	if d, ok := ctx.Deadline(); ok {
		topt.Timeout = max(time.Until(d), time.Millisecond)
	}
	res, err := opt.Trace(ctx, topt, nil)
	if err != nil {
		return nil
	}
	pt := &PathTrace{Reached: res.Reached, Hops: []TraceHop{}, LastAddrs: []netip.Addr{}}
	for _, h := range res.Hops {
		pt.Hops = append(pt.Hops, TraceHop{Hop: h.TTL, Addrs: h.Addrs(), Sent: h.Sent, Received: h.Received, Mark: h.Mark})
	}
	if h, ok := res.LastAnswered(); ok {
		pt.LastHop, pt.LastAddrs = h.TTL, h.Addrs()
	}
	if !res.Reached {
		pt.Text = trace.BreakText(&res)
	}
	return pt
}

// beyondGateway reports whether the trace's replies stop past the first
// hop (the gateway), so that naming the hop says more than "the gateway
// answers".
func (p *PathTrace) beyondGateway() bool {
	return p != nil && !p.Reached && p.LastHop >= 2 && p.Hops[len(p.Hops)-1].Mark == ""
}

// cutHost returns the first failed internet host whose trace stops past
// the gateway.
func cutHost(st *InternetStep) (*HostProbe, bool) {
	for _, h := range st.Hosts {
		if h.Status == Fail && h.Trace.beyondGateway() {
			return h, true
		}
	}
	return nil, false
}

// pathCut is the diagnosis when the path beyond the gateway is cut: the
// gateway answers, every resolver that fails is off-link and silent, and
// the internet host's trace stops at a router. DNS is not to blame then,
// though its step failed first.
func pathCut(r *Result) (Diagnosis, bool) {
	h, ok := cutHost(&r.Internet)
	if !ok || r.Internet.Status != Fail || r.Gateway.Status == Fail || r.DNS.Status != Fail {
		return Diagnosis{}, false
	}
	var resolver *ResolverResult
	for _, rs := range r.DNS.Resolvers {
		if rs.Status != Fail {
			continue
		}
		if rs.Problem != DNSTimeout && rs.Problem != Unreachable || !offLink(r, rs.Server.Addr()) {
			return Diagnosis{}, false
		}
		if resolver == nil {
			resolver = rs
		}
	}
	if resolver == nil {
		return Diagnosis{}, false
	}
	text := fmt.Sprintf("The path beyond the gateway is cut: %s on the way to %s, and the resolver %s, also off this network, does not answer either — the router after hop %d or its link is down; DNS itself is probably fine.",
		h.Trace.Text, h.Addr, resolver.Server.Addr(), h.Trace.LastHop)
	return Diagnosis{Status: Fail, Step: StepInternet, Problem: PathCut, Text: text}, true
}

// offLink reports whether a is reached through a router: a valid address,
// not loopback, on none of the interfaces' networks.
func offLink(r *Result, a netip.Addr) bool {
	if !a.IsValid() || a.IsLoopback() || a.IsUnspecified() {
		return false
	}
	for _, ifc := range r.Interfaces.Interfaces {
		for _, p := range ifc.Addresses {
			if p.Masked().Contains(a.WithZone("")) {
				return false
			}
		}
	}
	return true
}

// PathMTUStep is the path MTU step: do packets as large as the interface
// allows reach an internet host that answers ping?
type PathMTUStep struct {
	Verdict
	// Host is the internet host probed; Interface the interface toward it
	// and InterfaceMTU its MTU.
	Host         netip.Addr `json:"host,omitzero"`
	Interface    string     `json:"interface,omitempty"`
	InterfaceMTU int        `json:"interface_mtu,omitempty"`
	// PathMTU is the largest packet that reached Host (0: none did).
	PathMTU int `json:"path_mtu,omitempty"`
	// DropHop and DropAddr are the hop after which packets shrink (a
	// router said "fragmentation needed") or vanish (a black hole).
	DropHop  int        `json:"drop_hop,omitempty"`
	DropAddr netip.Addr `json:"drop_addr,omitzero"`
}

// checkPathMTU discovers the path MTU toward the first internet host that
// answered ping, as tracepath does, bounded by opt.Timeout: it stops as
// soon as the host answers a probe as large as the path carries.
func checkPathMTU(ctx context.Context, opt Options, inet *InternetStep) PathMTUStep {
	var st PathMTUStep
	for _, h := range inet.Hosts {
		if (h.Status == OK || h.Status == Warn) && h.Ping.answered() {
			st.Host = h.Addr
			break
		}
	}
	if !st.Host.IsValid() {
		st.Status, st.Detail = Skipped, "no internet host answers ping to probe with"
		return st
	}
	ctx, cancel := context.WithTimeout(ctx, opt.Timeout)
	defer cancel()
	res, err := opt.Trace(ctx, trace.Options{Target: netaddr.Host{Addr: st.Host}, MTU: true, Count: 1, Timeout: opt.Timeout,
		Numeric: true, MaxHops: maxTraceHops}, func(ev trace.Event) {
		if ev.Result.Reached {
			cancel() // the host answered at the path's MTU: done
		}
	})
	if err != nil {
		st.Status, st.Problem, st.Detail = Skipped, SystemError, errorText(err)
		var perr *icmpsock.PermissionError
		if errors.As(err, &perr) {
			st.Problem, st.Detail = ICMPNotPermitted, "not probed (ICMP not permitted here)"
		}
		return st
	}
	st.Interface, st.InterfaceMTU = res.Interface, res.InterfaceMTU
	switch last, answered := res.LastAnswered(); {
	case res.Reached:
		st.PathMTU = res.PathMTU
		if n := len(res.MTUDrops); n > 0 {
			st.DropHop, st.DropAddr = res.MTUDrops[n-1].Hop, res.MTUDrops[n-1].Addr
		}
		st.Time = render.Millis(res.Elapsed)
		if st.PathMTU < st.InterfaceMTU {
			st.Status, st.Problem = Warn, MTUReduced
			st.Detail = fmt.Sprintf("%d bytes to %s, below %s's %d: it drops after hop %d (%s)", st.PathMTU, st.Host, st.Interface, st.InterfaceMTU, st.DropHop, st.DropAddr)
		} else {
			st.Status = OK
			st.Detail = fmt.Sprintf("%d bytes to %s, as %s's MTU", st.PathMTU, st.Host, st.Interface)
		}
	case answered:
		st.DropHop, st.DropAddr = last.TTL, last.Addrs()[0]
		st.Status, st.Problem = Fail, PMTUBlackHole
		st.Detail = fmt.Sprintf("packets of %d bytes to %s vanish after hop %d (%s) with no \"fragmentation needed\" reply, though small pings arrive", last.MTU, st.Host, st.DropHop, st.DropAddr)
	default:
		st.Status, st.Problem = Fail, PMTUBlackHole
		st.Detail = fmt.Sprintf("packets of %d bytes to %s vanish at once with no \"fragmentation needed\" reply, though small pings arrive", res.InterfaceMTU, st.Host)
	}
	return st
}

func pathMTUSentence(st *PathMTUStep) string {
	symptoms := "large transfers stall while small ones work (pages that half load, TLS or SSH sessions that hang after connecting)"
	if st.Problem == MTUReduced {
		return fmt.Sprintf("The path MTU to %s is %d bytes, below %s's %d: the link after hop %d (%s) is smaller. That works while routers' \"fragmentation needed\" messages get through; if %s, a firewall drops them (a PMTU black hole) — lower the MTU ('sudo ip link set %s mtu %d') or let those ICMP messages pass.",
			st.Host, st.PathMTU, st.Interface, st.InterfaceMTU, st.DropHop, st.DropAddr, symptoms, st.Interface, st.PathMTU)
	}
	return fmt.Sprintf("PMTU black hole: %s — %s; lower the MTU of %s ('sudo ip link set %s mtu 1400', or less) or have the router that drops them send or pass \"fragmentation needed\".",
		st.Detail, symptoms, st.Interface, st.Interface)
}
