package ping

import (
	"time"

	"netdiag/diag/ping/icmpsock"
)

// system is what the engine runs on: the ICMP sockets it opens and its
// clock. Run uses the real ones; the engine's tests hand in the fakes of
// package icmpfake, which let them answer each request as they please and
// move time on by hand.
type system struct {
	open  func(icmpsock.Config) (icmpsock.Socket, error)
	clock clock
}

// clock is the engine's source of time. Every time the engine reckons with
// (send times, timeouts, the deadline, event times) comes from it.
type clock interface {
	Now() time.Time
	// At returns a channel that receives once the clock reaches t (at once
	// when it has), and a function that stops it.
	At(t time.Time) (<-chan time.Time, func() bool)
}

// openSocket opens a real ICMP socket.
func openSocket(cfg icmpsock.Config) (icmpsock.Socket, error) {
	c, err := icmpsock.Open(cfg)
	if err != nil {
		return nil, err // not a nil *Conn in a non-nil interface
	}
	return c, nil
}

// systemClock is the time package's clock.
type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) At(t time.Time) (<-chan time.Time, func() bool) {
	tm := time.NewTimer(time.Until(t))
	return tm.C, tm.Stop
}
