package udp

import (
	"fmt"
	"strings"
	"time"

	"netdiag/diag/render"
	"netdiag/diag/wire"
)

// NewPrinter returns the Printer of udp's events (see wire.Printer).
func NewPrinter(out *render.Output, hexDump, timestamps bool) *wire.Printer {
	return wire.NewPrinter(out, hexDump, timestamps, lines)
}

func datagrams(n int64) string { return fmt.Sprintf("%d %s", n, wire.Plural(int(n), "datagram")) }

// lines formats an event for people.
func lines(p *wire.Printer, ev Event) []string {
	o := p.Out()
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
		return []string{s + e.TimedInfo.String()}
	case StartEvent:
		s := fmt.Sprintf("sending to udp %s from %s", o.Style(e.Remote, render.Bold), e.Local)
		if e.Name != "" {
			s += " (" + e.Name + ")"
		}
		if e.AnySource {
			s += "; replies from any address"
		}
		return []string{s}
	case PeerEvent:
		return []string{fmt.Sprintf("%s %s", p.Who(e.ID, e.Remote), o.Style("new peer", render.Green))}
	case *DataEvent:
		verb := "received"
		if e.Dir == "out" {
			verb = "sent"
		}
		head := fmt.Sprintf("%s %d %s", verb, e.Bytes, wire.Plural(e.Bytes, "byte"))
		switch {
		case e.Role == "server":
			head = p.Who(e.Peer, e.Remote) + " " + head
		case e.Dir == "in":
			head += " from " + e.Remote
		}
		if e.Echo > 0 {
			head += fmt.Sprintf(" (echo of #%d, rtt %s)", e.Echo, wire.RoundDuration(time.Duration(e.RTT)))
		}
		if e.Duplicate {
			head += " " + o.Style("(duplicate echo)", render.Yellow)
		}
		if e.Truncated {
			head += " " + o.Style(fmt.Sprintf("(truncated: the datagram was longer than %d bytes; raise --size)", e.Bytes), render.Yellow)
		}
		return wire.DataLines(o, head, e.Raw, 0, e.Text, e.Undecoded, p.Hex())
	case CloseEvent:
		return []string{fmt.Sprintf("%s closed: %s", p.Who(e.ID, e.Remote), peerCounts(e.Peer))}
	case ErrorEvent:
		s := o.Style("error", render.Red) + ": " + e.Error
		if e.Op == "command" {
			s = o.Style("command", render.Yellow) + ": " + e.Error
		}
		if e.Peer > 0 {
			s = p.Who(e.Peer, e.Remote) + " " + s
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

func summaryLines(p *wire.Printer, e SummaryEvent) []string {
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
	out := []string{p.Out().Style(s, render.Bold)}
	if e.Truncated > 0 {
		out = append(out, fmt.Sprintf("%s truncated: longer than the receive buffer (--size)", datagrams(e.Truncated)))
	}
	if x := e.Echo; x != nil {
		out = append(out, fmt.Sprintf("echoes: %d of %d, lost %d (%.1f%%), %d %s, %d reordered; rtt min/avg/max %s/%s/%s",
			x.Echoed, e.Sent, x.Lost, x.LossPct, x.Duplicates, wire.Plural(int(x.Duplicates), "duplicate"), x.Reordered,
			wire.RoundDuration(time.Duration(x.RTTMin)), wire.RoundDuration(time.Duration(x.RTTAvg)), wire.RoundDuration(time.Duration(x.RTTMax))))
	}
	if e.PortClosed {
		out = append(out, p.Out().Style("port closed (ICMP port unreachable)", render.Red))
	}
	for _, pe := range e.Peers {
		out = append(out, fmt.Sprintf("  %s: %s since %s", p.Who(pe.ID, pe.Remote), peerCounts(pe), pe.First.Format("15:04:05")))
	}
	return out
}
