package check_test

import (
	"encoding/json"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"netdiag/internal/testnet"
)

// newFarLab builds a longer path than newLab's, with the resolver off the
// client's network, two routers out:
//
//	client   c0 10.77.0.2/24, default via 10.77.0.1
//	   │
//	gateway  r0 10.77.0.1/24, r1 10.76.0.1/24             (hop 1)
//	   │
//	middle   m0 10.76.0.2/24, m1 10.78.0.1/24             (hop 2)
//	   │
//	upstream u0 10.78.0.2/24: TCP 443, the DNS responder  (hop 3)
//
// IPv4 only. ICMP errors are not rate-limited, so every probe is answered.
func newFarLab(t *testing.T) *lab {
	t.Helper()
	testnet.RequireTools(t, "ip", "ping")
	l := &lab{client: testnet.Netns(t, "chkfc"), router: testnet.Netns(t, "chkfr"), upstream: testnet.Netns(t, "chkfu")}
	mid := testnet.Netns(t, "chkfm")
	l.middle = mid
	ip := func(ns string, args ...string) { testnet.MustRun(t, "ip", append([]string{"-n", ns}, args...)...) }
	ip(l.client, "link", "add", "c0", "type", "veth", "peer", "name", "r0", "netns", l.router)
	ip(l.router, "link", "add", "r1", "type", "veth", "peer", "name", "m0", "netns", mid)
	ip(mid, "link", "add", "m1", "type", "veth", "peer", "name", "u0", "netns", l.upstream)
	for _, a := range []struct{ ns, dev, addr string }{
		{l.client, "c0", "10.77.0.2/24"}, {l.router, "r0", gw4 + "/24"}, {l.router, "r1", "10.76.0.1/24"},
		{mid, "m0", "10.76.0.2/24"}, {mid, "m1", "10.78.0.1/24"}, {l.upstream, "u0", host4 + "/24"},
	} {
		ip(a.ns, "addr", "add", a.addr, "dev", a.dev)
		ip(a.ns, "link", "set", a.dev, "up")
	}
	for _, ns := range []string{l.router, mid, l.upstream} {
		testnet.MustRun(t, "ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv4.icmp_ratelimit=0")
	}
	ip(l.client, "route", "add", "default", "via", gw4)
	ip(l.router, "route", "add", "default", "via", "10.76.0.2")
	ip(mid, "route", "add", "10.77.0.0/24", "via", "10.76.0.1")
	ip(l.upstream, "route", "add", "default", "via", "10.78.0.1")

	testnet.Serve(t, testnet.ListenInNetns(t, l.upstream, "tcp", ":443"), nil)
	l.dns = testnet.ServeDNS(t, testnet.ListenPacketInNetns(t, l.upstream, "udp", net.JoinHostPort(host4, "53")), labZone)
	l.resolvConf = writeFile(t, "resolv.conf", "nameserver "+host4+"\n")
	testnet.WaitUntil(t, 10*time.Second, "the far lab answering ping", func() (bool, error) {
		argv := testnet.InNetns(l.client, "ping", "-c1", "-W1", host4)
		return testnet.Run(t, 5*time.Second, "", argv[0], argv[1:]...).Code == 0, nil
	})
	return l
}

// farArgs name the far lab's resolver, a name it knows and the upstream
// host.
func (l *lab) farArgs() []string {
	return []string{"--resolv-conf", l.resolvConf, "--dns-name", upName, "--host", host4}
}

func TestFarLabHealthy(t *testing.T) {
	t.Parallel()
	l := newFarLab(t)
	r := l.check(t, l.farArgs()...)
	r.expect(t, nil)
	r.expectSummary(t, 0, "The network is OK: every step passed.")
}

