package ping

import (
	"netdiag/diag/ping/icmpsock"
	"netdiag/internal/clock"
)

// system is what the engine runs on: the ICMP sockets it opens and its
// clock. Run uses the real ones; the engine's tests hand in icmpfake's
// network and a clock.Fake, which let them answer each request as they
// please and move time on by hand.
type system struct {
	open func(icmpsock.Config) (icmpsock.Socket, error)
	// clock is the engine's source of time: every time it reckons with
	// (send times, timeouts, the deadline, event times) comes from it.
	clock clock.Clock
}

// openSocket opens a real ICMP socket.
func openSocket(cfg icmpsock.Config) (icmpsock.Socket, error) {
	c, err := icmpsock.Open(cfg)
	if err != nil {
		return nil, err // not a nil *Conn in a non-nil interface
	}
	return c, nil
}
