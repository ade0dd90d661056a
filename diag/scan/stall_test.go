package scan_test

import (
	"context"
	"net"
	"net/netip"
	"testing"
	"time"

	"netdiag/diag/netaddr"
	"netdiag/diag/scan"
)

// TestStallRecovery simulates this machine stalling (a loaded CPU starving
// the scanner, or the kernel's softirq thread, for 1.5 s): every attempt
// started in that window gets no answer. The retries are answered, which
// looks like packet loss, so the scan backs off — but it must recover its
// speed within seconds instead of crawling, and read every port right.
func TestStallRecovery(t *testing.T) {
	r := freeRange(t, 20000)
	dial := scan.DialWith(&net.Dialer{})
	opt := scan.Options{
		Targets: []netaddr.Target{target(t, "127.0.0.1")}, Ports: netaddr.NewPortList(r),
		Timeout: time.Second, Dial: dial, Concurrency: 64,
	}
	start := time.Now()
	if _, err := scan.Run(context.Background(), opt, scan.Events{}); err != nil {
		t.Fatal(err)
	}
	baseline := time.Since(start)
	start = time.Now()
	stallFrom, stallTo := start.Add(100*time.Millisecond), start.Add(1600*time.Millisecond)
	stalled := func(ctx context.Context, ap netip.AddrPort, timeout time.Duration) (net.Conn, error) {
		if now := time.Now(); now.After(stallFrom) && now.Before(stallTo) {
			select {
			case <-time.After(timeout):
				return nil, context.DeadlineExceeded
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		return dial(ctx, ap, timeout)
	}
	opt.Dial = stalled
	res, err := scan.Run(context.Background(), opt, scan.Events{})
	if err != nil {
		t.Fatal(err)
	}
	el := time.Since(start)
	t.Logf("%v (%v without the stall): %+v probes %d retries %d backoffs %d rate cap %.0f", el, baseline, res.Counts, res.Probes, res.Retries, res.Backoffs, res.RateCap)
	if res.Counts.Closed != uint64(r.Len()) {
		t.Errorf("counts %+v, want all %d closed", res.Counts, r.Len())
	}
	// The stall and the two timeouts it spans cost about 2.5 s, the slower
	// start after it a few more; crawling at a collapsed rate cap would
	// take half a minute.
	if el > baseline+6*time.Second {
		t.Errorf("a 1.5 s stall made the scan take %v instead of %v", el, baseline)
	}
}
