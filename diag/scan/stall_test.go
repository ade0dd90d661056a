package scan_test

import (
	"context"
	"net"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"netdiag/diag/netaddr"
	"netdiag/diag/scan"
)

// TestStallRecovery simulates this machine stalling (a loaded CPU starving
// the scanner, or the kernel's softirq thread, for 1.2 s): an attempt
// started in that window is answered only when the stall ends, if it is
// still waiting then, as a real answer waits in a queue. Attempts whose
// wait ends inside the stall go unanswered and are retried; the retries'
// answers come later than those attempts waited, which reads as late
// answers (a slow machine), not as loss to back off for. Every port must
// read right — a port's last attempt waits at least the timeout (2 s),
// longer than the stall, so no port can spend all its attempts inside it,
// however slow this machine is — and the scan must not crawl after it.
func TestStallRecovery(t *testing.T) {
	r := freeRange(t, 20000)
	dial := scan.DialWith(&net.Dialer{})
	opt := scan.Options{
		Targets: []netaddr.Target{target(t, "127.0.0.1")}, Ports: netaddr.NewPortList(r),
		Timeout: 2 * time.Second, Dial: dial, Concurrency: 64,
	}
	start := time.Now()
	if _, err := scan.Run(context.Background(), opt, scan.Events{}); err != nil {
		t.Fatal(err)
	}
	baseline := time.Since(start)
	start = time.Now()
	// The stall begins at the 2,000th attempt, whatever this machine's speed.
	var dials, began atomic.Int64
	stalled := func(ctx context.Context, ap netip.AddrPort, timeout time.Duration) (net.Conn, error) {
		if dials.Add(1) == 2000 {
			began.Store(time.Now().UnixNano())
		}
		now := time.Now()
		stallFrom := time.Unix(0, began.Load())
		stallTo := stallFrom.Add(1200 * time.Millisecond)
		if began.Load() == 0 || now.Before(stallFrom) || !now.Before(stallTo) {
			return dial(ctx, ap, timeout)
		}
		deadline := now.Add(timeout)
		if !deadline.After(stallTo) {
			select {
			case <-time.After(timeout):
				return nil, context.DeadlineExceeded
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		select {
		case <-time.After(time.Until(stallTo)):
			return dial(ctx, ap, time.Until(deadline))
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	opt.Dial = stalled
	res, err := scan.Run(context.Background(), opt, scan.Events{})
	if err != nil {
		t.Fatal(err)
	}
	el := time.Since(start)
	t.Logf("%v (%v without the stall): %+v probes %d retries %d late %d backoffs %d rate cap %.0f", el, baseline, res.Counts, res.Probes, res.Retries, res.Late, res.Backoffs, res.RateCap)
	if res.Late == 0 {
		t.Errorf("no attempt was answered late: the stall was not simulated")
	}
	if res.Counts.Closed != uint64(r.Len()) {
		t.Errorf("counts %+v, want all %d closed", res.Counts, r.Len())
	}
	// The stall costs 1.2 s, the slower start after it a few more; crawling
	// at a collapsed rate cap would take half a minute.
	if el > baseline+6*time.Second {
		t.Errorf("a 1.2 s stall made the scan take %v instead of %v", el, baseline)
	}
}
