package trace_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"netdiag/internal/testnet"
)

// chain is the path the tests trace through, in namespaces of their own
// (nothing they send can leave the machine):
//
//	client ─l0─ r1 ─l1─ r2 ─l2─ r3 ─l3─ r4 ─l4─ dst
//
// A testnet.Chain on 10.91 and fd91: hop k, router k, answers from
// 10.91.(k-1).2 and the destination is 10.91.4.2, fd91:4::2.
type chain struct {
	*testnet.Chain
	t *testing.T // Nodes: client, r1…r4, dst
}

const routers = 4

var (
	dst4 = netip.MustParseAddr("10.91.4.2")
	dst6 = netip.MustParseAddr("fd91:4::2")
)

// hop returns the address hop k answers from (the destination is hop 5).
func hop(v6 bool, k int) netip.Addr {
	if v6 {
		return netip.MustParseAddr(fmt.Sprintf("fd91:%d::2", k-1))
	}
	return netip.MustParseAddr(fmt.Sprintf("10.91.%d.2", k-1))
}

func dst(v6 bool) netip.Addr {
	if v6 {
		return dst6
	}
	return dst4
}

func newChain(t *testing.T) *chain {
	t.Helper()
	testnet.RequireTools(t, "ip", "ping")
	var nodes []string
	for i := range routers + 2 {
		tag := fmt.Sprintf("trr%d", i)
		switch i {
		case 0:
			tag = "trc"
		case routers + 1:
			tag = "trd"
		}
		nodes = append(nodes, testnet.Netns(t, tag))
	}
	c := &chain{Chain: testnet.NewChain(t, "10.91", "fd91", nodes...), t: t}
	// A fresh IPv6 path takes a moment to settle (neighbour discovery on
	// every link): wait for it, so that the tests see the path they built.
	for _, d := range []netip.Addr{dst4, dst6} {
		testnet.WaitUntil(t, 20*time.Second, "the chain answering ping to "+d.String(), func() (bool, error) {
			argv := testnet.InNetns(c.client(), "ping", "-c1", "-W1", d.String())
			return testnet.Run(t, 5*time.Second, "", argv[0], argv[1:]...).Code == 0, nil
		})
	}
	return c
}

func (c *chain) client() string      { return c.Nodes[0] }
func (c *chain) router(k int) string { return c.Nodes[k] }
func (c *chain) destination() string { return c.Nodes[routers+1] }

// addECMP adds a second router at hop 2, r2b, between r1 and r3 (links 5
// and 6), and has r1 share the traffic to the far links between r2 and r2b
// by flow (addresses and ports: fib_multipath_hash_policy 1). It returns
// r2b's address, the one it answers hop-2 probes from.
func (c *chain) addECMP(v6 bool) netip.Addr {
	alt := testnet.Netns(c.t, "trr2b")
	c.Sysctl(alt, "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0",
		"net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1", "net.ipv4.icmp_ratelimit=0", "net.ipv6.icmp.ratelimit=0")
	c.Link(c.router(1), "l5-a", alt, "l5-b", 5)
	c.Link(alt, "l6-a", c.router(3), "l6-b", 6)
	c.IP(alt, "route", "add", "10.91.0.0/24", "via", "10.91.5.1")
	c.IP(alt, "-6", "route", "add", "fd91:0::/64", "via", "fd91:5::1")
	for j := 3; j <= routers; j++ {
		c.IP(alt, "route", "add", fmt.Sprintf("10.91.%d.0/24", j), "via", "10.91.6.2")
		c.IP(alt, "-6", "route", "add", fmt.Sprintf("fd91:%d::/64", j), "via", "fd91:6::2")
		c.IP(c.router(1), "route", "replace", fmt.Sprintf("10.91.%d.0/24", j), "nexthop", "via", "10.91.1.2", "nexthop", "via", "10.91.5.2")
		c.IP(c.router(1), "-6", "route", "replace", fmt.Sprintf("fd91:%d::/64", j), "nexthop", "via", "fd91:1::2", "nexthop", "via", "fd91:5::2")
	}
	c.IP(c.client(), "route", "add", "10.91.5.0/24", "via", "10.91.0.2")
	c.IP(c.client(), "-6", "route", "add", "fd91:5::/64", "via", "fd91:0::2")
	c.IP(c.router(3), "route", "add", "10.91.5.0/24", "via", "10.91.6.1")
	c.IP(c.router(3), "-6", "route", "add", "fd91:5::/64", "via", "fd91:6::1")
	c.Sysctl(c.router(1), "net.ipv4.fib_multipath_hash_policy=1", "net.ipv6.fib_multipath_hash_policy=1")
	for _, d := range []string{"10.91.5.2", "fd91:5::2"} {
		testnet.WaitUntil(c.t, 20*time.Second, "the second router answering ping to "+d, func() (bool, error) {
			argv := testnet.InNetns(c.client(), "ping", "-c1", "-W1", d)
			return testnet.Run(c.t, 5*time.Second, "", argv[0], argv[1:]...).Code == 0, nil
		})
	}
	if v6 {
		return netip.MustParseAddr("fd91:5::2")
	}
	return netip.MustParseAddr("10.91.5.2")
}

