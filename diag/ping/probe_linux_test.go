package ping_test

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"netdiag/diag/ping"
	"netdiag/internal/testnet"
)

// TestProbeLoopback pings loopback addresses of both families through the
// API the check command uses.
func TestProbeLoopback(t *testing.T) {
	testnet.RequireRoot(t)
	for _, a := range []string{"127.0.0.1", "127.3.2.1", "::1"} {
		// Every reply comes: a long timeout costs nothing, and keeps a reply
		// the loaded machine reads late from counting as lost.
		start := time.Now()
		st, err := ping.Probe(context.Background(), netip.MustParseAddr(a), ping.ProbeOptions{Count: 3, Interval: 20 * time.Millisecond, Timeout: time.Minute})
		el := time.Since(start)
		if err != nil {
			t.Fatalf("Probe(%s): %v", a, err)
		}
		if st.Addr != netip.MustParseAddr(a) || st.Sent != 3 || st.Received != 3 || st.Lost != 0 || st.InFlight != 0 || !st.Alive() {
			t.Errorf("Probe(%s) = %+v", a, st)
		}
		// No round trip can be longer than the call that measured it.
		if st.RTTMin <= 0 || st.RTTMin > st.RTTAvg || st.RTTAvg > st.RTTMax || st.RTTMax > el {
			t.Errorf("Probe(%s) RTTs min/avg/max = %v/%v/%v in a %v call", a, st.RTTMin, st.RTTAvg, st.RTTMax, el)
		}
		if loss, ok := st.Loss(); !ok || loss != 0 {
			t.Errorf("Probe(%s) loss = %v, %v", a, loss, ok)
		}
	}
}

// TestProbeDeadline checks that the context's deadline bounds Probe and
// that probes still in flight then are not counted as lost. A Probe that
// ignored the deadline would wait the hour its timeout allows, and fail
// the test at go test's -timeout.
func TestProbeDeadline(t *testing.T) {
	testnet.RequireTools(t, "nft")
	ns := testnet.Netns(t, "ping")
	testnet.MustRun(t, "ip", "netns", "exec", ns, "nft", `add table inet t
add chain inet t in { type filter hook input priority 0; }
add rule inet t in icmp type echo-reply drop`)
	var st ping.HostStats
	var err error
	testnet.DoInNetns(t, ns, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		st, err = ping.Probe(ctx, netip.MustParseAddr("127.0.0.1"), ping.ProbeOptions{Count: 5, Interval: 100 * time.Millisecond, Timeout: time.Hour})
		return nil
	})
	if err != nil || st.Received != 0 || st.Lost != 0 || st.InFlight != st.Sent || st.Sent < 1 {
		t.Errorf("Probe with every reply dropped, 300 ms deadline = %+v, %v; want all sent probes in flight, none lost", st, err)
	}
	if _, ok := st.Loss(); ok {
		t.Errorf("loss is known with nothing settled: %+v", st)
	}
}
