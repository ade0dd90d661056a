package check_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"netdiag/internal/testnet"
)

// The scenario tests run netdiag check in the lab's client namespace, with
// one thing broken at a time, and check every step's verdict, the
// diagnosis sentence, the exit code and that the check took under 5 s.

func TestHealthy(t *testing.T) {
	t.Parallel()
	l := newLab(t, true)
	// With a one-minute timeout, a healthy check that waited for any
	// timeout would pass l.check's 15 s limit and fail.
	r := l.check(t, append(l.labArgs(), "--timeout", "1m")...)
	r.expect(t, nil)
	r.expectSummary(t, 0, "The network is OK: every step passed.")
	for step, detail := range map[string]string{
		"local":      "127.0.0.1 and ::1 answer ping",
		"interfaces": "c0 10.77.0.2/24 fd77::2/64",
		"gateway":    "10.77.0.1 on c0 answers ping; fd77::1 on c0 answers ping",
		"dns":        "check.test → 10.78.0.2, fd78::2 by 10.77.0.1",
		"internet":   "10.78.0.2 answers ping; fd78::2 answers ping",
		"mtu":        "1500 bytes to 10.78.0.2, as c0's MTU",
	} {
		if got := r.steps[step].Detail; got != detail {
			t.Errorf("%s detail %q, want %q", step, got, detail)
		}
	}
	for _, step := range []string{"local", "gateway", "dns", "internet", "mtu"} {
		if ms := r.steps[step].TimeMS; ms <= 0 || ms > r.summary.ElapsedMS {
			t.Errorf("%s time %v ms, want a measured figure within the check's %v ms", step, ms, r.summary.ElapsedMS)
		}
	}
}

func TestNoDefaultRoute(t *testing.T) {
	t.Parallel()
	l := newLab(t, true)
	in(t, l.client, "ip", "route", "del", "default")
	in(t, l.client, "ip", "-6", "route", "del", "default")
	r := l.check(t, l.labArgs()...)
	r.expect(t, map[string]string{"gateway": "fail/no_default_route", "internet": "fail/unreachable"})
	r.expectSummary(t, 1, "No default route: the interface has no gateway — is DHCP running?")
}

func TestGatewayDown(t *testing.T) {
	t.Parallel()
	l := newLab(t, false)
	// The router no longer has the gateway's addresses: nothing answers
	// ARP or NDP for them.
	in(t, l.router, "ip", "addr", "del", gw4+"/24", "dev", "r0")
	in(t, l.router, "ip", "addr", "del", gw6+"/64", "dev", "r0")
	// Forget the answers of before the break, as time would.
	in(t, l.client, "ip", "neigh", "flush", "dev", "c0")
	r := l.check(t, l.labArgs()...)
	r.expect(t, map[string]string{"gateway": "fail/no_arp", "dns": "fail/timeout", "internet": "fail/no_reply"})
	r.expectSummary(t, 1, "The gateway 10.77.0.1 is down: it answers neither ping nor ARP on c0 — check that the router is on and connected.")
	if !strings.Contains(r.steps["gateway"].Detail, "fd77::1 on c0 answers neither ping nor NDP") {
		t.Errorf("gateway detail %q does not name the silent IPv6 gateway", r.steps["gateway"].Detail)
	}
}

func TestDNSNotAnswering(t *testing.T) {
	t.Parallel()
	l := newLab(t, true)
	testnet.Nft(t, l.router, `table inet f {
		chain in { type filter hook input priority 0; udp dport 53 drop; }
	}`)
	r := l.check(t, l.labArgs()...)
	r.expect(t, map[string]string{"dns": "fail/timeout"})
	r.expectSummary(t, 1, "DNS is broken: the resolver 10.77.0.1 does not answer — the internet answers by address, so only DNS is broken: fix the nameserver lines in "+l.resolvConf+" or restart the DNS server.")
	if n := l.dns.Count(); n != 0 {
		t.Errorf("the responder saw %d queries through a drop rule", n)
	}
}

func TestDNSPortClosed(t *testing.T) {
	t.Parallel()
	l := newLab(t, false)
	r := l.check(t, l.labArgs()...)
	r.expect(t, map[string]string{"dns": "fail/port_closed"})
	r.expectSummary(t, 1, "DNS is broken: nothing listens on port 53 of 10.77.0.1 — the internet answers by address, so only DNS is broken: fix the nameserver lines in "+l.resolvConf+" or restart the DNS server.")
}

func TestUpstreamUnreachable(t *testing.T) {
	t.Parallel()
	l := newLab(t, true)
	// The router loses its uplink: no route to the upstream network, so it
	// answers "network unreachable".
	in(t, l.router, "ip", "addr", "flush", "dev", "r1")
	r := l.check(t, l.labArgs()...)
	r.expect(t, map[string]string{"internet": "fail/unreachable"})
	r.expectSummary(t, 1, "The internet is unreachable: the gateway answers, but no host beyond it does (10.78.0.2: Destination Net Unreachable from 10.77.0.1) — the router has no route out; check its uplink or call your provider.")
}

