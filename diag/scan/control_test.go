package scan

import (
	"testing"
	"time"
)

// TestControl walks the adaptive window through its signals.
func TestControl(t *testing.T) {
	t0 := time.Unix(1000, 0)
	c := newControl(Options{Timeout: time.Second, Retries: 6}, 400)
	if c.window() != 100 || c.rate() != 0 || c.allowedTries() != 2 {
		t.Fatalf("start: window %d rate %v tries %d, want 100, no cap, 2", c.window(), c.rate(), c.allowedTries())
	}
	// Slow start: each first-try answer opens the window by one.
	for i := range 50 {
		c.started(t0)
		c.answered(1, t0, time.Millisecond, t0.Add(time.Duration(i)*time.Millisecond))
	}
	if c.window() != 150 {
		t.Errorf("after 50 answers: window %d, want 150", c.window())
	}
	// Silence before any loss opens it too; never past the maximum.
	for range 1000 {
		c.timedOut()
	}
	if c.window() != 400 {
		t.Errorf("after timeouts: window %d, want the maximum 400", c.window())
	}
	// A retry answered: loss. The window halves and the rate is capped
	// near the rate answers came at (50 in the last 0.5 s here).
	now := t0.Add(500 * time.Millisecond)
	c.answered(2, t0.Add(time.Millisecond), time.Millisecond, now)
	if c.window() != 200 || c.backoffs != 1 || c.minWindow != 200 || c.rate() < minRate || c.rate() > 100 {
		t.Errorf("after a loss: window %d backoffs %d rate %v, want 200, 1, ~75/s", c.window(), c.backoffs, c.rate())
	}
	if c.allowedTries() != 3 {
		t.Errorf("after a second try was answered: %d tries allowed, want 3", c.allowedTries())
	}
	// More losses of probes sent before that cut are the same episode.
	c.answered(2, t0.Add(2*time.Millisecond), time.Millisecond, now.Add(time.Millisecond))
	if c.window() != 200 || c.backoffs != 1 {
		t.Errorf("same episode cut again: window %d backoffs %d", c.window(), c.backoffs)
	}
	// Timeouts after a loss change nothing.
	c.timedOut()
	if c.window() != 200 {
		t.Errorf("a timeout after a loss moved the window to %d", c.window())
	}
	// A loss of a probe sent after the cut is a new episode.
	c.answered(3, now.Add(time.Millisecond), time.Millisecond, now.Add(time.Second))
	if c.window() != 100 || c.backoffs != 2 || c.allowedTries() != 4 {
		t.Errorf("second episode: window %d backoffs %d tries %d, want 100, 2, 4", c.window(), c.backoffs, c.allowedTries())
	}
	// One slow answer is noise; answers that stay much slower than the
	// fastest seen, and over half the timeout, are queueing: cut.
	c.answered(1, now.Add(2*time.Second), 900*time.Millisecond, now.Add(3*time.Second))
	if c.backoffs != 2 {
		t.Errorf("one slow answer cut (backoffs %d)", c.backoffs)
	}
	for i := range 20 {
		c.answered(1, now.Add(2*time.Second), 900*time.Millisecond, now.Add(3*time.Second+time.Duration(i)))
	}
	if c.backoffs != 3 {
		t.Errorf("slow answers did not cut (backoffs %d)", c.backoffs)
	}
	// Tries never exceed 1+Retries.
	c.answered(9, now.Add(4*time.Second), time.Millisecond, now.Add(5*time.Second))
	if c.allowedTries() != 7 {
		t.Errorf("%d tries allowed, want 1+Retries = 7", c.allowedTries())
	}
	// A local shortage shrinks the window below what was in flight.
	if c.window() != 25 {
		t.Fatalf("after four cuts: window %d, want 25", c.window())
	}
	c.localShortage(20)
	if c.window() != 15 {
		t.Errorf("after a shortage with 20 in flight: window %d, want 15", c.window())
	}
}

// TestControlRate checks that the rate cap spaces out starts.
func TestControlRate(t *testing.T) {
	c := newControl(Options{Timeout: time.Second, Rate: 100}, 10)
	t0 := time.Unix(2000, 0)
	if !c.nextStart().IsZero() && c.nextStart().After(t0) {
		t.Fatalf("first start delayed to %v", c.nextStart())
	}
	c.started(t0)
	if got := c.nextStart().Sub(t0); got != 0 {
		t.Errorf("next start %v after the first, want 0: one slot of catch-up credit at 100/s", got)
	}
	c.started(t0)
	if got := c.nextStart().Sub(t0); got != 10*time.Millisecond {
		t.Errorf("third start due %v after the first, want 10ms at 100/s", got)
	}
	// After an idle spell the credit is still only rateSlack's worth.
	c = newControl(Options{Timeout: time.Second, Rate: 1000}, 10)
	later := t0.Add(time.Second)
	n := 0
	for !c.nextStart().After(later) {
		c.started(later)
		n++
	}
	if n != 11 { // 10 ms of credit at 1000/s, and the probe due now
		t.Errorf("after idling, %d probes may start at once, want 11", n)
	}
}

func TestMeter(t *testing.T) {
	var m meter
	t0 := time.Unix(3000, 0)
	for i := range 100 {
		m.add(t0.Add(time.Duration(i) * 10 * time.Millisecond)) // 100/s for 1 s
	}
	if r := m.rate(t0.Add(time.Second)); r < 80 || r > 110 {
		t.Errorf("rate %v, want ~100/s", r)
	}
	if r := m.rate(t0.Add(5 * time.Second)); r != 0 {
		t.Errorf("rate %v four seconds later, want 0", r)
	}
}

func TestCapConcurrency(t *testing.T) {
	for _, tc := range []struct {
		want  int
		limit uint64
		got   int
	}{
		{512, 0, 512}, {512, 20000, 512}, {512, 1024, 512 /* 1024-102 = 922 */}, {5000, 1024, 922},
		{512, 100, 36}, {512, 64, 1}, {512, 10, 1},
	} {
		if got := capConcurrency(tc.want, tc.limit); got != tc.got {
			t.Errorf("capConcurrency(%d, %d) = %d, want %d", tc.want, tc.limit, got, tc.got)
		}
	}
}
