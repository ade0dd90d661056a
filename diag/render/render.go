// Package render is the one output layer every netdiag command uses: aligned
// human tables by default, one JSON object per line with
// --json, and color only when the writer is a terminal and NO_COLOR is unset.
//
// An Output is safe for concurrent use: every call writes whole lines in one
// write under one lock, so events from concurrent goroutines (ping replies,
// tcp clients, scan results) never interleave mid-line. Its first error is
// sticky (see StickyWriter): a command prints without checking every line
// and asks Err at the end.
//
// The other pieces every command shares: Millis and Seconds, the one JSON
// encoding of durations; BatchWriter, which gathers lines into few writes
// when the output is not a terminal; Bytes, Plural, PerSecond and
// VisibleWidth.
package render

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// Style names a text attribute used to highlight parts of human output.
type Style string

// The styles commands may use. They are ANSI SGR sequences.
const (
	Bold   Style = "1"
	Dim    Style = "2"
	Red    Style = "31"
	Green  Style = "32"
	Yellow Style = "33"
	Cyan   Style = "36"
)

// Output writes a command's results to one writer.
type Output struct {
	w     *StickyWriter
	json  bool
	color bool
}

// New returns an Output writing to w. jsonMode selects JSON lines; color is
// enabled only when w is a terminal and the NO_COLOR environment variable is
// unset or empty (https://no-color.org).
func New(w io.Writer, jsonMode bool) *Output {
	return &Output{w: NewStickyWriter(w), json: jsonMode, color: !jsonMode && IsTerminal(w) && os.Getenv("NO_COLOR") == ""}
}

// IsTerminal reports whether w is a terminal: an *os.File for which the OS
// answers a terminal query (termios on Unix, console mode on Windows). A
// character device that is not a terminal, such as /dev/null, is not one.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isTerminal(f.Fd())
}

// JSON reports whether the output is in JSON-lines mode.
func (o *Output) JSON() bool { return o.json }

// Color reports whether styles are rendered.
func (o *Output) Color() bool { return o.color }

// Err returns the first error writing (or JSON-encoding) the output, or
// nil. Once there is one, the Output writes nothing more and every method
// returns it.
func (o *Output) Err() error { return o.w.Err() }

// Style wraps s in the given styles when color is on; otherwise returns s.
func (o *Output) Style(s string, styles ...Style) string {
	if !o.color || len(styles) == 0 || s == "" {
		return s
	}
	codes := make([]string, len(styles))
	for i, st := range styles {
		codes[i] = string(st)
	}
	return "\x1b[" + strings.Join(codes, ";") + "m" + s + "\x1b[0m"
}

// Write writes p as it is, in one write: a caller that encodes its own
// lines (tcp's data events) hands them over whole.
func (o *Output) Write(p []byte) (int, error) { return o.w.Write(p) }

// WriteJSON writes v as one line of JSON. An encoding error is sticky like
// a write error: the output lacks a line.
func (o *Output) WriteJSON(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		err = fmt.Errorf("encoding JSON: %w", err)
		o.w.fail(err)
		return o.w.Err()
	}
	_, err = o.w.Write(append(b, '\n'))
	return err
}

// Printf formats and writes in one write.
func (o *Output) Printf(format string, args ...any) error {
	_, err := o.w.Write(fmt.Appendf(nil, format, args...))
	return err
}

// Println writes the operands separated by spaces and a newline in one write.
func (o *Output) Println(args ...any) error {
	_, err := o.w.Write(fmt.Appendln(nil, args...))
	return err
}

// Table writes rows as a left-aligned table with an optional header (nil for
// none), columns separated by two spaces. Cells must not contain newlines.
// Column widths are measured on the visible text: color escapes from Style
// count as zero and East Asian wide characters as two, so styled cells and
// Chinese text stay aligned (text/tabwriter counts both wrongly).
func (o *Output) Table(header []string, rows [][]string) error {
	all := rows
	if header != nil {
		all = append([][]string{header}, rows...)
	}
	var widths []int
	for _, r := range all {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], VisibleWidth(c))
		}
	}
	var sb strings.Builder
	for _, r := range all {
		for i, c := range r {
			sb.WriteString(c)
			if i < len(r)-1 {
				sb.WriteString(strings.Repeat(" ", widths[i]-VisibleWidth(c)+2))
			}
		}
		sb.WriteByte('\n')
	}
	_, err := io.WriteString(o.w, sb.String())
	return err
}

// VisibleWidth returns the number of terminal columns s occupies: ANSI
// escape sequences count zero, East Asian wide and fullwidth runes two.
func VisibleWidth(s string) int {
	n := 0
	for i := 0; i < len(s); {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && (s[j] < 0x40 || s[j] > 0x7e) {
				j++
			}
			i = j + 1
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
		i += size
	}
	return n
}

// Bytes formats a byte count in IEC units ("1.5 MiB"); counts under 1024 are
// plain bytes ("512 B").
func Bytes(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := uint64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// Plural returns "1 port" or "n ports": the count and the noun, with an s
// unless the count is 1.
func Plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// PerSecond returns the rate of n over d, per second (0 for no time).
func PerSecond[N int64 | uint64](n N, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}
