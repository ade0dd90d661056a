package check

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"time"

	"netdiag/diag/ifaces"
	"netdiag/diag/netaddr"
)

// InternetStep is the internet step: do hosts beyond the gateway answer?
type InternetStep struct {
	Verdict
	// Port is the TCP port tried when a host does not answer ping.
	Port uint16 `json:"port"`
	// Hosts are the hosts tried and what each answered.
	Hosts []*HostProbe `json:"hosts"`
}

// HostProbe is one internet host and what it answered.
type HostProbe struct {
	Status  Status  `json:"status"`
	Problem Problem `json:"problem,omitempty"`
	// Host is the host as given: an address or a name.
	Host string `json:"host"`
	// Addr is the address tried; invalid (omitted) when a name did not
	// resolve.
	Addr netip.Addr `json:"addr,omitzero"`
	// Ping is the ping of Addr; nil when it was not pinged.
	Ping *PingResult `json:"ping"`
	// TCP is the connection attempt made when ping did not answer in
	// time; nil when none was needed.
	TCP *ConnectResult `json:"tcp"`
	// Error says why a name did not resolve.
	Error string `json:"error,omitempty"`
	// Trace is the path toward a host that did not answer: where its
	// replies stop. Nil for hosts that answered, or when it could not be
	// traced.
	Trace *PathTrace `json:"trace,omitempty"`

	host netaddr.Host
}

// internetTargets returns the hosts to try: opt.Hosts, or DefaultHosts
// (the IPv6 ones only with an IPv6 default route).
func internetTargets(opt Options, ifs *ifaces.Result) []*HostProbe {
	var hosts []netaddr.Host
	if len(opt.Hosts) > 0 {
		hosts = opt.Hosts
	} else {
		v6 := false
		for _, rt := range ifs.DefaultRoutes {
			v6 = v6 || rt.Family == "ipv6"
		}
		for _, a := range DefaultHosts {
			if a.Is4() || v6 {
				hosts = append(hosts, netaddr.Host{Addr: a})
			}
		}
	}
	probes := make([]*HostProbe, len(hosts))
	for i, h := range hosts {
		probes[i] = &HostProbe{Host: h.String(), Addr: h.Addr, host: h}
	}
	return probes
}

// checkInternet tries every host at once. Names wait for dnsServer, the
// first resolver the DNS step found working (invalid: none); the step ends
// within twice opt.Timeout even then.
func checkInternet(ctx context.Context, opt Options, hosts []*HostProbe, dnsServer func() (netip.AddrPort, bool)) InternetStep {
	ctx, cancel := context.WithTimeout(ctx, 2*opt.Timeout)
	defer cancel()
	var wg sync.WaitGroup
	for _, h := range hosts {
		wg.Go(func() {
			if h.host.NeedsDNS() && !resolveHost(ctx, opt, h, dnsServer) {
				return
			}
			hctx, cancel := context.WithTimeout(ctx, opt.Timeout)
			defer cancel()
			probeHost(hctx, opt, h)
		})
	}
	wg.Wait()
	st := InternetStep{Port: uint16(opt.Port), Hosts: hosts}
	st.Verdict = combine(hosts, func(h *HostProbe) (Status, Problem, string) {
		return h.Status, h.Problem, describeHost(h, uint16(opt.Port))
	})
	for _, h := range hosts {
		if h.Status == OK || h.Status == Warn {
			if h.Ping.answered() {
				st.Time = h.Ping.RTT
			} else {
				st.Time = h.TCP.Time
			}
			break
		}
	}
	return st
}

// resolveHost resolves h's name through the DNS step's working resolver.
// Without one the host is skipped: the DNS step has already failed.
func resolveHost(ctx context.Context, opt Options, h *HostProbe, dnsServer func() (netip.AddrPort, bool)) bool {
	server, ok := dnsServer()
	if !ok {
		h.Status, h.Problem, h.Error = Skipped, Unresolved, "not resolved: no resolver works"
		return false
	}
	rctx, cancel := context.WithTimeout(ctx, opt.Timeout)
	defer cancel()
	addrs, err := netaddr.ResolveHost(rctx, resolverVia(opt, server), h.host, netaddr.AnyFamily)
	if err != nil {
		// A working resolver could not resolve it: the name is wrong.
		h.Status, h.Problem, h.Error = Fail, Unresolved, err.Error()
		var re *netaddr.ResolveError
		if errors.As(err, &re) && re.Err != nil {
			h.Error = re.Err.Error()
		}
		return false
	}
	h.Addr = addrs[0]
	return true
}

