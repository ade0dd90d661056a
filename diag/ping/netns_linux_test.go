package ping_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"netdiag/internal/testnet"
)

// TestDroppedRepliesVsIputils drops every echo reply with nftables: both
// tools must report 100% loss and exit 1, and netdiag says "no answer yet"
// once per probe when its -W timeout passes.
func TestDroppedRepliesVsIputils(t *testing.T) {
	ns := testnet.Netns(t, "ping")
	testnet.Nft(t, ns, `add table inet t
add chain inet t in { type filter hook input priority 0; }
add rule inet t in icmp type echo-reply drop
add rule inet t in icmpv6 type echo-reply drop`)
	for _, target := range []string{"127.0.0.1", "::1"} {
		nd, ip := pingBoth(t, ns, time.Minute, "-c", "3", "-i", "0.1", "-W", "0.3", target)
		n, i := parseStats(t, "netdiag", nd.Stdout), parseStats(t, "iputils", ip.Stdout)
		if nd.Code != 1 || ip.Code != 1 || n.transmitted != 3 || n.received != 0 || n.loss != 100 ||
			n.transmitted != i.transmitted || n.received != i.received || n.loss != i.loss || n.noAnswers != 3 || n.rttShown {
			t.Errorf("%s: netdiag %s\niputils %s", target, describe(nd), describe(ip))
		}
	}
}

// TestHalfLossVsIputils drops a random half of the replies (nftables
// numgen): both tools see loss well inside 20-80% over 60 probes (outside
// it with odds under one in a million) and exit 0, and netdiag's counts
// add up: every probe either answered or lost.
func TestHalfLossVsIputils(t *testing.T) {
	ns := testnet.Netns(t, "ping")
	testnet.Nft(t, ns, `add table inet t
add chain inet t in { type filter hook input priority 0; }
add rule inet t in icmp type echo-reply numgen random mod 2 == 0 drop`)
	// -W 2: a reply the loaded machine reads late must not count as lost.
	nd, ip := pingBoth(t, ns, time.Minute, "-q", "-c", "60", "-i", "0.005", "-W", "2", "127.0.0.1")
	n, i := parseStats(t, "netdiag", nd.Stdout), parseStats(t, "iputils", ip.Stdout)
	for who, s := range map[string]stats{"netdiag": n, "iputils": i} {
		if s.transmitted != 60 || s.loss < 20 || s.loss > 80 {
			t.Errorf("%s: %d sent, %d received, %v%% loss; want 60 sent and 20-80%% loss", who, s.transmitted, s.received, s.loss)
		}
	}
	if nd.Code != 0 || ip.Code != 0 || math.Abs(float64(n.transmitted-n.received)*100/60-n.loss) > 0.001 {
		t.Errorf("netdiag %s\niputils %s", describe(nd), describe(ip))
	}
}

// TestPeerDownVsIputils pings an address behind a veth whose peer is down:
// address resolution fails and the kernel reports "Destination Host
// Unreachable" from the host's own address, which both tools print and
// count as errors, exiting 1. Both privileged and unprivileged sockets
// must see it (the latter through the socket's error queue).
func TestPeerDownVsIputils(t *testing.T) {
	a, p := testnet.Netns(t, "ping"), testnet.Netns(t, "ping")
	testnet.MustRun(t, "ip", "link", "add", "a0", "netns", a, "type", "veth", "peer", "name", "p0", "netns", p)
	in(t, a, "ip", "addr", "add", "10.77.1.2/24", "dev", "a0")
	in(t, a, "ip", "link", "set", "a0", "up") // p0 stays down: no carrier
	allowICMPSockets(t, a, true)
	for _, mode := range []string{"--privileged", "--unprivileged"} {
		bin := testnet.Binary(t)
		var nd, ip testnet.Result
		done := make(chan struct{})
		go func() {
			defer close(done)
			ip = runIn(t, a, 30*time.Second, "ping", "-c", "3", "-i", "0.2", "10.77.1.1")
		}()
		nd = runIn(t, a, 30*time.Second, bin, "ping", mode, "-c", "3", "-i", "0.2", "10.77.1.1")
		<-done
		n, i := parseStats(t, "netdiag", nd.Stdout), parseStats(t, "iputils", ip.Stdout)
		if nd.Code != 1 || ip.Code != 1 || n.transmitted != 3 || n.received != 0 || n.errors != 3 || n.errLines != 3 ||
			n.errors != i.errors || n.loss != i.loss || !strings.Contains(nd.Stdout, "From 10.77.1.2 icmp_seq=1 Destination Host Unreachable") {
			t.Errorf("%s: netdiag %s\niputils %s", mode, describe(nd), describe(ip))
		}
	}
}

