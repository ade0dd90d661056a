package check

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"time"

	"netdiag/diag/ifaces"
	"netdiag/diag/render"
)

// GatewayStep is the LAN step: is there a default gateway, and does it
// answer?
type GatewayStep struct {
	Verdict
	// Gateways are the gateways checked: the preferred default route's of
	// each family, or the one given with --gateway.
	Gateways []*GatewayProbe `json:"gateways"`
}

// GatewayProbe is one gateway and what it answered.
type GatewayProbe struct {
	Status  Status  `json:"status"`
	Problem Problem `json:"problem,omitempty"`
	// Addr is the gateway; invalid (omitted) for a route straight out of
	// an interface ("default dev ppp0").
	Addr netip.Addr `json:"addr,omitzero"`
	// Interface is the interface the default route leaves through; empty
	// for a gateway given with --gateway.
	Interface string `json:"interface,omitempty"`
	// Given is set for a gateway given with --gateway.
	Given bool `json:"given"`
	// Ping is the ping of the gateway; nil when it was not pinged.
	Ping *PingResult `json:"ping"`
	// Neighbour is the gateway's ARP/NDP entry, read when it did not
	// answer ping.
	Neighbour *NeighbourState `json:"neighbour,omitempty"`
	// PassesTraffic is set for a gateway that did not answer ping while
	// internet hosts of its family answered through it.
	PassesTraffic bool `json:"passes_traffic"`

	index int // the route's interface index; 0 for --gateway
}

// NeighbourState is a gateway's entry in the ARP/NDP table.
type NeighbourState struct {
	// State is the kernel's state ("REACHABLE", "STALE", "INCOMPLETE",
	// "FAILED"…); "NONE" when there is no entry.
	State        string `json:"state"`
	HardwareAddr string `json:"hardware_address,omitempty"`
	// ConfirmedAgo is how long ago it last answered ARP/NDP.
	ConfirmedAgo render.Millis `json:"confirmed_ago_ms"`
	// Alive is set when it answered ARP/NDP during this check.
	Alive bool `json:"alive"`
	// Silent is set when ARP/NDP requests went unanswered.
	Silent bool `json:"silent"`
}

// gatewayTargets picks the gateways to ping: opt.Gateway, or the preferred
// default route of each family. It returns a finished verdict instead when
// there is nothing to ping.
func gatewayTargets(opt Options, ifs *ifaces.Result) ([]*GatewayProbe, *Verdict) {
	if opt.Gateway.IsValid() {
		return []*GatewayProbe{{Addr: opt.Gateway, Given: true}}, nil
	}
	if ifs.DefaultRoutes == nil {
		return nil, &Verdict{Status: Skipped, Problem: RoutesUnavailable,
			Detail: "this system does not let netdiag read routes; name the gateway with --gateway"}
	}
	if len(ifs.DefaultRoutes) == 0 {
		return nil, &Verdict{Status: Fail, Problem: NoDefaultRoute, Detail: "no default route"}
	}
	var probes []*GatewayProbe
	seen := map[string]bool{}
	for _, rt := range ifs.DefaultRoutes {
		if seen[rt.Family] {
			continue
		}
		seen[rt.Family] = true
		p := &GatewayProbe{Addr: rt.Gateway, Interface: rt.Interface, index: rt.Index}
		if p.Addr.Is6() && p.Addr.IsLinkLocalUnicast() && p.Addr.Zone() == "" {
			p.Addr = p.Addr.WithZone(rt.Interface)
		}
		switch {
		case rt.LinkDown:
			p.Status, p.Problem = Fail, LinkDown
		case !rt.Gateway.IsValid():
			p.Status = Skipped
		}
		probes = append(probes, p)
	}
	return probes, nil
}

