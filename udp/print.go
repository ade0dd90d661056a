package udp

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"netdiag/diag/render"
	"netdiag/diag/wire"
)

// Printer renders events: human lines, or one JSON object per line with
// --json. It is safe for concurrent use; Emit is its Emit callback.
type Printer struct {
	out        *render.Output
	hex        bool
	timestamps bool
	bufs       sync.Pool // *[]byte for JSON data lines
}

// NewPrinter returns a Printer writing to out.
func NewPrinter(out *render.Output, hexDump, timestamps bool) *Printer {
	return &Printer{out: out, hex: hexDump, timestamps: timestamps}
}

// gather is how long a line may wait for others in the batching writer.
const gather = 200 * time.Microsecond

// newBatchedPrinter returns a Printer writing to w through a
// render.BatchWriter (unless w is a color terminal), and the function that
// flushes and closes it.
func newBatchedPrinter(w io.Writer, jsonMode, hexDump, timestamps bool) (*Printer, func() error) {
	out := render.New(w, jsonMode)
	if out.Color() {
		return NewPrinter(out, hexDump, timestamps), func() error { return nil }
	}
	bw := render.NewBatchWriter(w, gather)
	return NewPrinter(render.New(bw, jsonMode), hexDump, timestamps), bw.Close
}

// Err returns the first error writing the output.
func (p *Printer) Err() error { return p.out.Err() }

// Emit prints one event.
func (p *Printer) Emit(ev Event) {
	if p.out.JSON() {
		if d, ok := ev.(*DataEvent); ok {
			bp, _ := p.bufs.Get().(*[]byte)
			if bp == nil {
				bp = new([]byte)
			}
			line := append(d.appendJSON((*bp)[:0]), '\n')
			p.out.Write(line)
			if cap(line) <= 64<<10 {
				*bp = line
				p.bufs.Put(bp)
			}
			return
		}
		p.out.WriteJSON(ev)
		return
	}
	lines := p.lines(ev)
	if p.timestamps {
		wire.Stamp(p.out, ev.EventTime(), lines)
	}
	p.out.Printf("%s\n", strings.Join(lines, "\n"))
}

func (p *Printer) who(id uint64, remote string) string {
	return p.out.Style(fmt.Sprintf("#%d %s", id, remote), render.Cyan)
}

func datagrams(n int64) string { return fmt.Sprintf("%d %s", n, wire.Plural(int(n), "datagram")) }

// lines formats an event for people.
func (p *Printer) lines(ev Event) []string {
	o := p.out
	switch e := ev.(type) {
	case ListenEvent:
		where := e.Addr
		if e.DualStack {
			where += " (IPv4 and IPv6)"
		}
		s := fmt.Sprintf("listening on udp %s: mode %s, encoding %s", o.Style(where, render.Bold), e.Mode, e.Encoding)
		if e.Size < maxRecv {
			s += fmt.Sprintf(", datagrams over %d bytes truncated", e.Size)
		}
		if len(e.Groups) > 0 {
			s += ", joined " + strings.Join(e.Groups, ", ")
		}
		return []string{s}
	case StartEvent:
		s := fmt.Sprintf("sending to %s from %s", o.Style(e.Remote, render.Bold), e.Local)
		if e.Name != "" {
			s += " (" + e.Name + ")"
		}
		if e.Broadcast {
			s += ", broadcast: replies from any address"
		}
		return []string{s}
	case PeerEvent:
		return []string{fmt.Sprintf("%s %s", p.who(e.ID, e.Remote), o.Style("new peer", render.Green))}
	case *DataEvent:
		verb := "received"
		if e.Dir == "out" {
			verb = "sent"
		}
		head := fmt.Sprintf("%s %d %s", verb, e.Bytes, wire.Plural(e.Bytes, "byte"))
		switch {
		case e.Role == "server":
			head = p.who(e.Peer, e.Remote) + " " + head
		case e.Dir == "in" && e.Remote != "":
			head += " from " + e.Remote
		}
		if e.Echo > 0 {
			head += fmt.Sprintf(" (echo of #%d, rtt %s)", e.Echo, wire.RoundDuration(time.Duration(e.RTT)))
		}
		if e.Duplicate {
			head += " " + o.Style("(duplicate echo)", render.Yellow)
		}
		if e.Truncated {
			head += " " + o.Style("(truncated: the datagram was larger; raise --size)", render.Yellow)
		}
		return wire.DataLines(o, head, e.Raw, 0, e.Text, e.Undecoded, p.hex)
	case ListEvent:
		if len(e.Peers) == 0 {
			return []string{"no peers"}
		}
		lines := []string{fmt.Sprintf("%d %s:", len(e.Peers), wire.Plural(len(e.Peers), "peer"))}
		for _, pe := range e.Peers {
			lines = append(lines, "  "+peerLine(p, pe))
		}
		return lines
	case CloseEvent:
		return []string{fmt.Sprintf("%s closed: %s", p.who(e.ID, e.Remote), peerCounts(e.Peer))}
	case ErrorEvent:
		s := o.Style("error", render.Red) + ": " + e.Error
		if e.Op == "command" {
			s = o.Style("command", render.Yellow) + ": " + e.Error
		}
		if e.Remote != "" {
			s = e.Remote + " " + s
		}
		return []string{s}
	case SummaryEvent:
		return summaryLines(p, e)
	}
	return []string{fmt.Sprintf("%v", ev)}
}