// TestPathCutTwoHopsOut: the router two hops out drops everything it
// forwards. The off-link resolver and the internet host go silent
// together; the path is to blame, not DNS, and the diagnosis names the
// last hop that answers.
func TestPathCutTwoHopsOut(t *testing.T) {
	t.Parallel()
	l := newFarLab(t)
	testnet.Nft(t, l.middle, `table inet f {
		chain forward { type filter hook forward priority 0; drop; }
	}`)
	r := l.check(t, l.farArgs()...)
	r.expect(t, map[string]string{"dns": "fail/timeout", "internet": "fail/no_reply"})
	r.expectSummary(t, 1, "The path beyond the gateway is cut: replies stop after hop 2 (10.76.0.2) on the way to 10.78.0.2, and the resolver 10.78.0.2, also off this network, does not answer either — the router after hop 2 or its link is down; DNS itself is probably fine.")
	if r.summary.Problem != "path_cut" || r.summary.Step != "internet" {
		t.Errorf("diagnosis step %q problem %q, want internet path_cut", r.summary.Step, r.summary.Problem)
	}
	if d := r.steps["internet"].Detail; d != "10.78.0.2 answers neither ping nor TCP port 443; replies stop after hop 2 (10.76.0.2)" {
		t.Errorf("internet detail %q", d)
	}
	var step struct {
		Hosts []struct {
			Trace struct {
				LastHop   int          `json:"last_hop"`
				LastAddrs []netip.Addr `json:"last_addrs"`
				Hops      []struct {
					Hop   int          `json:"hop"`
					Addrs []netip.Addr `json:"addrs"`
				} `json:"hops"`
			} `json:"trace"`
		} `json:"hosts"`
	}
	if err := json.Unmarshal([]byte(r.steps["internet"].raw), &step); err != nil {
		t.Fatal(err)
	}
	tr := step.Hosts[0].Trace
	if tr.LastHop != 2 || len(tr.LastAddrs) != 1 || tr.LastAddrs[0].String() != "10.76.0.2" || len(tr.Hops) != 3 || tr.Hops[0].Addrs[0].String() != gw4 {
		t.Errorf("trace %+v, want hops 1 (%s) and 2 (10.76.0.2) answering, 3 silent", tr, gw4)
	}
	// With the resolver fine, the internet step alone names the hop.
	r = l.check(t, "--resolv-conf", l.resolvConf, "--dns-name", upName, "--host", host4, "--host", "10.78.0.9")
	if !strings.Contains(r.summary.Text, "replies stop after hop 2 (10.76.0.2)") {
		t.Errorf("diagnosis %q does not name hop 2", r.summary.Text)
	}
}

// TestSmallerMTULink: the link past the second router carries 1400 bytes.
// Path MTU discovery works (the router says "fragmentation needed"), so
// the check warns and explains the black-hole symptoms to look for.
func TestSmallerMTULink(t *testing.T) {
	t.Parallel()
	l := newFarLab(t)
	in(t, l.middle, "ip", "link", "set", "m1", "mtu", "1400")
	in(t, l.upstream, "ip", "link", "set", "u0", "mtu", "1400")
	r := l.check(t, l.farArgs()...)
	r.expect(t, map[string]string{"mtu": "warn/mtu_reduced"})
	r.expectSummary(t, 0, "The path MTU to 10.78.0.2 is 1400 bytes, below c0's 1500: the link after hop 2 (10.76.0.2) is smaller. That works while routers' \"fragmentation needed\" messages get through; if large transfers stall while small ones work (pages that half load, TLS or SSH sessions that hang after connecting), a firewall drops them (a PMTU black hole) — lower the MTU ('sudo ip link set c0 mtu 1400') or let those ICMP messages pass.")
	if d := r.steps["mtu"].Detail; d != "1400 bytes to 10.78.0.2, below c0's 1500: it drops after hop 2 (10.76.0.2)" {
		t.Errorf("mtu detail %q", d)
	}
	for _, field := range []string{`"path_mtu":1400`, `"interface_mtu":1500`, `"drop_hop":2`, `"drop_addr":"10.76.0.2"`, `"interface":"c0"`} {
		if !strings.Contains(r.steps["mtu"].raw, field) {
			t.Errorf("mtu step lacks %s: %s", field, r.steps["mtu"].raw)
		}
	}

	// The same link behind a router that drops its "fragmentation needed"
	// messages: a black hole, where large packets vanish without a word.
	testnet.Nft(t, l.middle, `table inet f {
		chain out { type filter hook output priority 0; icmp type destination-unreachable icmp code frag-needed drop; }
	}`)
	in(t, l.client, "ip", "route", "flush", "cache")
	r = l.check(t, l.farArgs()...)
	r.expect(t, map[string]string{"mtu": "fail/pmtu_black_hole"})
	r.expectSummary(t, 1, "PMTU black hole: packets of 1500 bytes to 10.78.0.2 vanish after hop 2 (10.76.0.2) with no \"fragmentation needed\" reply, though small pings arrive — large transfers stall while small ones work (pages that half load, TLS or SSH sessions that hang after connecting); lower the MTU of c0 ('sudo ip link set c0 mtu 1400', or less) or have the router that drops them send or pass \"fragmentation needed\".")
}