// checkGateway pings the gateways at once; one that stays silent is looked
// up in the neighbour table to tell "filters ICMP" from "down".
func checkGateway(ctx context.Context, opt Options, ifs *ifaces.Result) GatewayStep {
	probes, done := gatewayTargets(opt, ifs)
	if done != nil {
		return GatewayStep{Verdict: *done, Gateways: []*GatewayProbe{}}
	}
	pctx, cancel := context.WithTimeout(ctx, opt.Timeout)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for _, p := range probes {
		if p.Status == "" {
			wg.Go(func() {
				p.Ping = pingOnce(pctx, opt, p.Addr)
				if p.Ping.NotPermitted {
					p.Neighbour = resolveNeighbour(ctx, pctx, opt, p, start)
				}
			})
		}
	}
	wg.Wait()

	var table ifaces.NeighbourTable
	for _, p := range probes {
		if p.Status != "" || p.Ping.answered() || p.Neighbour != nil {
			continue
		}
		if table == nil {
			// The pings used up their time; reading the table is local
			// and quick.
			nctx, cancel := context.WithTimeout(ctx, neighbourTimeout)
			var err error
			table, err = opt.Neighbours(nctx)
			cancel()
			if err != nil {
				table = ifaces.NeighbourTable{}
			}
		}
		p.Neighbour = neighbourState(table, p, time.Since(start))
	}
	for _, p := range probes {
		judgeGateway(p)
	}
	st := GatewayStep{Gateways: probes}
	st.judge()
	return st
}

// judge sets the step's verdict from its gateways'.
func (st *GatewayStep) judge() {
	st.Verdict = combine(st.Gateways, func(p *GatewayProbe) (Status, Problem, string) {
		return p.Status, p.Problem, describeGateway(p)
	})
	if first := st.Gateways[0]; first.Ping.answered() {
		st.Time = first.Ping.RTT
	}
}

// passesTraffic marks the gateways that did not answer ping or ARP although
// internet hosts of their family answered through them: they are alive and
// filter ICMP. A gateway given with --gateway may not be the one traffic
// takes, so it keeps its verdict.
func (st *GatewayStep) passesTraffic(internet *InternetStep) {
	changed := false
	for _, p := range st.Gateways {
		if p.Given || p.Status != Fail || (p.Problem != NoReply && p.Problem != NoARP) {
			continue
		}
		for _, h := range internet.Hosts {
			if (h.Status == OK || h.Status == Warn) && h.Addr.Is4() == p.Addr.Is4() {
				p.Status, p.Problem, p.PassesTraffic = Warn, ICMPFiltered, true
				changed = true
				break
			}
		}
	}
	if changed {
		st.judge()
	}
}

// neighbourTimeout bounds reading the neighbour table.
const neighbourTimeout = 500 * time.Millisecond

// tickSlack covers the kernel's 10 ms resolution of neighbour times.
const tickSlack = 20 * time.Millisecond

// neighbourState reads p's entry from the neighbour table, since after the
// pings started. The gateway is alive if it answered ARP/NDP since then:
// an answer from before the check proves nothing about now. It is silent
// if the kernel's requests went unanswered.
func neighbourState(table ifaces.NeighbourTable, p *GatewayProbe, since time.Duration) *NeighbourState {
	n, ok := table.Neighbour(p.Addr, p.index)
	if !ok {
		return &NeighbourState{State: "NONE"}
	}
	ns := &NeighbourState{State: n.State, HardwareAddr: n.HardwareAddr, ConfirmedAgo: render.Millis(n.Confirmed)}
	ns.Silent = strings.Contains(n.State, "INCOMPLETE") || strings.Contains(n.State, "FAILED")
	ns.Alive = n.Resolved() && !strings.Contains(n.State, "PERMANENT") &&
		n.Confirmed >= 0 && n.Confirmed <= since+tickSlack
	return ns
}

// neighbourPoll is how often resolveNeighbour reads the neighbour table.
const neighbourPoll = 50 * time.Millisecond