func peerCounts(pe Peer) string {
	return fmt.Sprintf("%s in (%s), %s out (%s)", datagrams(pe.In), wire.CountBytes(pe.BytesIn), datagrams(pe.Out), wire.CountBytes(pe.BytesOut))
}

func peerLine(p *Printer, pe Peer) string {
	return fmt.Sprintf("%s: %s since %s", p.who(pe.ID, pe.Remote), peerCounts(pe), pe.First.Format("15:04:05"))
}

func summaryLines(p *Printer, e SummaryEvent) []string {
	d := wire.RoundDuration(time.Duration(e.Duration))
	var s string
	if e.Role == "server" {
		s = fmt.Sprintf("summary: received %s (%s) from %d %s, sent %s (%s) in %s",
			datagrams(e.Received), wire.CountBytes(e.BytesIn), len(e.Peers), wire.Plural(len(e.Peers), "peer"),
			datagrams(e.Sent), wire.CountBytes(e.BytesOut), d)
	} else {
		s = fmt.Sprintf("summary: sent %s (%s), received %s (%s) in %s",
			datagrams(e.Sent), wire.CountBytes(e.BytesOut), datagrams(e.Received), wire.CountBytes(e.BytesIn), d)
	}
	if e.Received > 1 || e.Sent > 1 {
		s += fmt.Sprintf(" (%.0f/s in, %.0f/s out)", e.InPerSecond, e.OutPerSecond)
	}
	lines := []string{p.out.Style(s, render.Bold)}
	if e.Truncated > 0 {
		lines = append(lines, fmt.Sprintf("%s truncated: larger than the receive buffer (--size)", datagrams(e.Truncated)))
	}
	if x := e.Echo; x != nil {
		lines = append(lines, fmt.Sprintf("echoes: %d of %d, lost %d (%.1f%%), %d %s, %d reordered; rtt min/avg/max %s/%s/%s",
			x.Echoed, e.Sent, x.Lost, x.LossPct, x.Duplicates, wire.Plural(int(x.Duplicates), "duplicate"), x.Reordered,
			wire.RoundDuration(time.Duration(x.RTTMin)), wire.RoundDuration(time.Duration(x.RTTAvg)), wire.RoundDuration(time.Duration(x.RTTMax))))
	}
	if e.PortClosed {
		lines = append(lines, p.out.Style("port closed (ICMP port unreachable)", render.Red))
	}
	for _, pe := range e.Peers {
		lines = append(lines, "  "+peerLine(p, pe))
	}
	return lines
}