// nft loads rules into namespace ns.
func (c *chain) nft(ns, rules string) { testnet.Nft(c.t, ns, rules) }

// jsonHop is a "hop" line of netdiag trace --json.
type jsonHop struct {
	Type        string       `json:"type"`
	Hop         int          `json:"hop"`
	Addrs       []netip.Addr `json:"addrs"`
	Sent        int          `json:"sent"`
	Received    int          `json:"received"`
	Loss        float64      `json:"loss"`
	RTTAvgMS    *float64     `json:"rtt_avg_ms"`
	Mark        string       `json:"mark"`
	Destination bool         `json:"destination"`
	Note        string       `json:"note"`
	PMTU        int          `json:"pmtu"`
	Responders  []struct {
		Addr     netip.Addr `json:"addr"`
		Name     string     `json:"name"`
		Received int        `json:"received"`
	} `json:"responders"`
}

// jsonSummary is the last line.
type jsonSummary struct {
	Type         string `json:"type"`
	Reached      bool   `json:"reached"`
	Hops         int    `json:"hops"`
	LastHop      *int   `json:"last_hop"`
	PathMTU      int    `json:"path_mtu"`
	InterfaceMTU int    `json:"interface_mtu"`
	MTUDrops     []struct {
		Hop  int        `json:"hop"`
		Addr netip.Addr `json:"addr"`
		MTU  int        `json:"mtu"`
	} `json:"mtu_drops"`
	Text string `json:"text"`
}

// traceRun is what one netdiag trace --json run printed.
type traceRun struct {
	hops    []jsonHop
	summary jsonSummary
	code    int
	stdout  string
	stderr  string
}

// trace runs netdiag trace --json with args in the client namespace.
func (c *chain) trace(t *testing.T, args ...string) traceRun {
	t.Helper()
	argv := testnet.InNetns(c.client(), append([]string{testnet.Binary(t), "trace", "--json"}, args...)...)
	res := testnet.Run(t, 60*time.Second, "", argv[0], argv[1:]...)
	run := traceRun{code: res.Code, stdout: res.Stdout, stderr: res.Stderr}
	sc := bufio.NewScanner(strings.NewReader(res.Stdout))
	for sc.Scan() {
		var h jsonHop
		if err := json.Unmarshal(sc.Bytes(), &h); err != nil {
			t.Fatalf("bad JSON line %q: %v", sc.Text(), err)
		}
		switch h.Type {
		case "hop":
			run.hops = append(run.hops, h)
		case "summary":
			if err := json.Unmarshal(sc.Bytes(), &run.summary); err != nil {
				t.Fatal(err)
			}
		default:
			t.Fatalf("line of unknown type: %s", sc.Text())
		}
	}
	if run.summary.Type != "summary" && res.Code != 2 {
		t.Fatalf("netdiag trace %s printed no summary:\n%s\nstderr: %s", strings.Join(args, " "), res.Stdout, res.Stderr)
	}
	return run
}

