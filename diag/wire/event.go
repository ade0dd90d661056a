package wire

import "time"

// Kind names an event of the tcp and udp commands; it is the "type" field
// of a JSON line, the kind key every netdiag command's JSON lines share.
type Kind string

// Event is one thing that happened; servers and clients report events
// through an Emit callback, and a Printer prints them.
type Event interface {
	// EventKind returns the event's kind.
	EventKind() Kind
	// EventTime returns when it happened.
	EventTime() time.Time
}

// Emit receives events. Servers call it from several goroutines at once
// (connections, the stdin command loop), so it must be safe for concurrent
// use; it should not block for long.
type Emit func(Event)

// Header is the part common to every event.
type Header struct {
	Kind Kind      `json:"type"`
	Time time.Time `json:"time"`
	// Role is "server" or "client".
	Role string `json:"role"`
}

// EventKind returns the event's kind.
func (h Header) EventKind() Kind { return h.Kind }

// EventTime returns when the event happened.
func (h Header) EventTime() time.Time { return h.Time }

// NewHeader returns the header of an event of kind k happening now.
func NewHeader(k Kind, role string) Header { return Header{Kind: k, Time: time.Now(), Role: role} }