func TestUpstreamSilent(t *testing.T) {
	t.Parallel()
	l := newLab(t, true)
	silenceUpstream(t, l)
	r := l.check(t, l.labArgs()...)
	r.expect(t, map[string]string{"internet": "fail/no_reply"})
	r.expectSummary(t, 1, "The internet is unreachable: the gateway answers, but no host beyond it does, by ping or TCP — the router's uplink or the provider is down.")
}

func TestIPv6Broken(t *testing.T) {
	t.Parallel()
	l := newLab(t, true)
	// The router forwards IPv4 only.
	testnet.Nft(t, l.router, `table inet f {
		chain forward6 { type filter hook forward priority 0; meta nfproto ipv6 drop; }
	}`)
	r := l.check(t, l.labArgs()...)
	r.expect(t, map[string]string{"internet": "warn/no_reply"})
	r.expectSummary(t, 0, "IPv6 beyond the gateway is broken: fd78::2 answers neither ping nor TCP port 443, while IPv4 hosts answer — the router or the provider has no working IPv6 route.")
}

func TestICMPFilteredTCPOpen(t *testing.T) {
	t.Parallel()
	l := newLab(t, true)
	testnet.Nft(t, l.upstream, `table inet f {
		chain in { type filter hook input priority 0; icmp type echo-request drop; icmpv6 type echo-request drop; }
	}`)
	r := l.check(t, l.labArgs()...)
	// The path MTU is probed with ICMP toward a host that answers ping.
	r.expect(t, map[string]string{"mtu": "skipped"})
	r.expectSummary(t, 0, "The network is OK: every step that could run passed (not checked: mtu).")
	want := "10.78.0.2 ignores ping (ICMP filtered), but TCP port 443 connects; fd78::2 ignores ping (ICMP filtered), but TCP port 443 connects"
	if d := r.steps["internet"].Detail; d != want {
		t.Errorf("internet detail %q, want %q", d, want)
	}
	if !strings.Contains(r.steps["internet"].raw, `"problem":"icmp_filtered"`) {
		t.Errorf("hosts not marked icmp_filtered: %s", r.steps["internet"].raw)
	}
}

// filterGatewayPing makes the router drop pings to itself; forwarded
// traffic passes.
func filterGatewayPing(t *testing.T, l *lab) {
	testnet.Nft(t, l.router, `table inet f {
		chain in { type filter hook input priority 0; icmp type echo-request drop; icmpv6 type echo-request drop; }
	}`)
}

func TestGatewayFiltersICMP(t *testing.T) {
	t.Parallel()
	l := newLab(t, true)
	filterGatewayPing(t, l)
	// No cached answer: the check's pings make the kernel ask ARP and NDP
	// afresh, and the router answers those.
	in(t, l.client, "ip", "neigh", "flush", "dev", "c0")
	r := l.check(t, l.labArgs()...)
	r.expect(t, map[string]string{"gateway": "warn/icmp_filtered"})
	r.expectSummary(t, 0, "The network works; the gateway 10.77.0.1 does not answer ping, but it is alive (it answers ARP): it filters ICMP.")
	if !strings.Contains(r.steps["gateway"].Detail, "fd77::1 on c0 does not answer ping, but answers NDP (") {
		t.Errorf("gateway detail %q: the IPv6 gateway should be alive by NDP", r.steps["gateway"].Detail)
	}
}

func TestGatewayFiltersICMPPassesTraffic(t *testing.T) {
	t.Parallel()
	l := newLab(t, true)
	filterGatewayPing(t, l)
	// The gateways' ARP and NDP entries are static, so the kernel never
	// asks again and they prove nothing; the internet hosts answering
	// through the gateway do. (Entries merely left from the lab's set-up
	// would be asked again once stale, which a slow set-up on a loaded
	// machine makes them, and answered.)
	mac := regexp.MustCompile(`link/ether (\S+)`).FindStringSubmatch(testnet.MustRun(t, "ip", "-n", l.router, "link", "show", "r0"))
	if mac == nil {
		t.Fatal("no MAC address on the router's r0")
	}
	for _, gw := range []string{gw4, gw6} {
		in(t, l.client, "ip", "neigh", "replace", gw, "lladdr", mac[1], "dev", "c0", "nud", "permanent")
	}
	r := l.check(t, l.labArgs()...)
	r.expect(t, map[string]string{"gateway": "warn/icmp_filtered"})
	r.expectSummary(t, 0, "The network works; the gateway 10.77.0.1 does not answer ping, but it is alive (traffic passes through it): it filters ICMP.")
}

func TestLinkDown(t *testing.T) {
	t.Parallel()
	l := newLab(t, true)
	in(t, l.router, "ip", "link", "set", "r0", "down") // the client's c0 loses its carrier
	testnet.WaitUntil(t, 5*time.Second, "c0 losing its carrier", func() (bool, error) {
		return strings.Contains(testnet.MustRun(t, "ip", "-n", l.client, "route", "show", "default"), "linkdown"), nil
	})
	r := l.check(t, l.labArgs()...)
	// The kernel still sends through a link-down route; nothing arrives.
	r.expect(t, map[string]string{"interfaces": "fail/no_carrier", "gateway": "fail/link_down", "dns": "fail/timeout", "internet": "fail/no_reply"})
	r.expectSummary(t, 1, "c0 has no link — plug in the cable or connect to the Wi-Fi.")
}

