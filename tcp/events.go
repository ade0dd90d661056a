package tcp

import (
	"strconv"
	"time"

	"netdiag/diag/render"
	"netdiag/diag/wire"
)

// Kind names an event; it is the "type" field of a JSON line, the kind
// key every netdiag command's JSON lines share.
type Kind = wire.Kind

// The event kinds, in the order a session produces them.
const (
	KindListen     Kind = "listen"      // server: the listening sockets
	KindConnect    Kind = "connect"     // a connection is established
	KindData       Kind = "data"        // bytes received (or sent: --send, stdin commands)
	KindList       Kind = wire.KindList // server: the clients, for /list on stdin
	KindDisconnect Kind = "disconnect"  // a connection ended
	KindError      Kind = "error"       // something went wrong or a client was refused
	KindSummary    Kind = "summary"     // totals at the end
)

// Event is one thing that happened; the server and the client report
// events through an Emit callback, and the renderer prints them.
type Event = wire.Event

// Emit receives events. The server calls it from every connection's
// goroutine at once, so it must be safe for concurrent use; it should not
// block for long, since the connection waits for it.
type Emit = wire.Emit

// Header is the part common to every event.
type Header = wire.Header

func header(k Kind, role string) Header { return wire.NewHeader(k, role) }

// Peer identifies one connection.
type Peer struct {
	// Conn numbers the server's connections from 1 in accept order; the
	// client's one connection is 1.
	Conn   uint64 `json:"conn"`
	Local  string `json:"local"`
	Remote string `json:"remote"`
}

// ListenEvent says where the server listens.
type ListenEvent struct {
	Header
	// Addrs are the listening sockets ("[::]:9090", "127.0.0.1:9090").
	Addrs []string `json:"addrs"`
	// DualStack is true when an IPv6 wildcard socket also accepts IPv4.
	DualStack bool `json:"dual_stack"`
	// Reachable lists host:port for every local address the sockets
	// accept on, when they listen on a wildcard address.
	Reachable   []string       `json:"reachable,omitempty"`
	Mode        string         `json:"mode"`
	Encoding    string         `json:"encoding"`
	MaxConns    int            `json:"max_conns,omitempty"`
	IdleTimeout render.Seconds `json:"idle_timeout_s,omitempty"`
	// The timed sending (--send --every), if any.
	wire.TimedInfo
}

// ConnectEvent is a new connection: a client accepted by the server, or the
// client's connection established.
type ConnectEvent struct {
	Header
	Peer
	// Active is the number of connections the server holds, this one
	// included.
	Active int `json:"active,omitempty"`
	// Name is the host name the client resolved, when it was given one.
	Name string `json:"name,omitempty"`
	// ConnectTime is how long the client's connect took.
	ConnectTime render.Seconds `json:"connect_s,omitempty"`
}

// DataEvent is a chunk of bytes, as one read returned it (or as the client
// sent it with --send). It is emitted as a *DataEvent that the sender
// reuses for the next chunk: it, its Text and its Raw are valid only until
// Emit returns; copy what you keep.
type DataEvent struct {
	Header
	Peer
	// Dir is "in" for received bytes, "out" for sent ones.
	Dir string `json:"dir"`
	// Offset is the position of the chunk's first byte in the stream.
	Offset int64 `json:"offset"`
	Bytes  int   `json:"bytes"`
	// Text is the chunk decoded with --encoding; a character split between
	// two chunks appears whole in the second. Bytes that do not decode
	// appear as U+FFFD followed by \xHH escapes. It covers the chunk up to
	// its wire.ShowInvalid-th undecodable byte (see wire.Decoder.Show); with --hex it
	// is empty.
	Text wire.Decoded `json:"text"`
	// Undecoded counts the bytes at the end of the chunk that Text does
	// not cover: the rest of a binary chunk, or every byte with --hex.
	Undecoded int `json:"undecoded,omitempty"`
	// Raw are the bytes themselves. JSON carries them as the "hex" field.
	Raw []byte `json:"-"`
}

// MarshalJSON writes the event with the "text", "invalid", "undecoded"
// and "hex" fields. It is written by hand: a data event is printed for every chunk,
// and this is several times faster than encoding/json's reflection.
func (e DataEvent) MarshalJSON() ([]byte, error) {
	return e.AppendJSON(make([]byte, 0, 256+3*len(e.Raw))), nil
}

