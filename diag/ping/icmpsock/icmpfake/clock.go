package icmpfake

import (
	"sync"
	"time"
)

// Clock is a clock that moves only when told to. An engine waits on it
// with At; the test moves it with Advance or AdvanceTo, which fires every
// timer whose time has come. Timers are set for an absolute time, so it
// does not matter whether the engine sets its timer before or after the
// test moves the clock: a timer set for a time already reached fires at
// once. It is safe for concurrent use.
type Clock struct {
	mu     sync.Mutex
	now    time.Time
	timers map[*timer]struct{}
}

type timer struct {
	at time.Time
	c  chan time.Time
}

// NewClock returns a Clock that reads start.
func NewClock(start time.Time) *Clock {
	return &Clock{now: start, timers: map[*timer]struct{}{}}
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// At returns a channel that receives the clock's time once it reaches t
// (at once when it has), and a function that stops the timer, reporting
// whether it was still pending.
func (c *Clock) At(t time.Time) (<-chan time.Time, func() bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	tm := &timer{at: t, c: make(chan time.Time, 1)}
	if !t.After(c.now) {
		tm.c <- c.now
		return tm.c, func() bool { return false }
	}
	c.timers[tm] = struct{}{}
	return tm.c, func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		_, pending := c.timers[tm]
		delete(c.timers, tm)
		return pending
	}
}

// Advance moves the clock on by d and fires the timers that are due.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	t := c.now.Add(d)
	c.mu.Unlock()
	c.AdvanceTo(t)
}

// AdvanceTo moves the clock to t (never back) and fires the timers that
// are due.
func (c *Clock) AdvanceTo(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.now) {
		c.now = t
	}
	for tm := range c.timers {
		if !tm.at.After(c.now) {
			tm.c <- c.now
			delete(c.timers, tm)
		}
	}
}

// Pending returns how many timers are set and not yet fired or stopped.
func (c *Clock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}
