package ping

import (
	"net/netip"
	"time"
)

// EventKind says what an Event reports.
type EventKind int

// The events Run reports, in the order they can happen.
const (
	// EventStart: names are resolved and sockets open; Summary holds the
	// host list, the socket mode and the data size.
	EventStart EventKind = iota + 1
	// EventReply: an echo reply came. Dup marks a second reply to the same
	// probe, Late one that came after the probe had timed out.
	EventReply
	// EventTimeout: a probe's timeout passed without a reply or error; it
	// counts as lost.
	EventTimeout
	// EventError: an ICMP error about a probe came, or sending it failed
	// (Error says which).
	EventError
	// EventHostDone: a host has no probe left to send and none in flight.
	EventHostDone
	// EventStats: statistics so far, asked for through
	// Options.StatsRequests; Summary holds them.
	EventStats
)

// Event is one thing that happened during a run. Host is a copy of the
// host's statistics with the event already counted.
type Event struct {
	Kind EventKind
	// Time is when it happened: the kernel's receive time for replies and
	// ICMP errors where the system gives one.
	Time time.Time
	Host HostStats
	// Seq is the probe's number for that host, from 1 (iputils' icmp_seq
	// when one host is pinged).
	Seq int

	// For EventReply: who answered, the ICMP message's length, the reply's
	// TTL (-1 when unknown) and the round-trip time.
	From  netip.Addr
	Bytes int
	TTL   int
	RTT   time.Duration
	Dup   bool
	Late  bool

	// Error is set for EventError.
	Error *ProbeError
	// Summary is set for EventStart and EventStats.
	Summary *Summary
}
