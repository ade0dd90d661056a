package ping_test

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"netdiag/internal/testnet"
)

// stats is what a ping summary says, read from netdiag's or iputils'
// output (they print the same lines).
type stats struct {
	header                                 string
	transmitted, received, dups, errors    int
	inFlight                               int
	loss                                   float64
	lossShown                              bool
	rttMin, rttAvg, rttMax, rttMDev        float64
	rttShown                               bool
	replies, dupLines, noAnswers, errLines int
}

var (
	countsRE    = regexp.MustCompile(`(?m)^(\d+) packets transmitted, (\d+) received(?:, \+(\d+) duplicates)?(?:, \+(\d+) errors)?(?:, ([\d.]+)% packet loss)?(?:, (\d+) still in flight)?`)
	rttRE       = regexp.MustCompile(`(?m)^rtt min/avg/max/mdev = ([\d.]+)/([\d.]+)/([\d.]+)/([\d.]+) ms$`)
	replyRE     = regexp.MustCompile(`(?m)^\d+ bytes from .+?: icmp_seq=\d+ ttl=\d+ time=[\d.]+ ms( \(DUP!\))?$`)
	replyTimeRE = regexp.MustCompile(`(?m)^\d+ bytes from .+?: icmp_seq=\d+ ttl=\d+ time=([\d.]+) ms`)
	errRE       = regexp.MustCompile(`(?m)^From \S+ icmp_seq=\d+ .+$`)
)

// parseStats reads a ping run's output; it fails the test when the summary
// is missing.
func parseStats(t *testing.T, who, out string) stats {
	t.Helper()
	var s stats
	s.header, _, _ = strings.Cut(out, "\n")
	m := countsRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("%s: no summary in output:\n%s", who, out)
	}
	s.transmitted, s.received, s.dups, s.errors, s.inFlight = atoi(m[1]), atoi(m[2]), atoi(m[3]), atoi(m[4]), atoi(m[6])
	if m[5] != "" {
		s.loss, _ = strconv.ParseFloat(m[5], 64)
		s.lossShown = true
	}
	if r := rttRE.FindStringSubmatch(out); r != nil {
		f := func(x string) float64 { v, _ := strconv.ParseFloat(x, 64); return v }
		s.rttMin, s.rttAvg, s.rttMax, s.rttMDev, s.rttShown = f(r[1]), f(r[2]), f(r[3]), f(r[4]), true
	}
	for _, l := range replyRE.FindAllStringSubmatch(out, -1) {
		s.replies++
		if l[1] != "" {
			s.dupLines++
		}
	}
	s.noAnswers = strings.Count(out, "no answer yet for icmp_seq=")
	s.errLines = len(errRE.FindAllString(out, -1))
	return s
}

// lost is the number of probes the summary counts as lost.
func (s stats) lost() int { return s.transmitted - s.received - s.inFlight }

// atoi reads a number the regular expressions matched ("" is 0).
func atoi(x string) int {
	n, _ := strconv.Atoi(x)
	return n
}

// pingBoth runs netdiag ping and iputils ping with the same arguments at
// the same time (in namespace ns, or the host's when ns is ""), and
// returns both results.
func pingBoth(t *testing.T, ns string, timeout time.Duration, args ...string) (nd, ip testnet.Result) {
	t.Helper()
	testnet.RequireTools(t, "ping")
	bin := testnet.Binary(t)
	var wg sync.WaitGroup
	wg.Go(func() { nd = runIn(t, ns, timeout, append([]string{bin, "ping"}, args...)...) })
	wg.Go(func() { ip = runIn(t, ns, timeout, append([]string{"ping"}, args...)...) })
	wg.Wait()
	return nd, ip
}

// runIn runs argv in namespace ns (the host's when ns is "").
func runIn(t *testing.T, ns string, timeout time.Duration, argv ...string) testnet.Result {
	t.Helper()
	if ns != "" {
		argv = testnet.InNetns(ns, argv...)
	}
	return testnet.Run(t, timeout, "", argv[0], argv[1:]...)
}

// netdiag runs the netdiag binary's ping command in namespace ns.
func netdiag(t *testing.T, ns string, timeout time.Duration, args ...string) testnet.Result {
	t.Helper()
	return runIn(t, ns, timeout, append([]string{testnet.Binary(t), "ping"}, args...)...)
}

// in runs a setup command inside namespace ns.
func in(t *testing.T, ns string, argv ...string) {
	t.Helper()
	testnet.MustRun(t, "ip", append([]string{"netns", "exec", ns}, argv...)...)
}

// routed builds three namespaces, a - r - b, joined by veth pairs, with r
// forwarding IPv4 and IPv6 and not rate-limiting its ICMP errors:
//
//	a 10.77.1.2/24 fd77:1::2/64 — r 10.77.1.1 fd77:1::1 | 10.77.2.1 fd77:2::1 — b 10.77.2.2/24 fd77:2::2/64
//
// It returns the three names.
func routed(t *testing.T) (a, r, b string) {
	t.Helper()
	testnet.RequireTools(t, "sysctl")
	a, r, b = testnet.Netns(t, "ping"), testnet.Netns(t, "ping"), testnet.Netns(t, "ping")
	testnet.MustRun(t, "ip", "link", "add", "a0", "netns", a, "type", "veth", "peer", "name", "r0", "netns", r)
	testnet.MustRun(t, "ip", "link", "add", "b0", "netns", b, "type", "veth", "peer", "name", "r1", "netns", r)
	for _, c := range [][]string{
		{a, "a0", "10.77.1.2/24", "fd77:1::2/64"},
		{r, "r0", "10.77.1.1/24", "fd77:1::1/64"},
		{r, "r1", "10.77.2.1/24", "fd77:2::1/64"},
		{b, "b0", "10.77.2.2/24", "fd77:2::2/64"},
	} {
		in(t, c[0], "ip", "addr", "add", c[2], "dev", c[1])
		in(t, c[0], "ip", "addr", "add", c[3], "dev", c[1], "nodad")
		in(t, c[0], "ip", "link", "set", c[1], "up")
	}
	in(t, a, "ip", "route", "add", "default", "via", "10.77.1.1")
	in(t, a, "ip", "-6", "route", "add", "default", "via", "fd77:1::1")
	in(t, b, "ip", "route", "add", "default", "via", "10.77.2.1")
	in(t, b, "ip", "-6", "route", "add", "default", "via", "fd77:2::1")
	in(t, r, "sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1",
		"net.ipv4.icmp_ratelimit=0", "net.ipv6.icmp.ratelimit=0")
	return a, r, b
}

// allowICMPSockets sets net.ipv4.ping_group_range in namespace ns: every
// group may use unprivileged ICMP sockets, or (allow false) none may.
// The namespace's copy of the sysctl goes away with it.
func allowICMPSockets(t *testing.T, ns string, allow bool) {
	t.Helper()
	r := "1 0"
	if allow {
		r = "0 2147483647"
	}
	in(t, ns, "sysctl", "-qw", "net.ipv4.ping_group_range="+r)
}

func describe(r testnet.Result) string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.Code, r.Stdout, r.Stderr)
}
