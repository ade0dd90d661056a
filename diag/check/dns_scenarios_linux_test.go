package check_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"netdiag/internal/testnet"
)

// The DNS scenarios: the lab's responder misbehaving in each way a
// resolver can, and resolver configurations with something wrong.

func TestDNSAnswers(t *testing.T) {
	t.Parallel()
	l := newLab(t, true)
	// 10.77.0.9 is on the link, but no one has it.
	twoServers := writeFile(t, "two", "nameserver 10.77.0.9\nnameserver 10.77.0.1\n")
	for _, tc := range []struct {
		name   string
		args   []string
		step   string // the dns step's status/problem
		code   int
		text   string
		detail string
	}{
		{
			name: "nxdomain", args: []string{"--dns-name", "missing.test"}, step: "fail/nxdomain", code: 1,
			text:   "The resolver 10.77.0.1 says missing.test does not exist — check the name given with --dns-name, or the resolver blocks it.",
			detail: "10.77.0.1 says missing.test does not exist (NXDOMAIN)",
		},
		{
			name: "servfail", args: []string{"--dns-name", "servfail.test"}, step: "fail/servfail", code: 1,
			text:   "DNS is broken: the resolver 10.77.0.1 answers SERVFAIL — it cannot reach the DNS servers above it; restart it or use another resolver.",
			detail: "10.77.0.1 answers SERVFAIL",
		},
		{
			name: "refused", args: []string{"--dns-name", "refused.test"}, step: "fail/refused", code: 1,
			text:   "DNS is broken: the resolver 10.77.0.1 refuses to answer (REFUSED) — it does not serve this machine; use another resolver.",
			detail: "10.77.0.1 answers REFUSED",
		},
		{
			name: "only A", args: []string{"--dns-name", "noaaaa.test"}, step: "warn/timeout", code: 0,
			text:   "DNS works, but the resolver 10.77.0.1 answers only one of the A and AAAA queries — lookups may stall; fix it or use another resolver.",
			detail: "noaaaa.test → 192.0.2.1 by 10.77.0.1, but it answered only one of the A and AAAA queries",
		},
		{
			name: "one of two dead", args: []string{"--resolv-conf", twoServers}, step: "warn/timeout", code: 0,
			text:   "DNS works, but 10.77.0.9 does not answer — lookups are slow whenever it is asked first; fix it or remove it from " + twoServers + ".",
			detail: "10.77.0.9 does not answer; check.test → 10.78.0.2, fd78::2 by 10.77.0.1",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := l.check(t, l.labArgs(tc.args...)...)
			r.expect(t, map[string]string{"dns": tc.step})
			r.expectSummary(t, tc.code, tc.text)
			if d := r.steps["dns"].Detail; d != tc.detail {
				t.Errorf("dns detail %q, want %q", d, tc.detail)
			}
		})
	}
}

// TestNoNameserver: with no nameserver line the C library asks 127.0.0.1;
// so does the check, and says so.
func TestNoNameserver(t *testing.T) {
	t.Parallel()
	l := newLab(t, true)
	empty := writeFile(t, "empty", "# nothing here\nsearch lab.test\nnameserver 10.77.0.1.5\n")
	args := l.labArgs("--resolv-conf", empty)

	r := l.check(t, args...)
	r.expect(t, map[string]string{"dns": "fail/no_resolver"})
	r.expectSummary(t, 1, "No DNS resolver is configured: "+empty+" has no usable nameserver line and nothing answers on 127.0.0.1 — is DHCP running?")
	for _, note := range []string{
		`"line 3: invalid IPv4 address \"10.77.0.1.5\": 5 parts; an IPv4 address has exactly 4"`,
		`"` + empty + ` has no usable nameserver line: the C library then asks 127.0.0.1"`,
	} {
		if !strings.Contains(r.steps["dns"].raw, note) {
			t.Errorf("dns notes lack %q: %s", note, r.steps["dns"].raw)
		}
	}

	// A local resolver (a caching daemon) on 127.0.0.1 serves.
	testnet.ServeDNS(t, testnet.ListenPacketInNetns(t, l.client, "udp", "127.0.0.1:53"), labZone)
	r = l.check(t, args...)
	r.expect(t, nil)
	r.expectSummary(t, 0, "The network is OK: every step passed.")
}

// TestDefaultResolvConf runs the check without --resolv-conf: inside "ip
// netns exec", /etc/netns/NAME/resolv.conf is mounted over
// /etc/resolv.conf, so the default path is read from the lab.
func TestDefaultResolvConf(t *testing.T) {
	t.Parallel()
	l := newLab(t, true)
	dir := filepath.Join("/etc/netns", l.client)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.WriteFile(filepath.Join(dir, "resolv.conf"), []byte("nameserver "+gw4+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := l.check(t, "--dns-name", labName, "--host", host4)
	r.expect(t, nil)
	r.expectSummary(t, 0, "The network is OK: every step passed.")
	if !strings.Contains(r.steps["dns"].raw, `"resolv_conf":"/etc/resolv.conf"`) {
		t.Errorf("dns step did not read /etc/resolv.conf: %s", r.steps["dns"].raw)
	}
}

// TestHostByName: an internet host given by name is resolved through the
// resolver the DNS step found working; when none works, it is skipped and
// the diagnosis is about DNS.
func TestHostByName(t *testing.T) {
	t.Parallel()
	l := newLab(t, true)
	args := []string{"--resolv-conf", l.resolvConf, "--dns-name", labName, "--host", upName}
	r := l.check(t, args...)
	r.expect(t, nil)
	if d := r.steps["internet"].Detail; d != "up.test (10.78.0.2) answers ping" {
		t.Errorf("internet detail %q", d)
	}
	r = l.check(t, "--resolv-conf", l.resolvConf, "--dns-name", labName, "--host", "nosuch.test", "--host", host4)
	r.expect(t, map[string]string{"internet": "warn/unresolved"})
	r.expectSummary(t, 0, "The internet is only partly reachable: nosuch.test does not resolve: no such host.")
	r = l.check(t, "--resolv-conf", l.resolvConf, "--dns-name", labName, "--host", "nosuch.test")
	r.expect(t, map[string]string{"internet": "fail/unresolved"})
	r.expectSummary(t, 1, "The internet host nosuch.test does not resolve (no such host) — check the name given with --host.")

	testnet.Nft(t, l.router, `table inet f {
		chain in { type filter hook input priority 0; udp dport 53 drop; }
	}`)
	r = l.check(t, args...)
	r.expect(t, map[string]string{"dns": "fail/timeout", "internet": "skipped/unresolved"})
	r.expectSummary(t, 1, "DNS is broken: the resolver 10.77.0.1 does not answer — fix the nameserver lines in "+l.resolvConf+" or restart the DNS server.")
	if d := r.steps["internet"].Detail; d != "up.test: not resolved: no resolver works" {
		t.Errorf("internet detail %q", d)
	}
}

// TestGivenGateway: --gateway replaces the default routes' gateways, and a
// given address that no one has is down.
func TestGivenGateway(t *testing.T) {
	t.Parallel()
	l := newLab(t, true)
	r := l.check(t, l.labArgs("--gateway", "10.78.0.1")...)
	r.expect(t, nil)
	if d := r.steps["gateway"].Detail; d != "10.78.0.1 answers ping" {
		t.Errorf("gateway detail %q", d)
	}
	r = l.check(t, l.labArgs("--gateway", "10.77.0.77")...)
	r.expect(t, map[string]string{"gateway": "fail/no_arp"})
	r.expectSummary(t, 1, "The gateway 10.77.0.77 is down: it answers neither ping nor ARP — check that the router is on and connected.")
}
