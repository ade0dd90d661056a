package scan

import (
	"testing"
	"time"
)

// feed gives c n probes, one per millisecond from at, each answered at
// once; every lossEvery-th (0: none) is answered only on a retry, its
// first attempt lost. It returns the time after the last.
func feed(c *control, n, lossEvery int, at time.Time) time.Time {
	return feedUntil(c, n, lossEvery, at, func() bool { return false })
}

// feedUntil is feed, stopping early once stop reports true (as a real path
// would change when the scan slows down).
func feedUntil(c *control, n, lossEvery int, at time.Time, stop func() bool) time.Time {
	for i := range n {
		if stop() {
			break
		}
		try := 1
		if lossEvery > 0 && i%lossEvery == 0 {
			try = 2
			c.attempt(at, false)
		}
		c.started(at)
		c.attempt(at, true)
		c.answered(try, at, time.Microsecond, false, at)
		at = at.Add(time.Millisecond)
	}
	return at
}

// TestControl walks the adaptive window through its signals. Loss is
// judged per 100 ms of first attempts, 100 ms after they end, so each
// phase below feeds 400 ms of probes.
func TestControl(t *testing.T) {
	t0 := time.Unix(1000, 0)
	c := newControl(Options{Timeout: time.Second, Retries: 6}, 400)
	if c.window() != 100 || c.rate() != 0 || c.allowedTries() != 2 {
		t.Fatalf("start: window %d rate %v tries %d, want 100, no cap, 2", c.window(), c.rate(), c.allowedTries())
	}
	// Slow start: each first-try answer opens the window by one.
	now := feed(c, 50, 0, t0)
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
	// Late answers (the timeout too short) are neither loss nor growth, and
	// do not make retries look useful.
	for range 100 {
		c.answered(2, now, 5*time.Millisecond, true, now)
	}
	if c.window() != 400 || c.backoffs != 0 || c.allowedTries() != 2 {
		t.Errorf("late answers: window %d backoffs %d tries %d, want 400, 0, 2", c.window(), c.backoffs, c.allowedTries())
	}
	// A third of the probes answered only on a retry: loss well above the
	// floor (none yet). The window halves and the rate is capped near what
	// got through.
	now = feedUntil(c, 400, 3, now, func() bool { return c.backoffs > 0 })
	if c.backoffs != 1 || c.window() > 250 || c.rate() < minRate || c.rate() > 1000 || !c.checking {
		t.Fatalf("after lossy probes: window %d backoffs %d rate %v checking %v, want 1 cut, capped, being checked", c.window(), c.backoffs, c.rate(), c.checking)
	}
	if c.allowedTries() != 3 {
		t.Errorf("after a second try was answered: %d tries allowed, want 3", c.allowedTries())
	}
	// Slower, the probes after the cut lose no first attempts: the cut
	// helped and stays, and the cap grows with the answers.
	rate := c.rate()
	now = feed(c, 400, 0, now)
	if c.backoffs != 1 || c.undone != 0 || c.checking || c.rate() <= rate {
		t.Fatalf("a cut that ended the loss: backoffs %d undone %d checking %v rate %v (was %v)", c.backoffs, c.undone, c.checking, c.rate(), rate)
	}
	// One in five lost, on and on: a cut, and then, as slower loses just as
	// much, the cut is undone and a fifth becomes the floor.
	now = feed(c, 400, 5, now)
	if c.backoffs != 2 {
		t.Fatalf("20%% loss over a zero floor: backoffs %d, want a second cut", c.backoffs)
	}
	now = feed(c, 400, 5, now)
	if c.backoffs != 1 || c.undone != 1 || c.floor < 0.1 || c.floor > 0.2 {
		t.Fatalf("a cut that did not help: backoffs %d undone %d floor %v, want 1, 1, ~0.17", c.backoffs, c.undone, c.floor)
	}
	now = feed(c, 1000, 5, now)
	if c.backoffs != 1 {
		t.Errorf("the floor's own loss cut again (backoffs %d)", c.backoffs)
	}
	// Much more loss than the floor still cuts.
	now = feedUntil(c, 400, 2, now, func() bool { return c.backoffs > 1 })
	if c.backoffs != 2 {
		t.Errorf("50%% loss over the floor did not cut (backoffs %d)", c.backoffs)
	}
	// One slow answer is noise; answers that stay much slower than the
	// fastest seen, over half the timeout, are queueing: cut.
	now = now.Add(time.Second)
	c.answered(1, now, 900*time.Millisecond, false, now)
	if c.backoffs != 2 {
		t.Errorf("one slow answer cut (backoffs %d)", c.backoffs)
	}
	for i := range 20 {
		c.answered(1, now, 900*time.Millisecond, false, now.Add(time.Duration(i)))
	}
	if c.backoffs != 3 {
		t.Errorf("slow answers did not cut (backoffs %d)", c.backoffs)
	}
	// Tries never exceed 1+Retries.
	c.answered(9, now.Add(4*time.Second), time.Millisecond, false, now.Add(5*time.Second))
	if c.allowedTries() != 7 {
		t.Errorf("%d tries allowed, want 1+Retries = 7", c.allowedTries())
	}
	// A local shortage shrinks the window below what was in flight.
	c.localShortage(20)
	if c.window() != 15 {
		t.Errorf("after a shortage with 20 in flight: window %d, want 15", c.window())
	}
}

// TestControlSlowTimeout: with a timeout far below the round trip (100 µs),
// answers that take milliseconds are not queueing, as long as they stay
// near the fastest seen or within queueDelay.
func TestControlSlowTimeout(t *testing.T) {
	c := newControl(Options{Timeout: 100 * time.Microsecond, Retries: 6}, 400)
	now := time.Unix(1000, 0)
	for i := range 1000 {
		rtt := time.Duration(50+i%200) * time.Microsecond * 10 // 0.5–2.5 ms
		c.answered(1, now, rtt, false, now)
		now = now.Add(10 * time.Microsecond)
	}
	if c.backoffs != 0 || c.rate() != 0 {
		t.Errorf("answers slower than a 100µs timeout slowed the scan down: backoffs %d, rate cap %v", c.backoffs, c.rate())
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
