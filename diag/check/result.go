package check

import (
	"net/netip"
	"strings"
	"time"

	"netdiag/diag/render"
)

// Status is a step's verdict.
type Status string

// The statuses, from best to worst. Skipped means the step did not apply
// (a default route with no gateway to ping) or could not run; Warn means
// it works, with a problem worth knowing.
const (
	OK      Status = "ok"
	Skipped Status = "skipped"
	Warn    Status = "warn"
	Fail    Status = "fail"
)

// rank orders statuses from best to worst.
func (s Status) rank() int {
	switch s {
	case OK:
		return 0
	case Skipped:
		return 1
	case Warn:
		return 2
	}
	return 3
}

// The steps, in the order they are checked and printed.
const (
	StepLocal      = "local"
	StepInterfaces = "interfaces"
	StepGateway    = "gateway"
	StepDNS        = "dns"
	StepInternet   = "internet"
	StepPathMTU    = "mtu"
)

// Problem names what a step found wrong, for scripts and for the diagnosis;
// empty when nothing is. See the README for the list.
type Problem string

// The problems steps report.
const (
	LoopbackDown      Problem = "loopback_down"      // local: lo is down or has no 127.0.0.1
	NoCarrier         Problem = "no_carrier"         // interfaces: up but no link
	NoInterface       Problem = "no_interface"       // interfaces: none up
	NoAddress         Problem = "no_address"         // interfaces: up, but no usable address
	NoDefaultRoute    Problem = "no_default_route"   // gateway
	LinkDown          Problem = "link_down"          // gateway: the route's interface has no carrier
	NoARP             Problem = "no_arp"             // gateway: neither ping nor ARP/NDP answers
	ICMPFiltered      Problem = "icmp_filtered"      // gateway, internet: alive, but no ping replies
	ICMPNotPermitted  Problem = "icmp_not_permitted" // no permission to open ICMP sockets
	NoReply           Problem = "no_reply"           // no answer at all
	Loss              Problem = "loss"               // some echo requests lost
	Unreachable       Problem = "unreachable"        // an ICMP or local "unreachable" error
	NoResolver        Problem = "no_resolver"        // dns: no nameserver configured
	DNSTimeout        Problem = "timeout"            // dns: the resolver does not answer
	DNSPortClosed     Problem = "port_closed"        // dns: nothing listens on port 53
	DNSServFail       Problem = "servfail"           // dns: the resolver fails (SERVFAIL)
	DNSRefused        Problem = "refused"            // dns: the resolver refuses to answer (REFUSED)
	DNSNXDomain       Problem = "nxdomain"           // dns: the name does not exist
	DNSNoData         Problem = "nodata"             // dns: the name has no address records
	DNSBadAnswer      Problem = "bad_answer"         // dns: an answer that does not parse, another error code
	Unresolved        Problem = "unresolved"         // internet: a host name did not resolve
	SystemError       Problem = "error"              // a local failure (socket, netlink)
	RoutesUnavailable Problem = "routes_unavailable" // gateway: this OS does not let netdiag read routes
	PathCut           Problem = "path_cut"           // diagnosis: the path beyond the gateway stops at a router
	MTUReduced        Problem = "mtu_reduced"        // mtu: the path carries less than the interface
	PMTUBlackHole     Problem = "pmtu_black_hole"    // mtu: large packets vanish without "fragmentation needed"
)

// Verdict is what every step reports.
type Verdict struct {
	// Status is the step's outcome.
	Status Status `json:"status"`
	// Time is the figure the step measured: a round trip, a resolve time;
	// zero when there is none.
	Time render.Millis `json:"time_ms"`
	// Detail says in one line what was found.
	Detail string `json:"detail"`
	// Problem names what is wrong, when Status is not OK.
	Problem Problem `json:"problem,omitempty"`
}

// Result is what Run found, step by step, and the diagnosis.
type Result struct {
	Local      LocalStep      `json:"local"`
	Interfaces InterfacesStep `json:"interfaces"`
	Gateway    GatewayStep    `json:"gateway"`
	DNS        DNSStep        `json:"dns"`
	Internet   InternetStep   `json:"internet"`
	PathMTU    PathMTUStep    `json:"mtu"`
	// Diagnosis names the first broken layer and the likely fix.
	Diagnosis Diagnosis `json:"diagnosis"`
	// Elapsed is how long the whole check took.
	Elapsed time.Duration `json:"-"`
	// Interrupted is set when the context ended before every step did.
	Interrupted bool `json:"interrupted"`
}

