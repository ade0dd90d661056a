package testnet

import "time"

// FakeClock is a clock for timed sending (wire.Clock) that the test
// drives: every After is handed to the test on Afters, which checks its
// duration and fires it when it wants the wait to end.
type FakeClock struct {
	Afters chan FakeAfter
}

// FakeAfter is one wait: its duration and the channel that ends it.
type FakeAfter struct {
	D    time.Duration
	Fire chan time.Time
}

// NewFakeClock returns a FakeClock whose waits the test must take from
// Afters.
func NewFakeClock() FakeClock { return FakeClock{Afters: make(chan FakeAfter)} }

// After hands the wait to the test and returns the channel it fires.
func (c FakeClock) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	c.Afters <- FakeAfter{D: d, Fire: ch}
	return ch
}
