package clock

import (
	"context"
	"testing"
	"time"
)

func fired(c <-chan time.Time) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// TestFake checks the timers: due ones fire on Advance and only they, a
// time already reached fires at once, the clock never goes back, and a
// stopped timer never fires.
func TestFake(t *testing.T) {
	c := NewFake(t0)
	a, _ := c.At(t0.Add(time.Second))
	b, stopB := c.At(t0.Add(2 * time.Second))
	if now, _ := c.At(t0); !fired(now) {
		t.Error("a timer for the present did not fire at once")
	}
	c.Advance(time.Second - 1)
	if fired(a) || fired(b) || c.Pending() != 2 {
		t.Fatalf("timers fired early (pending %d)", c.Pending())
	}
	c.Advance(1)
	if !fired(a) || fired(b) || c.Pending() != 1 {
		t.Fatalf("at 1 s: want the first timer fired, the second pending (pending %d)", c.Pending())
	}
	c.AdvanceTo(t0) // never back
	if !c.Now().Equal(t0.Add(time.Second)) {
		t.Errorf("clock went back to %v", c.Now())
	}
	if !stopB() || stopB() || c.Pending() != 0 {
		t.Error("Stop did not report the pending timer once")
	}
	c.Advance(time.Hour)
	if fired(b) {
		t.Error("a stopped timer fired")
	}
}

// TestFakeNext checks that Next waits for a timer set by another goroutine
// and names the earliest pending one, and that it gives up with its
// context.
func TestFakeNext(t *testing.T) {
	c := NewFake(t0)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a hang guard only
	defer cancel()
	both := make(chan struct{})
	go func() {
		c.At(t0.Add(3 * time.Second))
		c.At(t0.Add(2 * time.Second))
		close(both)
	}()
	if at, err := c.Next(ctx); err != nil || !at.After(t0) {
		t.Fatalf("Next = %v, %v", at, err)
	}
	<-both
	if at, _ := c.Next(ctx); !at.Equal(t0.Add(2 * time.Second)) {
		t.Errorf("Next = t0+%v, want the earliest timer, t0+2s", at.Sub(t0))
	}
	c.Advance(time.Hour)
	done, stop := context.WithCancel(context.Background())
	stop()
	if _, err := c.Next(done); err != context.Canceled {
		t.Errorf("Next with no timer and a cancelled context = %v", err)
	}
}

// TestSystem checks the real clock: a time already past fires at once, and
// a stopped timer reports that it was pending.
func TestSystem(t *testing.T) {
	var c Clock = System{}
	now := c.Now()
	ch, _ := c.At(now.Add(-time.Second))
	<-ch
	_, stop := c.At(now.Add(time.Hour))
	if !stop() {
		t.Error("stopping an hour's timer reported it was not pending")
	}
}
