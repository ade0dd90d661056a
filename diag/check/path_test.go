package check

import (
	"net/netip"
	"testing"
)

// TestPathCut checks when the diagnosis blames the path instead of DNS:
// only when the resolvers that fail are off-link and silent, the gateway
// answers and an internet host's trace stops past it.
func TestPathCut(t *testing.T) {
	a := netip.MustParseAddr
	cut := func() *Result {
		r := &Result{}
		r.Interfaces.Interfaces = []InterfaceState{{Name: "eth0", Addresses: []netip.Prefix{netip.MustParsePrefix("192.168.1.10/24")}}}
		r.Gateway.Status = OK
		r.DNS.Status = Fail
		r.DNS.Resolvers = []*ResolverResult{{Status: Fail, Problem: DNSTimeout, Server: netip.AddrPortFrom(a("10.9.0.53"), 53)}}
		r.Internet.Status = Fail
		r.Internet.Hosts = []*HostProbe{{Status: Fail, Problem: NoReply, Addr: a("10.9.0.1"), Trace: &PathTrace{
			LastHop: 2, LastAddrs: []netip.Addr{a("10.1.0.1")}, Text: "replies stop after hop 2 (10.1.0.1)",
			Hops: []TraceHop{{Hop: 1}, {Hop: 2}, {Hop: 3}}}}}
		return r
	}
	if d, ok := pathCut(cut()); !ok || d.Problem != PathCut || d.Step != StepInternet {
		t.Fatalf("a cut path is not diagnosed: %+v", d)
	}
	for name, change := range map[string]func(r *Result){
		"the resolver is on the link":       func(r *Result) { r.DNS.Resolvers[0].Server = netip.AddrPortFrom(a("192.168.1.1"), 53) },
		"the resolver is local":             func(r *Result) { r.DNS.Resolvers[0].Server = netip.AddrPortFrom(a("127.0.0.53"), 53) },
		"the resolver answers SERVFAIL":     func(r *Result) { r.DNS.Resolvers[0].Problem = DNSServFail },
		"DNS works":                         func(r *Result) { r.DNS.Status, r.DNS.Resolvers[0].Status = OK, OK },
		"the gateway is down":               func(r *Result) { r.Gateway.Status = Fail },
		"the replies stop at the gateway":   func(r *Result) { r.Internet.Hosts[0].Trace.LastHop = 1 },
		"the path ends in an unreachable":   func(r *Result) { r.Internet.Hosts[0].Trace.Hops[2].Mark = "!N" },
		"the host was reached by the trace": func(r *Result) { r.Internet.Hosts[0].Trace.Reached = true },
		"no trace":                          func(r *Result) { r.Internet.Hosts[0].Trace = nil },
	} {
		r := cut()
		change(r)
		if d, ok := pathCut(r); ok {
			t.Errorf("%s: diagnosed as a cut path: %s", name, d.Text)
		}
	}
}
