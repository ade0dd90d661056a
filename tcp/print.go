package tcp

import (
	"fmt"
	"io"
	"strings"
	"time"

	"netdiag/diag/render"
	"netdiag/diag/wire"
)

// Printer renders events: human lines by default, one JSON object per line
// with --json (see wire.Printer). It is safe for concurrent use; Emit is
// its Emit callback.
type Printer struct {
	*wire.Printer
}

// NewPrinter returns a Printer writing to out.
func NewPrinter(out *render.Output, hexDump, timestamps bool) *Printer {
	return &Printer{wire.NewPrinter(out, hexDump, timestamps, lines)}
}

// newBatchedPrinter returns a Printer writing to w and the function that
// flushes and closes its output (see wire.NewBatchedPrinter).
func newBatchedPrinter(w io.Writer, jsonMode, hexDump, timestamps bool) (*Printer, func() error) {
	p, closeOut := wire.NewBatchedPrinter(w, jsonMode, hexDump, timestamps, lines)
	return &Printer{p}, closeOut
}

// lines formats an event for people.
func lines(p *wire.Printer, ev Event) []string {
	o := p.Out()
	switch e := ev.(type) {
	case ListenEvent:
		return listenLines(o, e)
	case ConnectEvent:
		if e.Role == "client" {
			s := fmt.Sprintf("connected to %s from %s in %s", o.Style(e.Remote, render.Bold), e.Local, wire.RoundDuration(time.Duration(e.ConnectTime)))
			if e.Name != "" {
				s += " (" + e.Name + ")"
			}
			return []string{s}
		}
		at := ""
		if !p.Timestamps() { // the line has the time already
			at = " at " + e.Time.Format("15:04:05")
		}
		return []string{fmt.Sprintf("%s %s%s (%d active)", who(p, e.Peer), o.Style("connected", render.Green), at, e.Active)}
	case *DataEvent:
		verb := "received"
		if e.Dir == "out" {
			verb = "sent"
		}
		head := fmt.Sprintf("%s %d %s", verb, e.Bytes, wire.Plural(e.Bytes, "byte"))
		if e.Role == "server" {
			head = who(p, e.Peer) + " " + head
		}
		return wire.DataLines(o, head, e.Raw, e.Offset, e.Text, e.Undecoded, p.Hex())
	case DisconnectEvent:
		verb := "closed"
		if e.Role == "server" {
			verb = who(p, e.Peer) + " disconnected"
		}
		return []string{fmt.Sprintf("%s after %s: %s; received %s, sent %s", verb, wire.RoundDuration(time.Duration(e.Duration)),
			o.Style(e.Reason, render.Yellow), wire.CountBytes(e.BytesIn), wire.CountBytes(e.BytesOut))}
	case ErrorEvent:
		s := o.Style("error", render.Red) + ": " + e.Error
		switch rest, refused := strings.CutPrefix(e.Error, "refused: "); {
		case refused && e.Op == "max_conns":
			s = o.Style("refused", render.Red) + ": " + rest
		case e.Op == "decode": // about the display, not the connection
			s = o.Style("note", render.Yellow) + ": " + e.Error
		}
		if e.Peer != nil && e.Role == "server" {
			s = who(p, *e.Peer) + " " + s
		}
		return []string{s}
	case SummaryEvent:
		return summaryLines(o, e)
	}
	return []string{fmt.Sprintf("%v", ev)}
}

// who names a server's client: "#3 127.0.0.1:41234".
func who(p *wire.Printer, peer Peer) string { return p.Who(peer.Conn, peer.Remote) }

func listenLines(o *render.Output, e ListenEvent) []string {
	where := strings.Join(e.Addrs, " and ")
	if e.DualStack {
		where += " (IPv4 and IPv6)"
	}
	s := fmt.Sprintf("listening on %s: mode %s, encoding %s", o.Style(where, render.Bold), e.Mode, e.Encoding)
	if e.MaxConns > 0 {
		s += fmt.Sprintf(", at most %d %s", e.MaxConns, wire.Plural(e.MaxConns, "client"))
	}
	if e.IdleTimeout > 0 {
		s += fmt.Sprintf(", idle timeout %v", time.Duration(e.IdleTimeout))
	}
	s += e.TimedInfo.String()
	lines := []string{s}
	if len(e.Reachable) > 0 {
		lines = append(lines, "reachable at "+strings.Join(e.Reachable, ", "))
	}
	return lines
}

func summaryLines(o *render.Output, e SummaryEvent) []string {
	d := time.Duration(e.Duration)
	var s string
	if e.Role == "server" {
		s = fmt.Sprintf("summary: served %d %s", e.Clients, wire.Plural(int(e.Clients), "client"))
		var notes []string
		if e.Rejected > 0 {
			notes = append(notes, fmt.Sprintf("%d refused by --max-conns", e.Rejected))
		}
		if e.Peak > 1 {
			notes = append(notes, fmt.Sprintf("at most %d at once", e.Peak))
		}
		if len(notes) > 0 {
			s += " (" + strings.Join(notes, ", ") + ")"
		}
		s += fmt.Sprintf(", received %s, sent %s in %s", wire.CountBytes(e.BytesIn), wire.CountBytes(e.BytesOut), wire.RoundDuration(d))
	} else {
		s = fmt.Sprintf("summary: sent %s, received %s in %s", wire.CountBytes(e.BytesOut), wire.CountBytes(e.BytesIn), wire.RoundDuration(d))
	}
	// The client always shows its throughput; the server only when it
	// moved enough for a rate over its whole run to mean something.
	const worthRating = 64 << 10
	var rates []string
	if e.BytesOut > 0 && (e.Role == "client" || e.BytesOut >= worthRating) {
		rates = append(rates, wire.BitRate(e.OutBitsPerS)+" out")
	}
	if e.BytesIn > 0 && (e.Role == "client" || e.BytesIn >= worthRating) {
		rates = append(rates, wire.BitRate(e.InBitsPerS)+" in")
	}
	if len(rates) > 0 {
		s += " (" + strings.Join(rates, ", ") + ")"
	}
	lines := []string{o.Style(s, render.Bold)}
	if si := e.Socket; si != nil {
		lines = append(lines, fmt.Sprintf("socket: local %s, remote %s, SO_SNDBUF %s, SO_RCVBUF %s",
			si.Local, si.Remote, render.Bytes(uint64(si.SndBuf)), render.Bytes(uint64(si.RcvBuf))))
		if t := si.TCP; t != nil {
			lines = append(lines, fmt.Sprintf("tcp_info: state %s, rtt %s (var %s), cwnd %d segments, mss %d/%d (send/receive), retransmits %d now, %d total, lost %d",
				t.State, wire.RoundDuration(time.Duration(t.RTT)), wire.RoundDuration(time.Duration(t.RTTVar)),
				t.SndCwnd, t.SndMSS, t.RcvMSS, t.Retransmits, t.TotalRetrans, t.Lost))
		}
		if si.Error != "" {
			lines = append(lines, "socket info incomplete: "+si.Error)
		}
	}
	return lines
}
