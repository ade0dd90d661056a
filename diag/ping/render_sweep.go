package ping

import (
	"fmt"
	"strings"
	"time"
)

// sweepFlush is how long a sweep's line may wait for others when the
// output is not a terminal (a thousand "is alive" lines would be a thousand
// write calls): a reader on a pipe still sees progress.
const sweepFlush = 100 * time.Millisecond

// sweepPrinter prints many hosts as fping does: with one probe per host,
// "HOST is alive" or "HOST is unreachable" as each host settles; with -c,
// a line per reply and per-host statistics at the end; -a or -u only the
// addresses that did or did not answer; then a summary.
type sweepPrinter struct {
	*basePrinter
	done []bool // by host index: its verdict is printed
}

func (p *sweepPrinter) perProbe() bool {
	return p.v.count != 1 && !p.v.quiet && !p.v.alive && !p.v.unreach
}

func (p *sweepPrinter) event(ev Event) {
	h := &ev.Host
	switch ev.Kind {
	case EventStart:
		p.verbose(ev.Summary)
		p.resolveErrors(ev.Summary)
		p.done = make([]bool, ev.Summary.Count)
	case EventReply:
		if !p.perProbe() {
			return
		}
		tag := ""
		switch {
		case ev.Dup:
			tag = " (DUP!)"
		case ev.Late:
			tag = " (late: after --timeout, counted lost)"
		}
		p.line(ev.Time, "%s : [%d], %d bytes, %s ms (%s avg, %s loss)%s", label(h), fpingSeq(ev), ev.Bytes, ms(ev.RTT), ms(h.RTTAvg), hostLoss(h), tag)
	case EventTimeout:
		if p.perProbe() {
			p.line(ev.Time, "%s : [%d], timed out (%s avg, %s loss)", label(h), fpingSeq(ev), avgOrNaN(h), hostLoss(h))
		}
	case EventError:
		if p.perProbe() {
			p.line(ev.Time, "%s : [%d], %s", label(h), fpingSeq(ev), errorWithSender(ev.Error))
		}
	case EventHostDone:
		p.hostDone(ev.Time, h)
	case EventStats:
		t := ev.Summary.Total()
		alive, pinged := ev.Summary.Alive()
		p.note("%s; %d/%d hosts alive", interim(&t), alive, pinged)
	}
}

// fpingSeq is the probe's number as fping -c prints it: from [0].
func fpingSeq(ev Event) int { return ev.Seq - 1 }

// hostDone prints a settled host's verdict where the view asks for one.
func (p *sweepPrinter) hostDone(t time.Time, h *HostStats) {
	p.done[h.Index] = true
	switch {
	case p.v.alive:
		if h.Alive() {
			p.line(t, "%s", label(h))
		}
	case p.v.unreach:
		if !h.Alive() {
			p.line(t, "%s", label(h))
		}
	case p.v.quiet || p.v.count != 1:
	case h.Alive():
		p.line(t, "%s is alive (%s ms)", label(h), ms(h.RTTMin))
	case h.LastError != nil:
		p.line(t, "%s is unreachable (%s)", label(h), errorWithSender(h.LastError))
	default:
		p.line(t, "%s is unreachable", h.Addr)
	}
}

func (p *sweepPrinter) finish(s Summary) error {
	now := time.Now()
	if p.v.alive || p.v.unreach {
		// Hosts not done at Ctrl-C or the deadline get their verdict now.
		for i, h := range s.All() {
			if h.ResolveErr == "" && !p.done[i] {
				p.hostDone(now, &h)
			}
		}
		return p.out.Err()
	}
	if p.v.count != 1 {
		for _, h := range s.All() {
			if h.ResolveErr != "" {
				continue
			}
			line := fmt.Sprintf("%s : xmt/rcv/%%loss = %d/%d/%s", label(&h), h.Sent, h.Received, hostLoss(&h))
			if h.rttN > 0 {
				line += fmt.Sprintf(", min/avg/max = %s/%s/%s", ms(h.RTTMin), ms(h.RTTAvg), ms(h.RTTMax))
			}
			p.text("%s", line)
		}
	}
	t := s.Total()
	alive, pinged := s.Alive()
	p.text("\n--- %s ping statistics ---", title(s))
	hostsLine := fmt.Sprintf("%d hosts, %d alive, %d unreachable", pinged, alive, pinged-alive)
	if n := s.ResolveFailures(); n > 0 {
		hostsLine += fmt.Sprintf(", %d not resolved", n)
	}
	p.text("%s", hostsLine)
	p.text("%s", countsLine(&t, s.Elapsed))
	if t.rttN > 0 {
		p.text("rtt min/avg/max/mdev = %s/%s/%s/%s ms", ms(t.RTTMin), ms(t.RTTAvg), ms(t.RTTMax), ms(t.RTTMDev))
	}
	return p.out.Err()
}

// title names the targets of a sweep: up to three as given, else a count.
func title(s Summary) string {
	var names []string
	seen := map[string]bool{}
	for _, t := range s.Targets {
		if !seen[t.Target] {
			seen[t.Target] = true
			names = append(names, t.Target)
		}
	}
	if len(names) > 3 {
		return fmt.Sprintf("%d targets", len(names))
	}
	return strings.Join(names, ", ")
}

// hostLoss is fping's loss figure: whole percent of settled probes, "-"
// while none is settled.
func hostLoss(h *HostStats) string {
	loss, ok := h.Loss()
	if !ok {
		return "-"
	}
	return fmt.Sprintf("%d%%", int(loss+0.5))
}

func avgOrNaN(h *HostStats) string {
	if h.rttN == 0 {
		return "NaN"
	}
	return ms(h.RTTAvg)
}

// errorWithSender is "Destination Host Unreachable from 10.0.0.1".
func errorWithSender(e *ProbeError) string {
	if e.From.IsValid() {
		return e.Message + " from " + e.From.String()
	}
	return "send failed: " + e.Message
}

// label names a host as fping does: by the name it was given as, else by
// its address.
func label(h *HostStats) string {
	if h.Name != "" {
		return h.Name
	}
	return h.Addr.String()
}
