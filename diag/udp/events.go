package udp

import (
	"strconv"
	"time"

	"netdiag/diag/render"
	"netdiag/diag/wire"
)

// Kind names an event; it is the "type" field of a JSON line.
type Kind = wire.Kind

// The event kinds.
const (
	KindListen  Kind = "listen"      // server: the socket and the groups joined
	KindStart   Kind = "start"       // client: the socket and where it sends
	KindPeer    Kind = "peer"        // server: a peer heard from for the first time
	KindData    Kind = "data"        // a datagram received or sent
	KindList    Kind = wire.KindList // server: the peers, for /list on stdin
	KindClose   Kind = "close"       // server: a peer forgotten by /close on stdin
	KindError   Kind = "error"       // something failed without ending the run
	KindSummary Kind = "summary"     // totals at the end
)

// Event is one thing that happened, reported through an Emit callback.
type Event = wire.Event

// Emit receives events; the server calls it from its read loop and its
// stdin loop, so it must be safe for concurrent use.
type Emit = wire.Emit

// Header is the part common to every event.
type Header = wire.Header

func header(k Kind, role string) Header { return wire.NewHeader(k, role) }

// ListenEvent says where the server listens.
type ListenEvent struct {
	Header
	Addr string `json:"addr"`
	// DualStack is true when an IPv6 wildcard socket also receives IPv4.
	DualStack bool     `json:"dual_stack"`
	Mode      string   `json:"mode"`
	Encoding  string   `json:"encoding"`
	Groups    []string `json:"groups,omitempty"`
	// Size is the largest datagram received whole (--size).
	Size int `json:"size"`
	// RecvBuffer is the socket's receive buffer as the kernel reports it
	// (SO_RCVBUF, its bookkeeping included; omitted where unknown): what
	// a burst may queue before datagrams are dropped.
	RecvBuffer int `json:"recv_buffer,omitempty"`
	// The timed sending (--send --every), if any.
	wire.TimedInfo
}

// StartEvent says where the client sends from and to.
type StartEvent struct {
	Header
	Local  string `json:"local"`
	Remote string `json:"remote"`
	// Name is the host name given, when one was.
	Name string `json:"name,omitempty"`
	// AnySource says replies are taken from any address: the target is a
	// broadcast (--broadcast) or multicast address.
	AnySource bool `json:"any_source,omitempty"`
}

// Peer is one source address the server has heard from, with its counts.
type Peer struct {
	// ID numbers peers from 1 in the order they were first heard from:
	// the number @ID and /close take.
	ID       uint64         `json:"peer"`
	Remote   string         `json:"remote"`
	First    time.Time      `json:"first"`
	In       int64          `json:"datagrams_in"`
	BytesIn  int64          `json:"bytes_in"`
	Out      int64          `json:"datagrams_out"`
	BytesOut int64          `json:"bytes_out"`
	Duration render.Seconds `json:"duration_s"`
}

// PeerEvent is a peer heard from for the first time.
type PeerEvent struct {
	Header
	ID     uint64 `json:"peer"`
	Remote string `json:"remote"`
}

// CloseEvent is a peer forgotten by /close ID: its next datagram makes it a
// new peer with a new number.
type CloseEvent struct {
	Header
	Peer
}

// DataEvent is one datagram. It is emitted as a *DataEvent that the sender
// may reuse for the next datagram: it, its Text and its Raw are valid only
// until Emit returns.
type DataEvent struct {
	Header
	// Peer is the server's number for the peer; 0 on the client.
	Peer   uint64 `json:"peer,omitempty"`
	Local  string `json:"local"`
	Remote string `json:"remote"`
	// Dir is "in" for a datagram received, "out" for one sent.
	Dir string `json:"dir"`
	// Seq numbers the datagrams of each direction (per peer on the
	// server) from 1.
	Seq   uint64 `json:"seq"`
	Bytes int    `json:"bytes"`
	// Truncated says the datagram was longer than the receive buffer
	// (--size): Bytes and Raw are its first part.
	Truncated bool `json:"truncated,omitempty"`
	// Echo is the client's: the reply equals datagram number Echo sent,
	// RTT after it; Duplicate says that datagram was echoed already.
	Echo      uint64         `json:"echo_of,omitempty"`
	RTT       render.Seconds `json:"rtt_s,omitempty"`
	Duplicate bool           `json:"duplicate,omitempty"`
	// Text is the datagram decoded with --encoding (empty with --hex); a
	// datagram is a message, so a character cut at its end is invalid.
	// Undecoded counts the bytes at its end that Text does not cover.
	Text      wire.Decoded `json:"text"`
	Undecoded int          `json:"undecoded,omitempty"`
	// Raw are the bytes. JSON carries them as the "hex" field.
	Raw []byte `json:"-"`
}