// resolveNeighbour checks a gateway without ICMP: a UDP datagram to its
// discard port (9), which needs no privilege, makes the kernel resolve its
// link-layer address if it has none; the neighbour table is then read until
// the gateway answered ARP/NDP, the kernel gave up, or pctx ends. An entry
// that is already resolved is not asked again, and says nothing new.
func resolveNeighbour(ctx, pctx context.Context, opt Options, p *GatewayProbe, start time.Time) *NeighbourState {
	if c, err := opt.Dial(pctx, "udp", netip.AddrPortFrom(p.Addr, 9).String()); err == nil {
		c.Write([]byte{0})
		c.Close()
	}
	tick := time.NewTicker(neighbourPoll)
	defer tick.Stop()
	for {
		nctx, cancel := context.WithTimeout(ctx, neighbourTimeout)
		table, err := opt.Neighbours(nctx)
		cancel()
		if err != nil {
			return &NeighbourState{State: "NONE"}
		}
		ns := neighbourState(table, p, time.Since(start))
		if ns.Alive || (ns.State != "NONE" && ns.State != "INCOMPLETE") {
			return ns
		}
		select {
		case <-pctx.Done():
			return ns
		case <-tick.C:
		}
	}
}

// judgeGateway sets the status of a gateway that was pinged.
func judgeGateway(p *GatewayProbe) {
	if p.Status != "" {
		return
	}
	pg, nb := p.Ping, p.Neighbour
	switch {
	case pg.answered() && pg.Received < pg.Sent:
		p.Status, p.Problem = Warn, Loss
	case pg.answered():
		p.Status = OK
	case pg.NotPermitted && nb.Alive:
		p.Status = OK
	case pg.NotPermitted && nb.Silent:
		p.Status, p.Problem = Fail, NoARP
	case pg.NotPermitted:
		p.Status, p.Problem = Skipped, ICMPNotPermitted
	case nb.Alive:
		p.Status, p.Problem = Warn, ICMPFiltered
	case nb.Silent:
		p.Status, p.Problem = Fail, NoARP
	case pg.unreachable:
		p.Status, p.Problem = Fail, Unreachable
	default:
		p.Status, p.Problem = Fail, NoReply
	}
}

// describeGateway says in words what a gateway did.
func describeGateway(p *GatewayProbe) string {
	where := ""
	if p.Interface != "" {
		where = " on " + p.Interface
	}
	name := p.Addr.String() + where
	switch p.Problem {
	case LinkDown:
		return fmt.Sprintf("%s: %s has no link (no carrier)", name, p.Interface)
	case Loss:
		return fmt.Sprintf("%s answers ping, but %s", name, lossText(p.Ping))
	case ICMPNotPermitted:
		return fmt.Sprintf("%s not pinged: ICMP not permitted here", name)
	case ICMPFiltered:
		if p.PassesTraffic {
			return fmt.Sprintf("%s does not answer ping, but passes traffic: it filters ICMP", name)
		}
		return fmt.Sprintf("%s does not answer ping, but answers %s (%s): it filters ICMP", name, arpWord(p.Addr), p.Neighbour.HardwareAddr)
	case NoARP:
		if p.Ping.NotPermitted {
			return fmt.Sprintf("%s does not answer %s (ICMP not permitted here)", name, arpWord(p.Addr))
		}
		return fmt.Sprintf("%s answers neither ping nor %s", name, arpWord(p.Addr))
	case Unreachable:
		return fmt.Sprintf("%s unreachable: %s", name, p.Ping.Error)
	case NoReply:
		return fmt.Sprintf("%s does not answer ping (%s entry: %s)", name, arpWord(p.Addr), strings.ToLower(p.Neighbour.State))
	}
	switch {
	case !p.Addr.IsValid():
		return fmt.Sprintf("default route straight out of %s: no gateway to ping", p.Interface)
	case p.Ping.NotPermitted:
		return fmt.Sprintf("%s answers %s (%s); ICMP not permitted here", name, arpWord(p.Addr), p.Neighbour.HardwareAddr)
	}
	return name + " answers ping"
}

// arpWord names the neighbour protocol of a's family.
func arpWord(a netip.Addr) string {
	if a.Is4() {
		return "ARP"
	}
	return "NDP"
}
