package trace_test

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"

	"netdiag/internal/testnet"
)

// The namespace tests trace the chain (chain_linux_test.go) with one thing
// set up at a time and hold the report to traceroute, mtr and tracepath
// run on the same path. Probes that should be answered wait up to -W 10:
// an answered probe ends its wait at once, so the long timeout costs
// nothing and a loaded machine cannot turn a slow answer into loss.

// methods are netdiag's probe flags and traceroute's for the same method.
var methods = []struct {
	name       string
	netdiag    []string
	traceroute []string
	mtr        []string
}{
	{"icmp", nil, []string{"-I"}, nil},
	{"udp", []string{"--udp"}, nil, []string{"-u"}}, // UDP is traceroute's default
	{"tcp", []string{"--tcp", "-p", "80"}, []string{"-T", "-p", "80"}, []string{"-T", "-P", "80"}},
}

var families = []struct {
	name string
	v6   bool
	flag string
}{{"IPv4", false, "-4"}, {"IPv6", true, "-6"}}

// wantChain checks that a healthy trace lists hops 1 to 5, each answered
// by its router, the last by the destination.
func wantChain(t *testing.T, r traceRun, v6 bool, count int) {
	t.Helper()
	if r.code != 0 || !r.summary.Reached || len(r.hops) != routers+1 {
		t.Fatalf("exit %d, reached %v, %d hops; want 0, true, %d\n%s%s", r.code, r.summary.Reached, len(r.hops), routers+1, r.stdout, r.stderr)
	}
	for i, h := range r.hops {
		want := hop(v6, i+1)
		if h.Hop != i+1 || !sameSet(h.Addrs, []netip.Addr{want}) || h.Sent != count || h.Received != count || h.Loss != 0 || h.RTTAvgMS == nil {
			t.Errorf("hop %d: %+v, want %v answering %d of %d", i+1, h, want, count, count)
		}
	}
	if !r.hops[routers].Destination {
		t.Errorf("the last hop is not marked as the destination: %+v", r.hops[routers])
	}
}

func TestHopsMatchTraceroute(t *testing.T) {
	t.Parallel()
	c := newChain(t)
	for _, fam := range families {
		for _, m := range methods {
			t.Run(fam.name+"/"+m.name, func(t *testing.T) {
				r := c.trace(t, append([]string{"-n", "-c", "3", "-W", "10", fam.flag, dst(fam.v6).String()}, m.netdiag...)...)
				wantChain(t, r, fam.v6, 3)
				out := c.run(t, append(append([]string{"traceroute", "-n", "-q", "3", "-w", "5"}, m.traceroute...), dst(fam.v6).String())...)
				peer := parseTraceroute(out)
				if len(peer) != len(r.hops) {
					t.Fatalf("traceroute lists %d hops, netdiag %d:\n%s", len(peer), len(r.hops), out)
				}
				for _, h := range r.hops {
					if p := peer[h.Hop]; p == nil || !sameSet(p.addrs, h.Addrs) || p.stars != 0 {
						t.Errorf("hop %d: netdiag %v, traceroute %+v", h.Hop, h.Addrs, p)
					}
				}
			})
		}
	}
}

func TestHopsMatchMtr(t *testing.T) {
	t.Parallel()
	c := newChain(t)
	for _, fam := range families {
		for _, m := range methods {
			t.Run(fam.name+"/"+m.name, func(t *testing.T) {
				r := c.trace(t, append([]string{"-n", "-c", "5", "-i", "0.1", "-W", "10", fam.flag, dst(fam.v6).String()}, m.netdiag...)...)
				wantChain(t, r, fam.v6, 5)
				out := c.run(t, append(append([]string{"mtr", "-r", "-n", "-c", "5", "-i", "0.2", fam.flag}, m.mtr...), dst(fam.v6).String())...)
				peer, loss := parseMtr(out)
				if len(peer) != len(r.hops) {
					t.Fatalf("mtr lists %d hops, netdiag %d:\n%s", len(peer), len(r.hops), out)
				}
				for _, h := range r.hops {
					if p := peer[h.Hop]; p == nil || !sameSet(p.addrs, h.Addrs) || loss[h.Hop] != h.Loss {
						t.Errorf("hop %d: netdiag %v %.0f%%, mtr %+v %.0f%%\n%s", h.Hop, h.Addrs, h.Loss, p, loss[h.Hop], out)
					}
				}
			})
		}
	}
}

