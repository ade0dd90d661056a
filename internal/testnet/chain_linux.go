package testnet

import (
	"fmt"
	"testing"
)

// Chain is a line of network namespaces joined by veth pairs, every one of
// them a router, for tests of paths of several hops:
//
//	Nodes[0] ─link 0─ Nodes[1] ─link 1─ … ─ Nodes[n-1]
//
// Link j is V4.j.0/24 and V6:j::/64 (V4 "10.91", V6 "fd91"); the node
// before it has .1 (::1) on interface l<j>-a, the node after it .2 (::2) on
// l<j>-b. So node k (k ≥ 1) answers from V4.(k-1).2. Every node forwards,
// has DAD off and does not rate-limit its ICMP errors
// (net.ipv4.icmp_ratelimit 0), so that runs of many probes see only what a
// test sets up.
type Chain struct {
	t      testing.TB
	Nodes  []string
	V4, V6 string
}

// NewChain joins the namespaces nodes (made by Netns) into a Chain with
// routes: each node reaches the links further down through the node below
// it and the rest through the node above. Routes to anything beyond the
// chain's links are the caller's.
func NewChain(t testing.TB, v4, v6 string, nodes ...string) *Chain {
	t.Helper()
	c := &Chain{t: t, Nodes: nodes, V4: v4, V6: v6}
	for _, ns := range nodes {
		c.Sysctl(ns, "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0",
			"net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1",
			"net.ipv4.icmp_ratelimit=0", "net.ipv6.icmp.ratelimit=0")
	}
	for j := range len(nodes) - 1 {
		c.Link(nodes[j], fmt.Sprintf("l%d-a", j), nodes[j+1], fmt.Sprintf("l%d-b", j), j)
	}
	// Node i has link i-1 below it and link i above.
	for i, ns := range nodes {
		for j := range len(nodes) - 1 {
			switch {
			case j < i-1:
				c.IP(ns, "route", "add", c.Net4(j), "via", c.Addr4(i-1, 1))
				c.IP(ns, "-6", "route", "add", c.Net6(j), "via", c.Addr6(i-1, 1))
			case j > i:
				c.IP(ns, "route", "add", c.Net4(j), "via", c.Addr4(i, 2))
				c.IP(ns, "-6", "route", "add", c.Net6(j), "via", c.Addr6(i, 2))
			}
		}
	}
	return c
}

// Net4 is link j's IPv4 subnet.
func (c *Chain) Net4(j int) string { return fmt.Sprintf("%s.%d.0/24", c.V4, j) }

// Net6 is link j's IPv6 subnet.
func (c *Chain) Net6(j int) string { return fmt.Sprintf("%s:%d::/64", c.V6, j) }

// Addr4 is host h's (1 or 2) IPv4 address on link j.
func (c *Chain) Addr4(j, h int) string { return fmt.Sprintf("%s.%d.%d", c.V4, j, h) }

// Addr6 is host h's (1 or 2) IPv6 address on link j.
func (c *Chain) Addr6(j, h int) string { return fmt.Sprintf("%s:%d::%d", c.V6, j, h) }

// IP runs "ip -n ns args…".
func (c *Chain) IP(ns string, args ...string) {
	c.t.Helper()
	MustRun(c.t, "ip", append([]string{"-n", ns}, args...)...)
}

// Sysctl sets kernel settings in namespace ns.
func (c *Chain) Sysctl(ns string, settings ...string) {
	c.t.Helper()
	MustRun(c.t, "ip", append([]string{"netns", "exec", ns, "sysctl", "-qw"}, settings...)...)
}

// Link joins namespace a (interface ia, host 1) and b (ib, host 2) by a
// veth pair on link j's subnets, and sets both ends up.
func (c *Chain) Link(a, ia, b, ib string, j int) {
	c.t.Helper()
	c.IP(a, "link", "add", ia, "type", "veth", "peer", "name", ib, "netns", b)
	c.IP(a, "addr", "add", c.Addr4(j, 1)+"/24", "dev", ia)
	c.IP(a, "addr", "add", c.Addr6(j, 1)+"/64", "dev", ia, "nodad")
	c.IP(b, "addr", "add", c.Addr4(j, 2)+"/24", "dev", ib)
	c.IP(b, "addr", "add", c.Addr6(j, 2)+"/64", "dev", ib, "nodad")
	c.IP(a, "link", "set", ia, "up")
	c.IP(b, "link", "set", ib, "up")
}
