package ping_test

import (
	"math"
	"strings"
	"testing"
	"time"
)

// TestLoopbackVsIputils pings loopback addresses and localhost by name
// with netdiag and iputils ping side by side: the PING line, the reply
// lines, the counts, the loss and the exit code must be the same, and the
// round-trip times agree within noise.
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
		// Loopback round trips are tens of microseconds; both tools see the
		// same kernel path, so the averages differ by scheduling noise only.
		if !n.rttShown || n.rttMin <= 0 || n.rttMin > n.rttAvg || n.rttAvg > n.rttMax || math.Abs(n.rttAvg-i.rttAvg) > 1 {
			t.Errorf("%s: rtt netdiag %v/%v/%v/%v ms, iputils %v/%v/%v/%v ms", target,
				n.rttMin, n.rttAvg, n.rttMax, n.rttMDev, i.rttMin, i.rttAvg, i.rttMax, i.rttMDev)
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
