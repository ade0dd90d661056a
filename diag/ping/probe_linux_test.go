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
		st, err := ping.Probe(context.Background(), netip.MustParseAddr(a), ping.ProbeOptions{Count: 3, Interval: 20 * time.Millisecond})
		if err != nil {
			t.Fatalf("Probe(%s): %v", a, err)
		}
		if st.Addr != netip.MustParseAddr(a) || st.Sent != 3 || st.Received != 3 || st.Lost != 0 || st.InFlight != 0 || !st.Alive() {
			t.Errorf("Probe(%s) = %+v", a, st)
		}
		if st.RTTMin <= 0 || st.RTTMin > st.RTTAvg || st.RTTAvg > st.RTTMax || st.RTTMax > time.Second {
			t.Errorf("Probe(%s) RTTs min/avg/max = %v/%v/%v", a, st.RTTMin, st.RTTAvg, st.RTTMax)
		}
		if loss, ok := st.Loss(); !ok || loss != 0 {
			t.Errorf("Probe(%s) loss = %v, %v", a, loss, ok)
		}
	}
}

// TestProbeDeadline checks that the context's deadline bounds Probe and
// that probes still in flight then are not counted as lost.
func TestProbeDeadline(t *testing.T) {
	testnet.RequireTools(t, "nft")
	ns := testnet.Netns(t, "ping")
	testnet.MustRun(t, "ip", "netns", "exec", ns, "nft", `add table inet t
add chain inet t in { type filter hook input priority 0; }
add rule inet t in icmp type echo-reply drop`)
	var st ping.HostStats
	var err error
	start := time.Now()
	testnet.DoInNetns(t, ns, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		st, err = ping.Probe(ctx, netip.MustParseAddr("127.0.0.1"), ping.ProbeOptions{Count: 5, Interval: 100 * time.Millisecond, Timeout: 10 * time.Second})
		return nil
	})
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("Probe took %v with a 300 ms deadline", el)
	}
	if err != nil || st.Received != 0 || st.Lost != 0 || st.InFlight != st.Sent || st.Sent < 2 {
		t.Errorf("Probe with every reply dropped, 300 ms deadline = %+v, %v; want all sent probes in flight, none lost", st, err)
	}
	if _, ok := st.Loss(); ok {
		t.Errorf("loss is known with nothing settled: %+v", st)
	}
}
