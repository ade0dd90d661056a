// Package clock is netdiag's one source of time for engines that wait:
// ping's scheduler and timeouts, and the timed sending of tcp and udp
// (--interval, --every, through wire.Repeat). Engines take a Clock; Run
// hands in System, and tests hand in a Fake that moves only when told to,
// so every time they assert is exact and nothing waits on the wall clock.
package clock

import (
	"context"
	"sync"
	"time"
)

// Clock is a source of time.
type Clock interface {
	// Now returns the clock's time.
	Now() time.Time
	// At returns a channel that receives once the clock reaches t (at
	// once when it has), and a function that stops the timer, reporting
	// whether it was still pending.
	At(t time.Time) (<-chan time.Time, func() bool)
}

// System is the time package's clock.
type System struct{}

// Now is time.Now.
func (System) Now() time.Time { return time.Now() }

// At is a time.Timer for t.
func (System) At(t time.Time) (<-chan time.Time, func() bool) {
	tm := time.NewTimer(time.Until(t))
	return tm.C, tm.Stop
}

// Fake is a clock that moves only when told to. An engine waits on it with
// At; the test moves it with Advance or AdvanceTo, which fires every timer
// whose time has come, and learns when the engine waits with Next. Timers
// are set for an absolute time, so it does not matter whether the engine
// sets its timer before or after the test moves the clock: a timer set for
// a time already reached fires at once. It is safe for concurrent use.
type Fake struct {
	mu     sync.Mutex
	now    time.Time
	timers map[*timer]struct{}
	set    chan struct{} // 1-buffered: a timer was set
}

type timer struct {
	at time.Time
	c  chan time.Time
}

// NewFake returns a Fake that reads start.
func NewFake(start time.Time) *Fake {
	return &Fake{now: start, timers: map[*timer]struct{}{}, set: make(chan struct{}, 1)}
}

// Now returns the clock's time.
func (c *Fake) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// At returns a channel that receives the clock's time once it reaches t
// (at once when it has), and a function that stops the timer, reporting
// whether it was still pending.
func (c *Fake) At(t time.Time) (<-chan time.Time, func() bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	tm := &timer{at: t, c: make(chan time.Time, 1)}
	if !t.After(c.now) {
		tm.c <- c.now
		return tm.c, func() bool { return false }
	}
	c.timers[tm] = struct{}{}
	select {
	case c.set <- struct{}{}:
	default:
	}
	return tm.c, func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		_, pending := c.timers[tm]
		delete(c.timers, tm)
		return pending
	}
}

// Advance moves the clock on by d and fires the timers that are due.
func (c *Fake) Advance(d time.Duration) {
	c.mu.Lock()
	t := c.now.Add(d)
	c.mu.Unlock()
	c.AdvanceTo(t)
}

// AdvanceTo moves the clock to t (never back) and fires the timers that
// are due.
func (c *Fake) AdvanceTo(t time.Time) {
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
func (c *Fake) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

// Next waits until a timer is pending and returns the earliest one's time:
// the moment the engine waits for. It returns ctx's error if ctx ends
// first.
func (c *Fake) Next(ctx context.Context) (time.Time, error) {
	for {
		c.mu.Lock()
		var first time.Time
		for tm := range c.timers {
			if first.IsZero() || tm.at.Before(first) {
				first = tm.at
			}
		}
		c.mu.Unlock()
		if !first.IsZero() {
			return first, nil
		}
		select {
		case <-c.set:
		case <-ctx.Done():
			return time.Time{}, ctx.Err()
		}
	}
}