// MarshalJSON writes the event by hand (see AppendJSON).
func (e DataEvent) MarshalJSON() ([]byte, error) {
	return e.AppendJSON(make([]byte, 0, 256+3*len(e.Raw))), nil
}

// AppendJSON appends the event's JSON object: one is printed per datagram.
func (e DataEvent) AppendJSON(b []byte) []byte {
	b = wire.AppendHeaderJSON(b, e.Header)
	if e.Peer > 0 {
		b = append(b, `,"peer":`...)
		b = strconv.AppendUint(b, e.Peer, 10)
	}
	b = wire.AppendJSONField(b, "local", e.Local)
	b = wire.AppendJSONField(b, "remote", e.Remote)
	b = wire.AppendJSONField(b, "dir", e.Dir)
	b = append(b, `,"seq":`...)
	b = strconv.AppendUint(b, e.Seq, 10)
	b = wire.AppendJSONInt(b, "bytes", int64(e.Bytes))
	if e.Truncated {
		b = append(b, `,"truncated":true`...)
	}
	if e.Echo > 0 {
		b = append(b, `,"echo_of":`...)
		b = strconv.AppendUint(b, e.Echo, 10)
		b = append(b, `,"rtt_s":`...)
		b = strconv.AppendFloat(b, time.Duration(e.RTT).Seconds(), 'f', -1, 64)
	}
	if e.Duplicate {
		b = append(b, `,"duplicate":true`...)
	}
	return wire.AppendTextJSON(b, e.Text, e.Undecoded, e.Raw)
}

// ErrorEvent reports a failure that did not end the run.
type ErrorEvent struct {
	Header
	// Op is what failed: "recv", "send", "command", "save", "every" (a
	// timed send).
	Op string `json:"op"`
	// Peer is the server's number of the peer concerned, if any.
	Peer   uint64 `json:"peer,omitempty"`
	Remote string `json:"remote,omitempty"`
	Error  string `json:"error"`
}

// EchoStats are the client's figures on the replies that echoed what it
// sent.
type EchoStats struct {
	// Echoed is how many datagrams sent came back; Lost the rest.
	Echoed     int64          `json:"echoed"`
	Lost       int64          `json:"lost"`
	LossPct    float64        `json:"loss_pct"`
	Duplicates int64          `json:"duplicates"`
	Reordered  int64          `json:"reordered"`
	RTTMin     render.Seconds `json:"rtt_min_s"`
	RTTAvg     render.Seconds `json:"rtt_avg_s"`
	RTTMax     render.Seconds `json:"rtt_max_s"`
}

// SummaryEvent ends every run.
type SummaryEvent struct {
	Header
	Sent         int64          `json:"datagrams_out"`
	BytesOut     int64          `json:"bytes_out"`
	Received     int64          `json:"datagrams_in"`
	BytesIn      int64          `json:"bytes_in"`
	Truncated    int64          `json:"truncated,omitempty"`
	Duration     render.Seconds `json:"duration_s"`
	InPerSecond  float64        `json:"in_per_s"`
	OutPerSecond float64        `json:"out_per_s"`
	// Peers are the server's peers, every one heard from.
	Peers []Peer `json:"peers,omitempty"`
	// Echo are the client's echo figures, when any reply was an echo.
	Echo *EchoStats `json:"echo,omitempty"`
	// PortClosed says an ICMP port unreachable came back.
	PortClosed bool `json:"port_closed,omitempty"`
}

// perSecond is the rate of a count over a duration.
func perSecond(n int64, d time.Duration) float64 { return render.PerSecond(n, d) }