func TestSilentHop(t *testing.T) {
	t.Parallel()
	c := newChain(t)
	// Router 2 forwards everything but sends no "time exceeded".
	c.nft(c.router(2), `table inet f {
		chain out { type filter hook output priority 0; icmp type time-exceeded drop; icmpv6 type time-exceeded drop; }
	}`)
	for _, fam := range families {
		t.Run(fam.name, func(t *testing.T) {
			r := c.trace(t, "-n", "-c", "3", "-W", "2", fam.flag, dst(fam.v6).String())
			if r.code != 0 || !r.summary.Reached || len(r.hops) != routers+1 {
				t.Fatalf("exit %d reached %v hops %d\n%s", r.code, r.summary.Reached, len(r.hops), r.stdout)
			}
			if h := r.hops[1]; len(h.Addrs) != 0 || h.Received != 0 || h.Note != "silent" {
				t.Errorf("hop 2 %+v, want no answers and the silent note", h)
			}
			for _, i := range []int{0, 2, 3, 4} {
				if h := r.hops[i]; h.Received == 0 || h.Note != "" {
					t.Errorf("hop %d %+v, want answers and no note", i+1, h)
				}
			}
			out := c.run(t, "traceroute", "-n", "-I", "-q", "3", "-w", "1", dst(fam.v6).String())
			if p := parseTraceroute(out)[2]; p == nil || p.stars != 3 || len(p.addrs) != 0 {
				t.Errorf("traceroute's hop 2 is not silent:\n%s", out)
			}
		})
	}
}

func TestRateLimitedHop(t *testing.T) {
	t.Parallel()
	c := newChain(t)
	// Router 2 answers three probes, then one a minute: as a router whose
	// ICMP errors are rate-limited does, while it forwards every packet.
	c.nft(c.router(2), `table inet f {
		chain out {
			type filter hook output priority 0;
			icmp type time-exceeded limit rate over 1/minute burst 3 packets drop;
			icmpv6 type time-exceeded limit rate over 1/minute burst 3 packets drop;
		}
	}`)
	r := c.trace(t, "-n", "-c", "10", "-i", "0.05", "-W", "10", dst4.String())
	if r.code != 0 || len(r.hops) != routers+1 {
		t.Fatalf("exit %d hops %d\n%s", r.code, len(r.hops), r.stdout)
	}
	if h := r.hops[1]; h.Received == 0 || h.Received == h.Sent || h.Note != "rate_limited" {
		t.Errorf("hop 2 %+v, want some answers and the rate_limited note", h)
	}
	for _, i := range []int{0, 2, 3, 4} {
		if h := r.hops[i]; h.Received != 10 || h.Note != "" {
			t.Errorf("hop %d %+v, want every answer and no note", i+1, h)
		}
	}
	text := c.runText(t, "-n", "-c", "10", "-i", "0.05", "-W", "10", dst6.String())
	if !regexp.MustCompile(`(?m)^  2  fd91:1::2 .*rate-limited replies, not loss$`).MatchString(text) {
		t.Errorf("the table does not label hop 2:\n%s", text)
	}
}

// runText runs netdiag trace without --json in the client namespace.
func (c *chain) runText(t *testing.T, args ...string) string {
	t.Helper()
	argv := testnet.InNetns(c.client(), append([]string{testnet.Binary(t), "trace"}, args...)...)
	res := testnet.Run(t, 60*time.Second, "", argv[0], argv[1:]...)
	if strings.Contains(res.Stdout, "\x1b") {
		t.Errorf("piped output has escape sequences: %q", res.Stdout)
	}
	return res.Stdout + res.Stderr
}