// Steps returns each step's name and verdict, in order.
func (r *Result) Steps() []StepVerdict {
	return []StepVerdict{
		{StepLocal, &r.Local.Verdict, &r.Local},
		{StepInterfaces, &r.Interfaces.Verdict, &r.Interfaces},
		{StepGateway, &r.Gateway.Verdict, &r.Gateway},
		{StepDNS, &r.DNS.Verdict, &r.DNS},
		{StepInternet, &r.Internet.Verdict, &r.Internet},
		{StepPathMTU, &r.PathMTU.Verdict, &r.PathMTU},
	}
}

// StepVerdict is one step of a Result: its name, its verdict and the whole
// step value (*LocalStep, *InterfacesStep…).
type StepVerdict struct {
	Name    string
	Verdict *Verdict
	Step    any
}

// Diagnosis is the check's conclusion.
type Diagnosis struct {
	// Status is the worst step status.
	Status Status `json:"status"`
	// Step and Problem name the first broken layer (the first failed step,
	// else the first one with a warning); empty when all is well.
	Step    string  `json:"step,omitempty"`
	Problem Problem `json:"problem,omitempty"`
	// Text is one sentence naming the broken layer and the likely fix.
	Text string `json:"text"`
}

// PingResult is one ping's outcome.
type PingResult struct {
	Addr     netip.Addr `json:"addr"`
	Sent     int        `json:"sent"`
	Received int        `json:"received"`
	// RTT is the mean round trip of the replies.
	RTT render.Millis `json:"rtt_ms"`
	// Error is why the ping failed, if it did: an ICMP error that came
	// back ("network unreachable from 10.0.0.1") or a local one.
	Error string `json:"error,omitempty"`
	// NotPermitted is set when ICMP sockets are not allowed here.
	NotPermitted bool `json:"not_permitted,omitempty"`
	// unreachable records that an "unreachable" error came back.
	unreachable bool
}

// answered reports whether any reply came back.
func (p *PingResult) answered() bool { return p != nil && p.Received > 0 }

// ConnectResult is one TCP connection attempt.
type ConnectResult struct {
	Port uint16 `json:"port"`
	// Outcome is "connected", "refused" (the host answered with a reset:
	// it is reachable), "timeout", "unreachable" or "error".
	Outcome string        `json:"outcome"`
	Time    render.Millis `json:"time_ms"`
	Error   string        `json:"error,omitempty"`
}

// reached reports whether the host answered the connection attempt.
func (c *ConnectResult) reached() bool {
	return c != nil && (c.Outcome == "connected" || c.Outcome == "refused")
}

// combine makes a step's verdict from its targets' (gateways, resolvers,
// hosts): OK when every target is OK or skipped; a failure when none works
// — with the first failing target's problem —; a warning when some work and
// some do not, or one warns. The detail lists every target's in order.
func combine[T any](items []T, judge func(T) (Status, Problem, string)) Verdict {
	var v Verdict
	var texts []string
	working, worst := 0, OK
	var firstBad, firstWarn Problem
	for _, it := range items {
		s, p, text := judge(it)
		texts = append(texts, text)
		if s == OK || s == Warn {
			working++
		}
		if s.rank() > worst.rank() {
			worst = s
		}
		if s == Fail && firstBad == "" {
			firstBad = p
		}
		if s == Warn && firstWarn == "" {
			firstWarn = p
		}
		if s == Skipped && v.Problem == "" {
			v.Problem = p
		}
	}
	v.Detail = strings.Join(texts, "; ")
	switch {
	case len(items) == 0 || working == 0 && worst == Skipped:
		v.Status = Skipped
	case worst == OK || worst == Skipped:
		v.Status, v.Problem = OK, ""
	case worst == Fail && working == 0:
		v.Status, v.Problem = Fail, firstBad
	case firstBad != "":
		v.Status, v.Problem = Warn, firstBad
	default:
		v.Status, v.Problem = Warn, firstWarn
	}
	return v
}
