package wire

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"netdiag/diag/render"
)

// JSONAppender is an event that writes its own JSON line (without the
// newline): the data events, printed once per chunk or datagram.
type JSONAppender interface {
	AppendJSON(b []byte) []byte
}

// LinesFunc formats an event for people; p gives the output (for styles)
// and the --hex and --timestamps settings.
type LinesFunc func(p *Printer, ev Event) []string

// Printer renders the events of a tcp or udp command: human lines by
// default (formatted by the command's LinesFunc, with --timestamps in
// front), one JSON object per line with --json. Each event is written in
// one locked write, so lines of concurrent clients never interleave
// mid-line. It is safe for concurrent use; Emit is its Emit callback.
type Printer struct {
	out        *render.Output
	hex        bool // data as hex dumps
	timestamps bool // time of day on every human line
	lines      LinesFunc

	// bufs hold JSON data lines: each is encoded into a pooled buffer and
	// handed to out in one Write, skipping encoding/json and fmt.
	bufs sync.Pool // *[]byte
}

// NewPrinter returns a Printer writing to out.
func NewPrinter(out *render.Output, hexDump, timestamps bool, lines LinesFunc) *Printer {
	return &Printer{out: out, hex: hexDump, timestamps: timestamps, lines: lines}
}

// gather is how long a line may wait for others in the batching writer: at
// 100,000 lines a second this turns one write per line into one per few
// hundred, and no one sees 0.2 ms.
const gather = 200 * time.Microsecond

// NewBatchedPrinter returns a Printer writing to w and the function that
// flushes and closes its output. Unless w is a color terminal, the output
// goes through a render.BatchWriter: under load many lines share one write
// instead of each costing a system call under a lock.
func NewBatchedPrinter(w io.Writer, jsonMode, hexDump, timestamps bool, lines LinesFunc) (*Printer, func() error) {
	out := render.New(w, jsonMode)
	if out.Color() {
		return NewPrinter(out, hexDump, timestamps, lines), func() error { return nil }
	}
	bw := render.NewBatchWriter(w, gather)
	return NewPrinter(render.New(bw, jsonMode), hexDump, timestamps, lines), bw.Close
}

// Out returns the output, for its styles.
func (p *Printer) Out() *render.Output { return p.out }

// Hex reports whether data is shown as hex dumps (--hex).
func (p *Printer) Hex() bool { return p.hex }

// Timestamps reports whether every line starts with the time (--timestamps).
func (p *Printer) Timestamps() bool { return p.timestamps }

// Err returns the first error writing the output (a closed pipe), if any.
func (p *Printer) Err() error { return p.out.Err() }

// Emit prints one event. A write error stays in the output: see Err.
func (p *Printer) Emit(ev Event) {
	if p.out.JSON() {
		if a, ok := ev.(JSONAppender); ok { // the hot path: skip encoding/json
			p.writeJSONLine(a)
		} else {
			p.out.WriteJSON(ev)
		}
		return
	}
	var lines []string
	if e, ok := ev.(ListEvent); ok {
		lines = listLines(p, e)
	} else {
		lines = p.lines(p, ev)
	}
	if p.timestamps {
		Stamp(p.out, ev.EventTime(), lines)
	}
	p.out.Printf("%s\n", strings.Join(lines, "\n"))
}

// writeJSONLine writes an event that appends its own JSON as one line.
func (p *Printer) writeJSONLine(a JSONAppender) {
	bp, _ := p.bufs.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	line := append(a.AppendJSON((*bp)[:0]), '\n')
	p.out.Write(line)
	if cap(line) <= 64<<10 { // keep the pool's buffers small
		*bp = line
		p.bufs.Put(bp)
	}
}

// Who names a server's client or peer as every line shows it: "#3
// 127.0.0.1:41234", the number stdin commands take.
func (p *Printer) Who(id uint64, remote string) string {
	return p.out.Style(fmt.Sprintf("#%d %s", id, remote), render.Cyan)
}

// listLines formats the answer to /list.
func listLines(p *Printer, e ListEvent) []string {
	if len(e.Peers) == 0 {
		return []string{"no clients"}
	}
	lines := []string{fmt.Sprintf("%d %s:", len(e.Peers), Plural(len(e.Peers), "client"))}
	for _, c := range e.Peers {
		lines = append(lines, fmt.Sprintf("  %s since %s: received %s, sent %s", p.Who(c.ID, c.Remote),
			c.Since.Format("15:04:05"), CountBytes(c.BytesIn), CountBytes(c.BytesOut)))
	}
	return lines
}