func TestUnreachableHop(t *testing.T) {
	t.Parallel()
	c := newChain(t)
	// Router 3 answers probes for the destination with "unreachable", a
	// code per probe protocol, so that every method meets one mark.
	c.nft(c.router(3), `table inet f {
		chain forward {
			type filter hook forward priority 0;
			ip daddr 10.91.4.2 meta l4proto icmp reject with icmp type host-unreachable;
			ip daddr 10.91.4.2 meta l4proto udp reject with icmp type admin-prohibited;
			ip daddr 10.91.4.2 meta l4proto tcp reject with icmp type net-unreachable;
			ip6 daddr fd91:4::2 meta l4proto ipv6-icmp reject with icmpv6 type addr-unreachable;
			ip6 daddr fd91:4::2 meta l4proto udp reject with icmpv6 type admin-prohibited;
			ip6 daddr fd91:4::2 meta l4proto tcp reject with icmpv6 type no-route;
		}
	}`)
	marks := map[string]struct{ mark, words string }{
		"icmp": {"!H", "host unreachable (!H)"},
		"udp":  {"!X", "administratively prohibited (!X)"},
		"tcp":  {"!N", "network unreachable (!N)"},
	}
	for _, fam := range families {
		for _, m := range methods {
			t.Run(fam.name+"/"+m.name, func(t *testing.T) {
				want := marks[m.name]
				r := c.trace(t, append([]string{"-n", "-c", "3", "-W", "10", dst(fam.v6).String()}, m.netdiag...)...)
				if r.code != 1 || r.summary.Reached || len(r.hops) != 4 {
					t.Fatalf("exit %d reached %v hops %d, want 1, false, 4\n%s", r.code, r.summary.Reached, len(r.hops), r.stdout)
				}
				if h := r.hops[3]; h.Mark != want.mark || !sameSet(h.Addrs, []netip.Addr{hop(fam.v6, 3)}) {
					t.Errorf("hop 4 %+v, want router 3 with %s", h, want.mark)
				}
				text := fmt.Sprintf("%s not reached: hop 4 (%s) answers %s", dst(fam.v6), hop(fam.v6, 3), want.words)
				if r.summary.Text != text {
					t.Errorf("summary %q, want %q", r.summary.Text, text)
				}
				out := c.run(t, append(append([]string{"traceroute", "-n", "-q", "3", "-w", "5"}, m.traceroute...), dst(fam.v6).String())...)
				p := parseTraceroute(out)
				if len(p) != 4 || p[4] == nil || len(p[4].marks) != 3 || p[4].marks[0] != want.mark || !sameSet(p[4].addrs, r.hops[3].Addrs) {
					t.Errorf("traceroute disagrees:\n%s", out)
				}
			})
		}
	}
}

// TestHopRangeSourceInterface: --first-hop and --max-hops bound the rows,
// and --source and --interface pick where probes leave from.
func TestHopRangeSourceInterface(t *testing.T) {
	t.Parallel()
	c := newChain(t)
	for _, fam := range families {
		t.Run(fam.name, func(t *testing.T) {
			r := c.trace(t, "-n", "-c", "2", "-W", "10", "-f", "3", dst(fam.v6).String())
			if r.code != 0 || len(r.hops) != 3 || r.hops[0].Hop != 3 || !sameSet(r.hops[0].Addrs, []netip.Addr{hop(fam.v6, 3)}) || !r.hops[2].Destination {
				t.Errorf("-f 3: exit %d, hops %+v; want 3 to 5\n%s", r.code, r.hops, r.stderr)
			}
			r = c.trace(t, "-n", "-c", "2", "-W", "10", "-m", "3", dst(fam.v6).String())
			if r.code != 1 || r.summary.Reached || len(r.hops) != 3 || r.hops[2].Received != 2 {
				t.Errorf("-m 3: exit %d, reached %v, hops %+v; want 1, false, hops 1 to 3 answered", r.code, r.summary.Reached, r.hops)
			}
			src := map[bool]string{false: "10.91.0.1", true: "fd91:0::1"}[fam.v6]
			for _, m := range methods {
				for _, flags := range [][]string{{"--source", src}, {"--interface", "l0-a"}} {
					r := c.trace(t, append(append([]string{"-n", "-c", "1", "-W", "10", dst(fam.v6).String()}, flags...), m.netdiag...)...)
					wantChain(t, r, fam.v6, 1)
				}
			}
			// An address this host does not hold is a system error.
			r = c.trace(t, "-n", "-c", "1", "--source", map[bool]string{false: "10.91.3.2", true: "fd91:3::2"}[fam.v6], dst(fam.v6).String())
			if r.code != 2 || !strings.Contains(r.stderr, "no interface of this host has that address") {
				t.Errorf("a foreign source: exit %d, stderr %q; want 2", r.code, r.stderr)
			}
		})
	}
}

