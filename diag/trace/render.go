package trace

import (
	"bytes"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"netdiag/diag/netaddr"
	"netdiag/diag/render"
)

// Header is the line before the report: what is traced and how.
func Header(res *Result, opt Options) string {
	target := res.Addr.String()
	if res.Target != target {
		target = fmt.Sprintf("%s (%s)", res.Target, res.Addr)
	}
	how := res.Method.String()
	switch {
	case res.Method == UDP:
		how += fmt.Sprintf(" to port %d and up", opt.Port)
	case res.Method == TCP:
		how += fmt.Sprintf(" to port %d", opt.Port)
	}
	s := fmt.Sprintf("trace to %s, %d hops max, %s, %s per hop", target, opt.MaxHops, how, render.Plural(opt.Count, "probe"))
	if opt.MTU {
		s += fmt.Sprintf(", path MTU discovery from %d bytes", min(res.InterfaceMTU, MaxPacketSize))
	}
	return s
}

// Table returns the report's rows, as mtr -r lays them out: hop, host
// (name and address, or the address alone), loss, sent and the round trips
// in milliseconds; then PMTU in MTU mode, and a note column when a hop has
// one. A hop answered by several routers has a row for each of the others
// under it.
func Table(out *render.Output, res *Result, opt Options) (header []string, rows [][]string) {
	header = []string{"HOP", "HOST", "LOSS%", "SNT", "LAST", "AVG", "BEST", "WRST", "STDEV"}
	if opt.MTU {
		header = append(header, "PMTU")
	}
	notes := false
	for _, h := range res.Hops {
		notes = notes || h.Note != "" || h.Error != ""
	}
	if notes {
		header = append(header, "NOTE")
	}
	for _, h := range res.Hops {
		host := out.Style("???", render.Dim)
		if len(h.Responders) > 0 {
			host = hostText(h.Responders[0], opt.Numeric)
		}
		if h.Mark != "" {
			host += " " + out.Style(h.Mark, render.Red)
		}
		row := []string{fmt.Sprint(h.TTL), host, fmt.Sprintf("%.1f%%", h.Loss()), fmt.Sprint(h.Sent + h.InFlight)}
		if h.Received > 0 {
			row = append(row, ms(h.Last), ms(h.Avg), ms(h.Best), ms(h.Worst), ms(h.StDev))
		} else {
			row = append(row, "", "", "", "", "")
		}
		if opt.MTU {
			row = append(row, mtuText(h.MTU))
		}
		if notes {
			note := h.Note.Text()
			if h.Error != "" && h.Received < h.Sent {
				note = strings.TrimPrefix(note+"; "+h.Error, "; ")
			}
			row = append(row, out.Style(note, render.Yellow))
		}
		if loss := h.Loss(); loss > 0 && h.Note == "" {
			row[2] = out.Style(row[2], render.Red)
		}
		rows = append(rows, row)
		for _, r := range h.Responders[min(1, len(h.Responders)):] {
			rows = append(rows, []string{"", hostText(r, opt.Numeric)})
		}
	}
	alignRight(header, rows, 0, 1)
	alignRight(header, rows, 2, 9+boolInt(opt.MTU))
	return header, rows
}