func TestLoopbackDown(t *testing.T) {
	t.Parallel()
	l := newLab(t, true)
	in(t, l.client, "ip", "link", "set", "lo", "down")
	r := l.check(t, l.labArgs()...)
	r.expect(t, map[string]string{"local": "fail/loopback_down"})
	r.expectSummary(t, 1, "The local network stack is broken: lo is down — bring it up with 'sudo ip link set lo up'.")
}

func TestLoopbackFiltered(t *testing.T) {
	t.Parallel()
	l := newLab(t, true)
	testnet.Nft(t, l.client, `table inet lo6 {
		chain in { type filter hook input priority 0; iifname lo icmpv6 type echo-request drop; }
	}`)
	r := l.check(t, l.labArgs()...)
	r.expect(t, map[string]string{"local": "warn/no_reply"})
	r.expectSummary(t, 0, "IPv6 on loopback is broken: ::1 does not answer ping — a firewall rule probably drops it (see 'sudo nft list ruleset').")

	testnet.Nft(t, l.client, `table inet lo4 {
		chain in { type filter hook input priority 0; iifname lo icmp type echo-request drop; }
	}`)
	r = l.check(t, l.labArgs()...)
	r.expect(t, map[string]string{"local": "fail/no_reply"})
	r.expectSummary(t, 1, "The local network stack is broken: 127.0.0.1 does not answer — a firewall rule probably drops loopback traffic (see 'sudo nft list ruleset').")
}

func TestGatewayLoss(t *testing.T) {
	t.Parallel()
	l := newLab(t, true)
	// Every third echo request to the router is lost.
	testnet.Nft(t, l.router, `table inet f {
		chain in { type filter hook input priority 0; icmp type echo-request numgen inc mod 3 0 drop; }
	}`)
	r := l.check(t, l.labArgs()...)
	r.expect(t, map[string]string{"gateway": "warn/loss"})
	r.expectSummary(t, 0, "The link to the gateway 10.77.0.1 loses packets (1 of 3 echo requests lost) — check the cable or the Wi-Fi signal.")
}

// TestNotPermitted runs the check as nobody where unprivileged ICMP
// sockets are not allowed (net.ipv4.ping_group_range "1 0"): the local
// stack is checked over TCP, the gateway by ARP/NDP, the internet hosts by
// TCP.
func TestNotPermitted(t *testing.T) {
	t.Parallel()
	testnet.RequireTools(t, "setpriv")
	l := newLab(t, true)
	in(t, l.client, "sysctl", "-qw", "net.ipv4.ping_group_range=1 0")
	in(t, l.client, "ip", "neigh", "flush", "dev", "c0")
	pub := testnet.PublicDir(t)
	rc := filepath.Join(pub, "resolv.conf")
	if err := os.WriteFile(rc, []byte("nameserver "+gw4+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	l.bin = testnet.PublicBinary(t)
	l.prefix = testnet.AsNobody()
	r := l.check(t, "--resolv-conf", rc, "--dns-name", labName, "--host", host4, "--host", host6)
	r.expect(t, map[string]string{"mtu": "skipped"})
	r.expectSummary(t, 0, "The network is OK: every step that could run passed (not checked: mtu).")
	for step, detail := range map[string]string{
		"local":    "ICMP not permitted; TCP to 127.0.0.1 works",
		"internet": "10.78.0.2 not pinged (ICMP not permitted here), but TCP port 443 connects; fd78::2 not pinged (ICMP not permitted here), but TCP port 443 connects",
	} {
		if d := r.steps[step].Detail; d != detail {
			t.Errorf("%s detail %q, want %q", step, d, detail)
		}
	}
	if d := r.steps["gateway"].Detail; !regexp.MustCompile(`^10\.77\.0\.1 on c0 answers ARP \(\S+\); ICMP not permitted here; fd77::1 on c0 answers NDP \(\S+\); ICMP not permitted here$`).MatchString(d) {
		t.Errorf("gateway detail %q", d)
	}

	// The router gone: no ARP answer, and no ping to blame it on.
	in(t, l.router, "ip", "addr", "del", gw4+"/24", "dev", "r0")
	in(t, l.router, "ip", "addr", "del", gw6+"/64", "dev", "r0")
	in(t, l.client, "ip", "neigh", "flush", "dev", "c0")
	r = l.check(t, "--resolv-conf", rc, "--dns-name", labName, "--host", host4)
	r.expect(t, map[string]string{"gateway": "fail/no_arp", "dns": "fail/timeout", "internet": "fail/no_reply"})
	r.expectSummary(t, 1, "The gateway 10.77.0.1 is down: it does not answer ARP on c0 — check that the router is on and connected.")
}