func TestECMP(t *testing.T) {
	t.Parallel()
	for _, fam := range families {
		t.Run(fam.name, func(t *testing.T) {
			t.Parallel()
			c := newChain(t)
			alt := c.addECMP(fam.v6)
			both := []netip.Addr{hop(fam.v6, 2), alt}
			// Router 3 answers from the address of the link the probe
			// came in on (IPv6) or of its route back (IPv4).
			third := []netip.Addr{hop(fam.v6, 3), netip.MustParseAddr(map[bool]string{false: "10.91.6.2", true: "fd91:6::2"}[fam.v6])}
			for _, m := range methods[1:] {
				// UDP ports and TCP source ports differ from probe to
				// probe, so r1 hashes the probes onto both paths: with 20,
				// the chance that all take one is 2^-19.
				r := c.trace(t, append([]string{"-n", "-c", "20", "-i", "0.02", "-W", "10", dst(fam.v6).String()}, m.netdiag...)...)
				if r.code != 0 || len(r.hops) != routers+1 {
					t.Fatalf("%s: exit %d hops %d\n%s", m.name, r.code, len(r.hops), r.stdout)
				}
				if h := r.hops[1]; !sameSet(h.Addrs, both) || h.Received != 20 || len(h.Responders) != 2 || h.Responders[0].Received+h.Responders[1].Received != 20 {
					t.Errorf("%s: hop 2 %+v, want both routers %v sharing 20 answers", m.name, h, both)
				}
				if h := r.hops[2]; !subset(h.Addrs, third) {
					t.Errorf("%s: hop 3 %v, want among %v", m.name, h.Addrs, third)
				}
				out := c.run(t, append(append([]string{"traceroute", "-n", "-q", "6", "-w", "5"}, m.traceroute...), dst(fam.v6).String())...)
				if p := parseTraceroute(out)[2]; p == nil || !subset(p.addrs, both) || len(p.addrs) == 0 {
					t.Errorf("%s: traceroute's hop 2 is not among %v:\n%s", m.name, both, out)
				}
				out = c.run(t, append(append([]string{"mtr", "-r", "-n", "-c", "5", "-i", "0.2"}, m.mtr...), dst(fam.v6).String())...)
				if p, _ := parseMtr(out); p[2] == nil || !subset(p[2].addrs, both) || len(p[2].addrs) == 0 {
					t.Errorf("%s: mtr's hop 2 is not among %v:\n%s", m.name, both, out)
				}
			}
			// ICMP echo has no ports: every probe takes one path.
			r := c.trace(t, "-n", "-c", "5", "-W", "10", dst(fam.v6).String())
			if h := r.hops[1]; len(h.Addrs) != 1 || !subset(h.Addrs, both) {
				t.Errorf("icmp: hop 2 %v, want one of %v", h.Addrs, both)
			}
		})
	}
}

var tracepathMTU = regexp.MustCompile(`(?m)^\s*\d+\??:\s+(\S+)\s.*pmtu (\d+)$`)