// probeHost pings h; if ping has not answered within fallbackDelay (or
// failed sooner) it also connects to opt.Port, and a connection that
// succeeds ends the ping. Along with the connection it traces the path to
// h, and keeps the trace if h turns out not to answer.
func probeHost(ctx context.Context, opt Options, h *HostProbe) {
	pctx, stopPing := context.WithCancel(ctx)
	defer stopPing()
	pinged := make(chan *PingResult, 1)
	go func() { pinged <- pingOnce(pctx, opt, h.Addr) }()
	tctx, stopTrace := context.WithCancel(ctx)
	var traced chan *PathTrace
	startTrace := func() {
		traced = make(chan *PathTrace, 1)
		go func() { traced <- tracePath(tctx, opt, h.Addr) }()
	}
	defer func() {
		if traced == nil {
			return
		}
		if h.Status != Fail {
			stopTrace()
		}
		if tr := <-traced; h.Status == Fail {
			h.Trace = tr
		}
		stopTrace()
	}()
	timer := time.NewTimer(fallbackDelay)
	defer timer.Stop()
	select {
	case h.Ping = <-pinged:
		if !h.Ping.answered() {
			startTrace()
			h.TCP = Connect(ctx, opt.Dial, h.Addr, opt.Port)
		}
	case <-timer.C:
		startTrace()
		h.TCP = Connect(ctx, opt.Dial, h.Addr, opt.Port)
		stopped := h.TCP.reached()
		if stopped {
			stopPing()
		}
		h.Ping = <-pinged
		if stopped && h.Ping.answered() {
			// A slow host: its replies were still coming. Requests cut
			// short are not lost.
			h.Status = OK
			return
		}
	}
	switch p, c := h.Ping, h.TCP; {
	case p.answered() && p.Received < p.Sent:
		h.Status, h.Problem = Warn, Loss
	case p.answered():
		h.Status = OK
	case c.reached():
		h.Status, h.Problem = OK, ICMPFiltered
		if p.NotPermitted {
			h.Problem = ICMPNotPermitted
		}
	case p.unreachable || c.Outcome == "unreachable":
		h.Status, h.Problem = Fail, Unreachable
	case c.Outcome == "timeout":
		h.Status, h.Problem = Fail, NoReply
	default:
		h.Status, h.Problem = Fail, SystemError
	}
}

// describeHost says in words what a host answered.
func describeHost(h *HostProbe, port uint16) string {
	name := h.Host
	if h.host.NeedsDNS() && h.Addr.IsValid() {
		name += " (" + h.Addr.String() + ")"
	}
	switch h.Problem {
	case "":
		return name + " answers ping"
	case Loss:
		return fmt.Sprintf("%s answers ping, but %s", name, lossText(h.Ping))
	case ICMPFiltered, ICMPNotPermitted:
		pinged := "ignores ping (ICMP filtered)"
		if h.Problem == ICMPNotPermitted {
			pinged = "not pinged (ICMP not permitted here)"
		}
		how := "connects"
		if h.TCP.Outcome == "refused" {
			how = "answers (refused)"
		}
		return fmt.Sprintf("%s %s, but TCP port %d %s", name, pinged, port, how)
	case Unreachable:
		why := h.Ping.Error
		if !h.Ping.unreachable {
			why = h.TCP.Error
		}
		return fmt.Sprintf("%s unreachable: %s", name, why)
	case NoReply:
		s := fmt.Sprintf("%s answers neither ping nor TCP port %d", name, port)
		if h.Trace.beyondGateway() {
			s += "; " + h.Trace.Text
		}
		return s
	case Unresolved:
		if h.Status == Fail {
			return fmt.Sprintf("%s does not resolve: %s", name, h.Error)
		}
		return fmt.Sprintf("%s: %s", name, h.Error)
	}
	return fmt.Sprintf("%s: %s", name, firstNonEmpty(h.TCP.Error, h.Ping.Error))
}

// firstNonEmpty returns the first of its arguments that is not empty.
func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
