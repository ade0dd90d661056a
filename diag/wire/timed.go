package wire

import (
	"context"
	"fmt"
	"slices"
	"time"

	"netdiag/diag/render"
	"netdiag/internal/clock"
)

// Timed is a server's timed sending: --send TEXT --every D [--repeat N].
type Timed struct {
	// Send is the TEXT, encoded; nil sends nothing.
	Send []byte
	// Every is the time between two rounds; the first round is Every
	// after the start.
	Every time.Duration
	// Repeat is the number of rounds; 0 sends until the context ends.
	Repeat int
}

// RunTimed sends t.Send to every client of hub, in rounds t.Every apart on
// clk (nil: the system clock), the first t.Every after it is called: t.Repeat
// rounds, or until ctx is done when t.Repeat is 0. A round goes to the
// clients connected at that moment (hub.Peers); one with no clients sends
// nothing and still counts. Each send is reported by hub.Send, as a data
// event; a send that fails is passed to fail ("#ID: why"), unless that
// client has gone meanwhile, and the round and the rounds after go on.
// Without t.Send it returns at once.
func RunTimed(ctx context.Context, hub Hub, t Timed, clk clock.Clock, fail func(error)) {
	if t.Send == nil {
		return
	}
	if clk == nil {
		clk = clock.System{}
	}
	if !wait(ctx, clk, t.Every, nil) {
		return
	}
	Repeat(ctx, clk, t.Repeat, t.Every, nil, func(int) error {
		for _, p := range hub.Peers() {
			if err := hub.Send(p.ID, t.Send); err != nil && connected(hub, p.ID) {
				fail(fmt.Errorf("#%d: %w", p.ID, err))
			}
		}
		return nil
	})
}

// connected reports whether client id is still among hub's clients.
func connected(hub Hub, id uint64) bool {
	return slices.ContainsFunc(hub.Peers(), func(p PeerInfo) bool { return p.ID == id })
}

// StartTimed runs RunTimed in a goroutine and returns the function that
// stops it and waits for it to end. A server calls it once its clients
// can be reached, and stops it before its summary, so that no data event
// comes after the summary.
func StartTimed(ctx context.Context, hub Hub, t Timed, clk clock.Clock, fail func(error)) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); RunTimed(ctx, hub, t, clk, fail) }()
	return func() { cancel(); <-done }
}

// TimedInfo is a server's timed sending as its listen event reports it:
// the bytes, the time between rounds and their number (zero: no timed
// sending; Repeat 0: until Ctrl-C).
type TimedInfo struct {
	SendBytes int            `json:"send_bytes,omitempty"`
	Every     render.Seconds `json:"every_s,omitempty"`
	Repeat    int            `json:"repeat,omitempty"`
}

// Info returns what the listen event says of t.
func (t Timed) Info() TimedInfo {
	if t.Send == nil {
		return TimedInfo{}
	}
	return TimedInfo{SendBytes: len(t.Send), Every: render.Seconds(t.Every), Repeat: t.Repeat}
}

// String is the listen line's note: ", sending 9 bytes every 5s (10
// rounds)", or "" without timed sending.
func (t TimedInfo) String() string {
	if t.SendBytes == 0 {
		return ""
	}
	s := fmt.Sprintf(", sending %d %s every %v", t.SendBytes, Plural(t.SendBytes, "byte"), time.Duration(t.Every))
	if t.Repeat > 0 {
		s += fmt.Sprintf(" (%d %s)", t.Repeat, Plural(t.Repeat, "round"))
	}
	return s
}