func TestPathMTU(t *testing.T) {
	t.Parallel()
	c := newChain(t)
	// The link between routers 2 and 3 carries 1400 bytes.
	c.IP(c.router(2), "link", "set", "l2-a", "mtu", "1400")
	c.IP(c.router(3), "link", "set", "l2-b", "mtu", "1400")
	for _, fam := range families {
		// tracepath first, on a path whose MTU no one has learnt yet.
		out := c.run(t, "tracepath", "-n", fam.flag, dst(fam.v6).String())
		if !strings.Contains(out, "Resume: pmtu 1400 hops 5 back 5") {
			t.Fatalf("%s: tracepath does not find the MTU:\n%s", fam.name, out)
		}
		var oracle netip.Addr
		for _, m := range tracepathMTU.FindAllStringSubmatch(out, -1) {
			if m[2] == "1400" {
				oracle, _ = netip.ParseAddr(m[1])
			}
		}
		for _, m := range methods[:2] {
			t.Run(fam.name+"/"+m.name, func(t *testing.T) {
				r := c.trace(t, append([]string{"-n", "--mtu", "-c", "2", "-W", "10", dst(fam.v6).String()}, m.netdiag...)...)
				if r.code != 0 || !r.summary.Reached || r.summary.PathMTU != 1400 || r.summary.InterfaceMTU != 1500 {
					t.Fatalf("exit %d reached %v path MTU %d interface %d\n%s%s", r.code, r.summary.Reached, r.summary.PathMTU, r.summary.InterfaceMTU, r.stdout, r.stderr)
				}
				d := r.summary.MTUDrops
				if len(d) != 1 || d[0].Hop != 2 || d[0].Addr != hop(fam.v6, 2) || d[0].MTU != 1400 {
					t.Errorf("drops %+v, want 1400 after hop 2 (%s)", d, hop(fam.v6, 2))
				}
				if oracle.IsValid() && (len(d) == 0 || d[0].Addr != oracle) {
					t.Errorf("tracepath names %s where the MTU drops, netdiag %+v", oracle, d)
				}
				for i, want := range []int{1500, 1500, 1400, 1400, 1400} {
					if h := r.hops[i]; h.PMTU != want || h.Received != 2 {
						t.Errorf("hop %d: pmtu %d received %d, want %d and both probes answered", i+1, h.PMTU, h.Received, want)
					}
				}
			})
		}
	}
}

func TestDestinationSilent(t *testing.T) {
	t.Parallel()
	c := newChain(t)
	c.nft(c.destination(), `table inet f {
		chain in { type filter hook input priority 0; iifname "l4-b" drop; }
	}`)
	for _, fam := range families {
		t.Run(fam.name, func(t *testing.T) {
			r := c.trace(t, "-n", "-c", "2", "-W", "1", dst(fam.v6).String())
			if r.code != 1 || r.summary.Reached || len(r.hops) != routers+1 {
				t.Fatalf("exit %d reached %v hops %d, want 1, false, 5\n%s", r.code, r.summary.Reached, len(r.hops), r.stdout)
			}
			if h := r.hops[routers]; len(h.Addrs) != 0 || h.Received != 0 || h.Sent != 2 {
				t.Errorf("hop 5 %+v, want two probes, no answer", h)
			}
			for i := range routers {
				if h := r.hops[i]; h.Received == 0 || !sameSet(h.Addrs, []netip.Addr{hop(fam.v6, i+1)}) {
					t.Errorf("hop %d %+v, want router %d", i+1, h, i+1)
				}
			}
			if last := r.summary.LastHop; last == nil || *last != routers {
				t.Errorf("last hop %v, want %d", last, routers)
			}
			want := fmt.Sprintf("%s not reached: replies stop after hop 4 (%s)", dst(fam.v6), hop(fam.v6, 4))
			if r.summary.Text != want {
				t.Errorf("summary %q, want %q", r.summary.Text, want)
			}
			out := c.run(t, "mtr", "-r", "-n", "-c", "2", "-i", "0.2", fam.flag, dst(fam.v6).String())
			if p, _ := parseMtr(out); len(p) != len(r.hops) || p[5] == nil || len(p[5].addrs) != 0 {
				t.Errorf("mtr shows another path end:\n%s", out)
			}
		})
	}
}

