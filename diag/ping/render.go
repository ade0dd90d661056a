package ping

import (
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"netdiag/diag/render"
)

// printer shows a run: event is Run's callback, finish prints the summary
// and returns the first write error (the Output keeps it).
type printer interface {
	event(Event)
	finish(Summary) error
}

// newPrinter picks the printer for the view: JSON lines, fping-style for
// sweeps, iputils-style for one host.
func newPrinter(out *render.Output, errw io.Writer, v view, opt Options) printer {
	base := &basePrinter{out: out, errw: errw, v: v, opt: opt}
	switch {
	case out.JSON():
		return &jsonPrinter{basePrinter: base}
	case v.sweep:
		return &sweepPrinter{basePrinter: base}
	}
	return &hostPrinter{basePrinter: base}
}

// basePrinter holds what every printer needs.
type basePrinter struct {
	out  *render.Output
	errw io.Writer
	v    view
	opt  Options
}

// line writes one event's line, with a -D timestamp when asked for.
func (p *basePrinter) line(t time.Time, format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	if p.v.timestamps {
		s = fmt.Sprintf("[%d.%06d] %s", t.Unix(), t.Nanosecond()/1000, s)
	}
	p.text("%s", s)
}

// text writes a line that is not an event's: headers, summaries.
func (p *basePrinter) text(format string, args ...any) {
	p.out.Printf(format+"\n", args...) // an error stays in p.out for finish
}

// note writes a line to standard error.
func (p *basePrinter) note(format string, args ...any) {
	fmt.Fprintf(p.errw, format+"\n", args...)
}

// verbose says, on standard error, which socket the run uses and which
// address each name gave.
func (p *basePrinter) verbose(s *Summary) {
	if !p.v.verbose {
		return
	}
	what := map[Mode]string{
		Unprivileged: "an unprivileged ICMP socket (net.ipv4.ping_group_range allows this process's group)",
		Privileged:   "a raw ICMP socket (root or CAP_NET_RAW)",
	}[s.Mode]
	p.note("netdiag: pinging with %s", what)
	for _, t := range s.Targets {
		if t.Name != "" && t.Addr.IsValid() {
			p.note("netdiag: %s resolved to %s%s", t.Name, t.Addr, others(t.OtherAddrs))
		}
	}
}

func others(addrs []netip.Addr) string {
	if len(addrs) == 0 {
		return ""
	}
	s := make([]string, len(addrs))
	for i, a := range addrs {
		s[i] = a.String()
	}
	return " (also " + strings.Join(s, ", ") + "; -4 or -6 chooses the family)"
}

// resolveErrors reports the names that did not resolve, on standard error.
func (p *basePrinter) resolveErrors(s *Summary) {
	for _, t := range s.Targets {
		if t.ResolveErr != "" {
			p.note("netdiag: %s", t.ResolveErr)
		}
	}
}

// hostPrinter prints one host as iputils ping does.
type hostPrinter struct{ *basePrinter }

func (p *hostPrinter) event(ev Event) {
	h := &ev.Host
	switch ev.Kind {
	case EventStart:
		p.verbose(ev.Summary)
		h := ev.Summary.Targets[0]
		from := ""
		if p.v.from != "" {
			from = " from " + p.v.from
		}
		if h.Addr.Is4() {
			p.text("PING %s (%s)%s %d(%d) bytes of data.", h.Target, h.Addr, from, p.opt.Size, p.opt.Size+28)
		} else {
			p.text("PING %s(%s)%s %d data bytes", h.Target, h.Addr, from, p.opt.Size)
		}
	case EventReply:
		if p.v.quiet {
			return
		}
		from := ev.From.String()
		if h.Name != "" && ev.From == h.Addr {
			from = fmt.Sprintf("%s (%s)", h.Name, ev.From)
		}
		ttl := ""
		if ev.TTL >= 0 {
			ttl = fmt.Sprintf(" ttl=%d", ev.TTL)
		}
		tag := ""
		switch {
		case ev.Dup:
			tag = " (DUP!)"
		case ev.Late:
			tag = " (late: after -W, counted lost)"
		}
		p.line(ev.Time, "%d bytes from %s: icmp_seq=%d%s time=%s%s", ev.Bytes, from, ev.Seq, ttl, replyTime(ev.RTT), tag)
	case EventTimeout:
		if !p.v.quiet {
			p.line(ev.Time, "no answer yet for icmp_seq=%d", ev.Seq)
		}
	case EventError:
		if !p.v.quiet {
			p.line(ev.Time, "%s", errorText(ev.Error))
		}
	case EventStats:
		t := ev.Summary.Total()
		p.note("%s", interim(&t))
	}
}