// alignRight pads the cells of columns [from, to) on the left to one width,
// so numbers line up on their last digit.
func alignRight(header []string, rows [][]string, from, to int) {
	all := append([][]string{header}, rows...)
	for col := from; col < to; col++ {
		w := 0
		for _, r := range all {
			if col < len(r) {
				w = max(w, render.VisibleWidth(r[col]))
			}
		}
		for _, r := range all {
			if col < len(r) {
				r[col] = strings.Repeat(" ", w-render.VisibleWidth(r[col])) + r[col]
			}
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func hostText(r Responder, numeric bool) string {
	if numeric || r.Name == "" {
		return r.Addr.String()
	}
	return fmt.Sprintf("%s (%s)", r.Name, r.Addr)
}

func mtuText(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprint(n)
}

// ms formats a round trip in milliseconds, two decimals.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.2f", float64(d)/float64(time.Millisecond))
}

// Conclusion is the sentence after the report: reached or where the
// replies stop, and in MTU mode the path MTU and where it drops.
func Conclusion(res *Result) string {
	var s string
	switch {
	case res.Reached && len(res.Hops) > 0:
		s = fmt.Sprintf("%s reached in %s", res.Addr, render.Plural(res.Hops[len(res.Hops)-1].TTL, "hop"))
	default:
		s = fmt.Sprintf("%s not reached: ", res.Addr) + BreakText(res)
	}
	if res.Interrupted {
		s += " (interrupted)"
	}
	if res.InterfaceMTU > 0 {
		s += "\n" + MTUText(res)
	}
	return s
}

// BreakText says where the replies of a trace that did not reach its
// destination stop: "replies stop after hop 3 (10.0.0.1)", or the hop
// that answered "unreachable".
func BreakText(res *Result) string {
	if n := len(res.Hops); n > 0 && res.Hops[n-1].Mark != "" && len(res.Hops[n-1].Responders) > 0 {
		h := res.Hops[n-1]
		return fmt.Sprintf("hop %d (%s) answers %s", h.TTL, h.Responders[0].Addr, markWords(h.Mark))
	}
	h, ok := res.LastAnswered()
	if !ok {
		return "no hop answers"
	}
	return fmt.Sprintf("replies stop after hop %d (%s)", h.TTL, strings.Join(netaddr.Strings(h.Addrs()), ", "))
}

// markWords names a mark's ICMP error.
func markWords(mark string) string {
	switch mark {
	case "!H":
		return "host unreachable (!H)"
	case "!N":
		return "network unreachable (!N)"
	case "!P":
		return "protocol unreachable (!P)"
	case "!X":
		return "administratively prohibited (!X)"
	case "!F":
		return "fragmentation needed (!F)"
	case "!S":
		return "source route failed (!S)"
	}
	return "unreachable (" + mark + ")"
}

// MTUText says what MTU discovery found.
func MTUText(res *Result) string {
	if res.PathMTU == 0 {
		return fmt.Sprintf("path MTU unknown: no probe of %d bytes or less was answered", res.InterfaceMTU)
	}
	s := fmt.Sprintf("path MTU %d", res.PathMTU)
	var drops []string
	for _, d := range res.MTUDrops {
		drops = append(drops, fmt.Sprintf("%d after hop %d (%s)", d.MTU, d.Hop, d.Addr))
	}
	switch {
	case len(drops) > 0:
		s += fmt.Sprintf(": drops from %d to %s", res.InterfaceMTU, strings.Join(drops, ", then "))
	case res.PathMTU == MaxPacketSize && res.InterfaceMTU > MaxPacketSize:
		s += fmt.Sprintf(", the largest IP packet (the interface's MTU is %d)", res.InterfaceMTU)
	default:
		s += ", as the interface's"
	}
	return s
}

// Print writes the finished report: the header, the table and the
// conclusion, or with JSON one "hop" line per row and a "summary" line.
func Print(out *render.Output, res *Result, opt Options) error {
	if out.JSON() {
		return printJSON(out, res)
	}
	var b bytes.Buffer
	writeReport(&b, out, res, opt)
	return out.Printf("%s", b.String())
}

// writeReport writes the header, the table and the conclusion to b.
func writeReport(b *bytes.Buffer, out *render.Output, res *Result, opt Options) {
	fmt.Fprintln(b, Header(res, opt))
	writeTable(b, out, res, opt)
	fmt.Fprintln(b, out.Style(Conclusion(res), render.Bold))
}

// writeTable writes the table to b, without the blanks render.Table leaves
// after an empty last cell.
func writeTable(b *bytes.Buffer, out *render.Output, res *Result, opt Options) {
	var t bytes.Buffer
	header, rows := Table(out, res, opt)
	_ = render.New(&t, false).Table(header, rows) // a bytes.Buffer does not fail
	for line := range strings.Lines(t.String()) {
		b.WriteString(strings.TrimRight(line, " \n"))
		b.WriteByte('\n')
	}
}

// Live redraws the report in place on a terminal while a trace runs, as
// mtr's display does but without taking the whole screen: each redraw
// moves the cursor up over the last one and writes the new one, at most
// every refresh.
type Live struct {
	out   *render.Output
	opt   Options
	lines int       // the lines the last redraw wrote
	last  time.Time // when it was written
}

// refresh is the shortest time between redraws.
const refresh = 100 * time.Millisecond

// NewLive returns a Live writing to out (a terminal) for a trace of opt.
func NewLive(out *render.Output, opt Options) *Live { return &Live{out: out, opt: opt} }

// Event redraws for ev, unless the last redraw is too recent.
func (l *Live) Event(ev Event) {
	if ev.Kind != EventStart && time.Since(l.last) < refresh {
		return
	}
	_ = l.draw(&ev.Result, false)
}

// Finish draws the final report over the live one.
func (l *Live) Finish(res *Result) error { return l.draw(res, true) }

func (l *Live) draw(res *Result, final bool) error {
	var b bytes.Buffer
	if l.lines > 0 {
		fmt.Fprintf(&b, "\x1b[%dA\x1b[J", l.lines)
	}
	var report bytes.Buffer
	if final {
		writeReport(&report, l.out, res, l.opt)
	} else {
		fmt.Fprintln(&report, Header(res, l.opt))
		writeTable(&report, l.out, res, l.opt)
	}
	l.lines = bytes.Count(report.Bytes(), []byte{'\n'})
	b.Write(report.Bytes())
	l.last = time.Now()
	return l.out.Printf("%s", b.String())
}

// jsonHop is a "hop" line. The round trips are null for a hop without
// answers.
type jsonHop struct {
	Type string `json:"type"`
	Hop
	Addrs    []netip.Addr   `json:"addrs"`
	Loss     float64        `json:"loss"` // percent
	LastMS   *render.Millis `json:"rtt_last_ms"`
	AvgMS    *render.Millis `json:"rtt_avg_ms"`
	BestMS   *render.Millis `json:"rtt_best_ms"`
	WorstMS  *render.Millis `json:"rtt_worst_ms"`
	StDevMS  *render.Millis `json:"rtt_stdev_ms"`
	NoteText string         `json:"note_text,omitempty"`
}

// jsonSummary is the last line.
type jsonSummary struct {
	Type string `json:"type"`
	Result
	Hops      int           `json:"hops"`
	LastHop   *int          `json:"last_hop"` // the last hop that answered; null if none did
	ElapsedMS render.Millis `json:"elapsed_ms"`
	Text      string        `json:"text"`
}

// msPtr returns d for JSON, or nil (null) when there is no figure.
func msPtr(d time.Duration, ok bool) *render.Millis {
	if !ok {
		return nil
	}
	m := render.Millis(d)
	return &m
}

func printJSON(out *render.Output, res *Result) error {
	for _, h := range res.Hops {
		ok := h.Received > 0
		if h.Responders == nil {
			h.Responders = []Responder{}
		}
		line := jsonHop{Type: "hop", Hop: h, Addrs: h.Addrs(), Loss: h.Loss(),
			LastMS: msPtr(h.Last, ok), AvgMS: msPtr(h.Avg, ok), BestMS: msPtr(h.Best, ok), WorstMS: msPtr(h.Worst, ok), StDevMS: msPtr(h.StDev, ok),
			NoteText: h.Note.Text()}
		if err := out.WriteJSON(line); err != nil {
			return err
		}
	}
	s := jsonSummary{Type: "summary", Result: *res, Hops: len(res.Hops), ElapsedMS: render.Millis(res.Elapsed), Text: Conclusion(res)}
	if h, ok := res.LastAnswered(); ok {
		s.LastHop = &h.TTL
	}
	return out.WriteJSON(s)
}