// AppendJSON appends the event's JSON object: the Printer's fast path.
func (e DataEvent) AppendJSON(b []byte) []byte {
	b = wire.AppendHeaderJSON(b, e.Header)
	b = append(b, `,"conn":`...)
	b = strconv.AppendUint(b, e.Conn, 10)
	b = wire.AppendJSONField(b, "local", e.Local)
	b = wire.AppendJSONField(b, "remote", e.Remote)
	b = wire.AppendJSONField(b, "dir", e.Dir)
	b = wire.AppendJSONInt(b, "offset", e.Offset)
	b = wire.AppendJSONInt(b, "bytes", int64(e.Bytes))
	return wire.AppendTextJSON(b, e.Text, e.Undecoded, e.Raw)
}

// DisconnectEvent is the end of a connection.
type DisconnectEvent struct {
	Header
	Peer
	// Reason says who ended it: "client left" (the client closed: a
	// zero-length read), "server closed", "idle timeout", "server
	// shutdown", "no data for 2s (--wait)", "interrupted", "reset by
	// peer", or an error message.
	Reason   string         `json:"reason"`
	BytesIn  int64          `json:"bytes_in"`
	BytesOut int64          `json:"bytes_out"`
	Duration render.Seconds `json:"duration_s"`
}

// ErrorEvent reports a failure that did not stop the command: a refused
// client (--max-conns), an accept error, a stream cut inside a character,
// a failed --save, a stdin command or a timed send (--every) that could
// not be carried out.
type ErrorEvent struct {
	Header
	// Peer is nil when the error concerns no connection.
	*Peer
	// Op is what failed: "max_conns", "accept", "decode", "save",
	// "command", "every".
	Op    string `json:"op"`
	Error string `json:"error"`
}

// SummaryEvent ends every run.
type SummaryEvent struct {
	Header
	// Clients is the number of connections served (the client: 1 once
	// connected); Rejected those refused by --max-conns; Peak the most at
	// once.
	Clients  uint64 `json:"clients"`
	Rejected uint64 `json:"rejected,omitempty"`
	Peak     int    `json:"peak,omitempty"`
	BytesIn  int64  `json:"bytes_in"`
	BytesOut int64  `json:"bytes_out"`
	// Duration is how long the server ran or the client's connection
	// lasted; the rates are bits per second over it.
	Duration    render.Seconds `json:"duration_s"`
	InBitsPerS  float64        `json:"in_bits_per_s"`
	OutBitsPerS float64        `json:"out_bits_per_s"`
	// Socket is the client's --info: buffer sizes and TCP_INFO.
	Socket *SocketInfo `json:"socket,omitempty"`
}

// SocketInfo is what --info reports about the client's socket.
type SocketInfo struct {
	Local  string `json:"local"`
	Remote string `json:"remote"`
	// SndBuf and RcvBuf are SO_SNDBUF and SO_RCVBUF in bytes (Linux
	// reports twice the value set, as it counts its bookkeeping).
	SndBuf int `json:"sndbuf"`
	RcvBuf int `json:"rcvbuf"`
	// TCP is TCP_INFO; nil where the OS does not provide it.
	TCP *TCPInfo `json:"tcp_info,omitempty"`
	// Error says why some of the above could not be read.
	Error string `json:"error,omitempty"`
}

// TCPInfo is the part of Linux's TCP_INFO that --info shows.
type TCPInfo struct {
	State        string         `json:"state"`
	RTT          render.Seconds `json:"rtt_s"`
	RTTVar       render.Seconds `json:"rttvar_s"`
	SndCwnd      uint32         `json:"snd_cwnd"` // segments
	SndMSS       uint32         `json:"snd_mss"`
	RcvMSS       uint32         `json:"rcv_mss"`
	Retransmits  uint8          `json:"retransmits"` // of the segment in flight
	TotalRetrans uint32         `json:"total_retrans"`
	Lost         uint32         `json:"lost"`
}

// rate returns bits per second of n bytes over d.
func rate(n int64, d time.Duration) float64 { return render.PerSecond(8*n, d) }
