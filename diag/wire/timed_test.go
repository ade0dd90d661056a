package wire

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"netdiag/internal/clock"
	"netdiag/internal/testnet"
)

// timedHub is a Hub whose clients the test sets; Send counts what each
// got, fails for the clients in fail, and drops leaving before failing (a
// client gone while the round runs).
type timedHub struct {
	mu      sync.Mutex
	peers   []uint64
	got     map[uint64]int
	fail    map[uint64]bool
	leaving uint64
}

func (h *timedHub) Peers() []PeerInfo {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []PeerInfo
	for _, id := range h.peers {
		out = append(out, PeerInfo{ID: id})
	}
	return out
}

func (h *timedHub) Send(id uint64, p []byte) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case string(p) != "tick":
		return fmt.Errorf("sent %q", p)
	case id == h.leaving:
		h.peers = slices.DeleteFunc(h.peers, func(p uint64) bool { return p == id })
		return errors.New("gone")
	case h.fail[id]:
		return errors.New("boom")
	}
	h.got[id]++
	return nil
}

func (h *timedHub) Close(uint64) error { return errors.New("not used") }

func (h *timedHub) set(edit func(h *timedHub)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	edit(h)
}

// RunTimed: the first round one period after the start, --repeat rounds
// and no more (an empty round counts), each to the clients of that moment;
// a failed send is reported with its client and the rounds go on, unless
// the client had gone.
func TestRunTimedRepeat(t *testing.T) {
	start := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	clk := clock.NewFake(start)
	hub := &timedHub{got: map[uint64]int{}, fail: map[uint64]bool{2: true}}
	var mu sync.Mutex
	var failed []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		RunTimed(context.Background(), hub, Timed{Send: []byte("tick"), Every: 3 * time.Second, Repeat: 4}, clk, func(err error) {
			mu.Lock()
			failed = append(failed, err.Error())
			mu.Unlock()
		})
	}()
	edits := []func(*timedHub){
		func(*timedHub) {}, // round 1: no client yet
		func(h *timedHub) { h.peers = []uint64{1, 2} },
		func(h *timedHub) { h.peers = append(h.peers, 3) },
		func(h *timedHub) { h.leaving = 1 },
	}
	for i, edit := range edits {
		// Next returns once RunTimed waits: the round before is done, so
		// the edit is all this round's.
		at, err := clk.Next(t.Context())
		if want := start.Add(time.Duration(i+1) * 3 * time.Second); err != nil || !at.Equal(want) {
			t.Fatalf("round %d at %v (%v), want %v", i+1, at, err, want)
		}
		hub.set(edit)
		clk.AdvanceTo(at)
	}
	select {
	case <-done:
	case <-time.After(testnet.HangGuard):
		t.Fatal("RunTimed did not return after --repeat 4 rounds")
	}
	if n := clk.Pending(); n != 0 {
		t.Errorf("%d timers left after the last round", n)
	}
	if want := map[uint64]int{1: 2, 3: 2}; !maps.Equal(hub.got, want) {
		t.Errorf("clients got %v, want %v", hub.got, want)
	}
	if got, want := strings.Join(failed, "; "), "#2: boom; #2: boom; #2: boom"; got != want {
		t.Errorf("failures %q, want %q (none for the client that left)", got, want)
	}
}

// Without --repeat, StartTimed sends until stopped; stop waits for the
// goroutine. Without TEXT nothing is timed at all.
func TestStartTimedForever(t *testing.T) {
	clk := clock.NewFake(time.Now())
	hub := &timedHub{peers: []uint64{7}, got: map[uint64]int{}}
	fail := func(err error) { t.Errorf("failure: %v", err) }
	stop := StartTimed(context.Background(), hub, Timed{Send: []byte("tick"), Every: time.Second}, clk, fail)
	for range 5 {
		testnet.Tick(t, clk, time.Second)
	}
	if _, err := clk.Next(t.Context()); err != nil { // the fifth round is done
		t.Fatal(err)
	}
	stop()
	if hub.got[7] != 5 || clk.Pending() != 0 {
		t.Errorf("got %d ticks, %d timers left after stop; want 5, 0", hub.got[7], clk.Pending())
	}
	StartTimed(context.Background(), hub, Timed{Every: time.Second}, clk, fail)()
	if clk.Pending() != 0 {
		t.Errorf("a timer without --send")
	}
}
