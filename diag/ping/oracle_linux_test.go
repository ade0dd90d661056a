package ping_test

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestLoopbackVsIputils pings loopback addresses and localhost by name
// with netdiag and iputils ping side by side: the PING line, the reply
// lines, the counts, the loss and the exit code must be the same, and
// each tool's rtt summary must agree with its reply lines.
func TestLoopbackVsIputils(t *testing.T) {
	for _, target := range []string{"127.0.0.1", "127.8.9.10", "::1", "localhost"} {
		nd, ip := pingBoth(t, "", 20*time.Second, "-c", "5", "-i", "0.05", target)
		if nd.Code != 0 || ip.Code != 0 {
			t.Fatalf("%s: netdiag %s\niputils %s", target, describe(nd), describe(ip))
		}
		n, i := parseStats(t, "netdiag", nd.Stdout), parseStats(t, "iputils", ip.Stdout)
		if n.header != i.header {
			t.Errorf("%s: PING line\nnetdiag: %q\niputils: %q", target, n.header, i.header)
		}
		if n.transmitted != 5 || n.received != 5 || n.replies != 5 || n.loss != 0 || !n.lossShown ||
			n.transmitted != i.transmitted || n.received != i.received || n.replies != i.replies || n.loss != i.loss {
			t.Errorf("%s: netdiag %+v\niputils %+v", target, n, i)
		}
		// Round-trip times are not compared between the tools: on a loaded
		// machine either may be held up for milliseconds. Each tool's
		// summary must agree with its own reply lines instead.
		for who, r := range map[string]struct {
			s   stats
			out string
		}{"netdiag": {n, nd.Stdout}, "iputils": {i, ip.Stdout}} {
			if msg := rttConsistent(r.s, r.out); msg != "" {
				t.Errorf("%s %s: %s\n%s", who, target, msg, r.out)
			}
		}
		if nd.Stderr != "" {
			t.Errorf("%s: netdiag wrote to stderr: %s", target, nd.Stderr)
		}
		if target == "localhost" && !strings.Contains(nd.Stdout, "bytes from localhost (127.0.0.1): icmp_seq=1 ttl=64 time=") {
			t.Errorf("localhost: reply lines do not name the host as iputils does:\n%s", nd.Stdout)
		}
	}
}

// TestQuietAndSize compares -q and -s with iputils: only the PING line and
// the summary, and the sizes in both.
func TestQuietAndSize(t *testing.T) {
	for _, tc := range []struct{ target, size, bytes string }{
		{"127.0.0.1", "0", "8 bytes from"},
		{"127.0.0.1", "1400", "1408 bytes from"},
		{"::1", "65527", "65535 bytes from"},
	} {
		nd, ip := pingBoth(t, "", 20*time.Second, "-c", "2", "-i", "0.05", "-s", tc.size, tc.target)
		n, i := parseStats(t, "netdiag", nd.Stdout), parseStats(t, "iputils", ip.Stdout)
		if nd.Code != ip.Code || n.header != i.header || n.received != i.received || n.received != 2 || !strings.Contains(nd.Stdout, tc.bytes) {
			t.Errorf("-s %s %s: netdiag %s\niputils %s", tc.size, tc.target, describe(nd), describe(ip))
		}
		ndq, ipq := pingBoth(t, "", 20*time.Second, "-q", "-c", "2", "-i", "0.05", "-s", tc.size, tc.target)
		if strings.Count(ndq.Stdout, "\n") != strings.Count(ipq.Stdout, "\n") || strings.Contains(ndq.Stdout, "bytes from") {
			t.Errorf("-q -s %s %s: netdiag\n%s\niputils\n%s", tc.size, tc.target, ndq.Stdout, ipq.Stdout)
		}
	}
}

// rttConsistent checks a summary's rtt line against the reply lines: min
// and max are the least and greatest reply time and avg lies between
// them, up to the reply lines' rounding (at most half a millisecond, for
// times of 100 ms and more). It returns what is wrong, or "".
func rttConsistent(s stats, out string) string {
	if !s.rttShown {
		return "no rtt line"
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, m := range replyTimeRE.FindAllStringSubmatch(out, -1) {
		v, _ := strconv.ParseFloat(m[1], 64)
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	const round = 0.5
	switch {
	case s.rttMin <= 0 || s.rttMin > s.rttAvg || s.rttAvg > s.rttMax || s.rttMDev < 0 || s.rttMDev > s.rttMax-s.rttMin:
		return fmt.Sprintf("rtt %v/%v/%v/%v ms is not min/avg/max/mdev", s.rttMin, s.rttAvg, s.rttMax, s.rttMDev)
	case math.Abs(s.rttMin-lo) > round || math.Abs(s.rttMax-hi) > round:
		return fmt.Sprintf("rtt min/max %v/%v ms, reply lines %v to %v ms", s.rttMin, s.rttMax, lo, hi)
	}
	return ""
}