func (p *hostPrinter) finish(s Summary) error {
	h := s.Host(0)
	p.text("\n--- %s ping statistics ---", h.Target)
	p.text("%s", countsLine(&h, s.Elapsed))
	if h.rttN > 0 {
		p.text("rtt min/avg/max/mdev = %s/%s/%s/%s ms", ms(h.RTTMin), ms(h.RTTAvg), ms(h.RTTMax), ms(h.RTTMDev))
	}
	return p.out.Err()
}

// countsLine is iputils' "N packets transmitted, M received, …" line, with
// probes in flight reported apart from the loss.
func countsLine(h *HostStats, elapsed time.Duration) string {
	s := fmt.Sprintf("%d packets transmitted, %d received", h.Sent, h.Received)
	if h.Duplicates > 0 {
		s += fmt.Sprintf(", +%d duplicates", h.Duplicates)
	}
	if h.Late > 0 {
		s += fmt.Sprintf(", +%d late", h.Late)
	}
	if h.Errors > 0 {
		s += fmt.Sprintf(", +%d errors", h.Errors)
	}
	if loss, ok := h.Loss(); ok {
		s += fmt.Sprintf(", %s%% packet loss", percent(loss))
	}
	if h.InFlight > 0 {
		s += fmt.Sprintf(", %d still in flight (not counted as lost)", h.InFlight)
	}
	return s + fmt.Sprintf(", time %dms", elapsed.Round(time.Millisecond).Milliseconds())
}

// interim is iputils' SIGQUIT line: "4/4 packets, 0% loss, min/avg/ewma/max
// = …".
func interim(h *HostStats) string {
	s := fmt.Sprintf("%d/%d packets", h.Received, h.Sent)
	if loss, ok := h.Loss(); ok {
		s += fmt.Sprintf(", %d%% loss", int(loss))
	}
	if h.InFlight > 0 {
		s += fmt.Sprintf(", %d in flight", h.InFlight)
	}
	if h.rttN > 0 {
		s += fmt.Sprintf(", min/avg/ewma/max = %s/%s/%s/%s ms", ms(h.RTTMin), ms(h.RTTAvg), ms(h.RTTEWMA), ms(h.RTTMax))
	}
	return s
}

// errorText is iputils' line for an ICMP error, or ours for a failed send.
func errorText(e *ProbeError) string {
	if e.From.IsValid() {
		return fmt.Sprintf("From %s icmp_seq=%d %s", e.From, e.Seq, e.Message)
	}
	return fmt.Sprintf("icmp_seq=%d send failed: %s", e.Seq, e.Message)
}

// replyTime formats a reply's RTT as iputils does: three decimals under
// 1 ms, two under 10, one under 100, none above.
func replyTime(d time.Duration) string {
	us := d.Microseconds()
	switch {
	case us >= 100000-50:
		return fmt.Sprintf("%d ms", (us+500)/1000)
	case us >= 10000-5:
		return fmt.Sprintf("%.1f ms", float64(us)/1000)
	case us >= 1000:
		return fmt.Sprintf("%.2f ms", float64(us)/1000)
	}
	return fmt.Sprintf("%.3f ms", float64(us)/1000)
}

// ms formats a duration in milliseconds with three decimals, truncated to
// the microsecond as iputils does.
func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 3, 64)
}

// percent formats a loss percentage as C's %g does ("0", "33.3333").
func percent(f float64) string {
	return strconv.FormatFloat(f, 'g', 6, 64)
}