// TestTTLExceededVsIputils pings across a router with TTL (hop limit) 1:
// the router answers "Time to live exceeded" ("Time exceeded: Hop limit"),
// which both tools print with the router's address; the run ends at once
// instead of waiting out timeouts, and exits 1. With TTL 2 the host
// answers, its reply's TTL one less than it sent.
func TestTTLExceededVsIputils(t *testing.T) {
	a, _, _ := routed(t)
	allowICMPSockets(t, a, true)
	for _, tc := range []struct{ target, from, msg string }{
		{"10.77.2.2", "From 10.77.1.1 icmp_seq=1 Time to live exceeded", "Time to live exceeded"},
		{"fd77:2::2", "From fd77:1::1 icmp_seq=1 Time exceeded: Hop limit", "Time exceeded: Hop limit"},
	} {
		for _, mode := range []string{"--privileged", "--unprivileged"} {
			// With -W 600, a run that waited for timeouts instead of
			// settling on the errors would pass the one-minute limit.
			nd := netdiag(t, a, time.Minute, mode, "-c", "3", "-i", "0.1", "-t", "1", "-W", "600", tc.target)
			n := parseStats(t, "netdiag", nd.Stdout)
			if nd.Code != 1 || n.transmitted != 3 || n.received != 0 || n.errors != 3 || n.loss != 100 || !strings.Contains(nd.Stdout, tc.from) {
				t.Errorf("%s -t 1 %s: %s", mode, tc.target, describe(nd))
			}
		}
		ip := runIn(t, a, 30*time.Second, "ping", "-c", "3", "-i", "0.1", "-t", "1", tc.target)
		if i := parseStats(t, "iputils", ip.Stdout); ip.Code != 1 || i.errors != 3 || !strings.Contains(ip.Stdout, tc.from) {
			t.Errorf("iputils -t 1 %s: %s", tc.target, describe(ip))
		}
		nd, ip := pingBoth(t, a, 30*time.Second, "-c", "2", "-i", "0.1", "-t", "2", tc.target)
		if nd.Code != 0 || ip.Code != 0 || !strings.Contains(nd.Stdout, "icmp_seq=1 ttl=63 time=") || parseStats(t, "netdiag", nd.Stdout).received != 2 {
			t.Errorf("-t 2 %s: netdiag %s\niputils %s", tc.target, describe(nd), describe(ip))
		}
	}
}

// TestDuplicatesVsIputils makes the far host send every reply twice
// (nftables "dup to" the router): both tools mark the copies (DUP!),
// count them apart from the replies and lose nothing.
func TestDuplicatesVsIputils(t *testing.T) {
	a, _, b := routed(t)
	testnet.Nft(t, b, `add table ip d
add chain ip d out { type filter hook output priority 0; }
add rule ip d out icmp type echo-reply dup to 10.77.2.1 device b0`)
	nd, ip := pingBoth(t, a, 20*time.Second, "-c", "3", "-i", "0.2", "10.77.2.2")
	n, i := parseStats(t, "netdiag", nd.Stdout), parseStats(t, "iputils", ip.Stdout)
	// The copy of the last reply may come after a tool has finished.
	if nd.Code != 0 || ip.Code != 0 || n.received != 3 || n.loss != 0 || n.dups < 2 || n.dupLines != n.dups ||
		i.received != 3 || i.dups < 2 {
		t.Errorf("netdiag %s\niputils %s", describe(nd), describe(ip))
	}
}
