package testnet

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// HangGuard bounds every wait of an Events log. It turns a bug (an event
// that never comes) into a failure instead of a hung test; no outcome
// depends on it, so it is generous for a loaded machine.
const HangGuard = time.Minute

// Events collects the events an engine emits through its callback, for a
// test to wait on and inspect. Emit never blocks the engine, and the log is
// safe for concurrent use.
type Events[E any] struct {
	mu     sync.Mutex
	evs    []E
	keep   func(E) E
	signal chan struct{} // 1-buffered: an event was added
}

// NewEvents returns an empty log. keep, when not nil, is applied to each
// event before it is stored: it copies what the sender reuses once the
// callback returns (a data event's buffers).
func NewEvents[E any](keep func(E) E) *Events[E] {
	return &Events[E]{keep: keep, signal: make(chan struct{}, 1)}
}

// Emit stores ev; it is the engine's callback.
func (l *Events[E]) Emit(ev E) {
	if l.keep != nil {
		ev = l.keep(ev)
	}
	l.mu.Lock()
	l.evs = append(l.evs, ev)
	l.mu.Unlock()
	select {
	case l.signal <- struct{}{}:
	default:
	}
}

// All returns a copy of the events so far.
func (l *Events[E]) All() []E {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.evs)
}

// Count returns how many events so far satisfy match.
func (l *Events[E]) Count(match func(E) bool) int {
	n := 0
	for _, ev := range l.All() {
		if match(ev) {
			n++
		}
	}
	return n
}

// WaitFor waits until an event satisfies match and returns the first that
// does. match may also look at the log itself (Count, All): it is asked
// again after every new event. The test fails, with the events so far,
// when none has come within HangGuard.
func (l *Events[E]) WaitFor(t testing.TB, what string, match func(E) bool) E {
	t.Helper()
	deadline := time.After(HangGuard)
	for {
		for _, ev := range l.All() {
			if match(ev) {
				return ev
			}
		}
		select {
		case <-l.signal:
		case <-deadline:
			t.Fatalf("no %s event; events:\n%s", what, l.Dump())
		}
	}
}

// Nth waits until the log holds more than n events and returns event n
// (from 0), for a test that takes events one by one in order. The test
// fails when it has not come within HangGuard.
func (l *Events[E]) Nth(t testing.TB, n int) E {
	t.Helper()
	deadline := time.After(HangGuard)
	for {
		l.mu.Lock()
		if n < len(l.evs) {
			ev := l.evs[n]
			l.mu.Unlock()
			return ev
		}
		l.mu.Unlock()
		select {
		case <-l.signal:
		case <-deadline:
			t.Fatalf("event %d never came (%d came); events:\n%s", n, l.Len(), l.Dump())
		}
	}
}

// Len returns how many events have come.
func (l *Events[E]) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.evs)
}

// Dump returns the events so far, one %#v a line.
func (l *Events[E]) Dump() string {
	var sb strings.Builder
	for _, ev := range l.All() {
		fmt.Fprintf(&sb, "  %#v\n", ev)
	}
	return sb.String()
}