// run runs a peer tool in the client namespace and returns its output.
func (c *chain) run(t *testing.T, argv ...string) string {
	t.Helper()
	testnet.RequireTools(t, argv[0])
	a := testnet.InNetns(c.client(), argv...)
	res := testnet.Run(t, 120*time.Second, "", a[0], a[1:]...)
	return res.Stdout + res.Stderr
}

// peerHop is one hop as traceroute or mtr printed it.
type peerHop struct {
	addrs []netip.Addr
	marks []string
	stars int
}

var hopLine = regexp.MustCompile(`^\s*(\d+)\s+(.*)$`)

// parseTraceroute reads traceroute -n output: per hop, the addresses that
// answered, the marks (!H …) and the probes without an answer (*).
func parseTraceroute(out string) map[int]*peerHop {
	hops := map[int]*peerHop{}
	for line := range strings.Lines(out) {
		m := hopLine.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil || strings.HasPrefix(line, "traceroute") {
			continue
		}
		var n int
		fmt.Sscan(m[1], &n)
		h := &peerHop{}
		for _, f := range strings.Fields(m[2]) {
			switch a, err := netip.ParseAddr(f); {
			case err == nil:
				if !slices.Contains(h.addrs, a) {
					h.addrs = append(h.addrs, a)
				}
			case f == "*":
				h.stars++
			case strings.HasPrefix(f, "!"):
				h.marks = append(h.marks, f)
			}
		}
		hops[n] = h
	}
	return hops
}

var (
	mtrHop   = regexp.MustCompile(`^\s*(\d+)\.\|-- (\S+)\s+([\d.]+)%?\s+(\d+)`)
	mtrExtra = regexp.MustCompile(`^\s+\|\s+` + "`" + `\|-- (\S+)`)
)

// parseMtr reads mtr -r -n output: per hop its addresses (ECMP
// responders on the lines under it; "???" none) and its loss.
func parseMtr(out string) (map[int]*peerHop, map[int]float64) {
	hops, loss := map[int]*peerHop{}, map[int]float64{}
	last := 0
	for line := range strings.Lines(out) {
		if m := mtrHop.FindStringSubmatch(line); m != nil {
			fmt.Sscan(m[1], &last)
			h := &peerHop{}
			if a, err := netip.ParseAddr(m[2]); err == nil {
				h.addrs = append(h.addrs, a)
			}
			var l float64
			fmt.Sscan(m[3], &l)
			hops[last], loss[last] = h, l
		} else if m := mtrExtra.FindStringSubmatch(line); m != nil && hops[last] != nil {
			if a, err := netip.ParseAddr(m[1]); err == nil {
				hops[last].addrs = append(hops[last].addrs, a)
			}
		}
	}
	return hops, loss
}

// sameSet reports whether a and b hold the same addresses.
func sameSet(a, b []netip.Addr) bool {
	return len(a) == len(b) && !slices.ContainsFunc(a, func(x netip.Addr) bool { return !slices.Contains(b, x) })
}

// subset reports whether every address of a is in b.
func subset(a, b []netip.Addr) bool {
	return !slices.ContainsFunc(a, func(x netip.Addr) bool { return !slices.Contains(b, x) })
}

// hostsFile gives namespace ns a hosts file and a resolv.conf naming
// loopback (where nothing answers, so no lookup leaves the namespace).
func hostsFile(t *testing.T, ns, hosts string) {
	testnet.NetnsEtc(t, ns, map[string]string{"hosts": hosts, "resolv.conf": "nameserver 127.0.0.1\n"})
}