func TestNames(t *testing.T) {
	t.Parallel()
	c := newChain(t)
	hostsFile(t, c.client(), "10.91.0.2 r1.chain.test\nfd91:1::2 r2.chain.test\n")
	r := c.trace(t, "-c", "1", "-W", "10", dst4.String())
	if h := r.hops[0]; len(h.Responders) != 1 || h.Responders[0].Name != "r1.chain.test" {
		t.Errorf("hop 1 %+v, want the name r1.chain.test", h)
	}
	if h := r.hops[2]; len(h.Responders) != 1 || h.Responders[0].Name != "" {
		t.Errorf("hop 3 %+v, want no name", h)
	}
	text := c.runText(t, "-c", "1", "-W", "10", dst6.String())
	if !strings.Contains(text, "  2  r2.chain.test (fd91:1::2) ") {
		t.Errorf("the table does not name hop 2:\n%s", text)
	}
	if text := c.runText(t, "-n", "-c", "1", "-W", "10", dst4.String()); strings.Contains(text, "chain.test") {
		t.Errorf("-n looked names up:\n%s", text)
	}
}

func TestPrivileges(t *testing.T) {
	t.Parallel()
	testnet.RequireTools(t, "setpriv")
	c := newChain(t)
	bin := testnet.PublicBinary(t)
	nobody := func(args ...string) testnet.Result {
		argv := testnet.InNetns(c.client(), testnet.AsNobody(append([]string{bin, "trace", "-n", "-c", "1", "-W", "10"}, args...)...)...)
		return testnet.Run(t, 60*time.Second, "", argv[0], argv[1:]...)
	}
	// A new namespace lets no group open ICMP datagram sockets.
	res := nobody(dst4.String())
	if res.Code != 2 || !strings.Contains(res.Stderr, "no permission to send ICMP echo requests") || !strings.Contains(res.Stderr, "ping_group_range") ||
		!strings.Contains(res.Stderr, "netdiag trace ...") || !strings.Contains(res.Stderr, "\n  4. probe with --udp or --tcp, which need no privilege") {
		t.Errorf("ICMP without permission: exit %d, stderr %q; want 2 and the fixes", res.Code, res.Stderr)
	}
	// UDP and TCP probes need no privilege.
	for _, m := range methods[1:] {
		if res := nobody(append(m.netdiag, dst6.String())...); res.Code != 0 || !strings.Contains(res.Stdout, "fd91:4::2 reached in 5 hops") {
			t.Errorf("%s as nobody: exit %d\n%s%s", m.name, res.Code, res.Stdout, res.Stderr)
		}
	}
	// Allowed unprivileged ICMP sockets, nobody traces with them.
	c.Sysctl(c.client(), "net.ipv4.ping_group_range=0 2147483647")
	for _, d := range []netip.Addr{dst4, dst6} {
		if res := nobody(d.String()); res.Code != 0 || !strings.Contains(res.Stdout, d.String()+" reached in 5 hops") {
			t.Errorf("ICMP datagram sockets to %s: exit %d\n%s%s", d, res.Code, res.Stdout, res.Stderr)
		}
	}
}

func TestTerminal(t *testing.T) {
	t.Parallel()
	testnet.RequireTools(t, "script")
	c := newChain(t)
	// script(1) gives netdiag a terminal: the report is drawn, then drawn
	// again over itself (cursor up, clear), and NO_COLOR (testnet.Run
	// sets it) leaves out the colours.
	argv := testnet.InNetns(c.client(), "script", "-qec", testnet.Binary(t)+" trace -n -c 3 -W 10 "+dst4.String(), "/dev/null")
	res := testnet.Run(t, 60*time.Second, "", argv[0], argv[1:]...)
	if res.Code != 0 {
		t.Fatalf("exit %d\n%q", res.Code, res.Stdout)
	}
	if !regexp.MustCompile(`\x1b\[\d+A\x1b\[J`).MatchString(res.Stdout) {
		t.Errorf("no redraw in place on a terminal: %q", res.Stdout)
	}
	if regexp.MustCompile(`\x1b\[[\d;]*m`).MatchString(res.Stdout) {
		t.Errorf("colours despite NO_COLOR: %q", res.Stdout)
	}
	if !strings.Contains(res.Stdout, "10.91.4.2 reached in 5 hops") {
		t.Errorf("no final report: %q", res.Stdout)
	}
}
