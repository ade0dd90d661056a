package wire

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"netdiag/diag/render"
)

// VisibleLines formats decoded text for a terminal: one line per received
// line (the newline shown as \n at its end), control characters as escapes
// (\r, \t, \x1b: a peer cannot move the cursor or recolor the terminal),
// bidirectional overrides as \u escapes, and bytes that did not decode as
// U+FFFD followed by their hex.
func VisibleLines(d Decoded) []string {
	var lines []string
	var sb strings.Builder
	for _, p := range d {
		if p.Invalid != nil {
			sb.WriteString(Decoded{p}.String())
			continue
		}
		for _, r := range p.Text {
			switch {
			case r == '\n':
				sb.WriteString(`\n`)
				lines = append(lines, sb.String())
				sb.Reset()
			case r == '\r':
				sb.WriteString(`\r`)
			case r == '\t':
				sb.WriteString(`\t`)
			case r < 0x20 || r == 0x7f:
				fmt.Fprintf(&sb, `\x%02x`, r)
			case 0x80 <= r && r < 0xa0, 0x202a <= r && r <= 0x202e, 0x2066 <= r && r <= 0x2069:
				fmt.Fprintf(&sb, `\u%04x`, r)
			default:
				sb.WriteRune(r)
			}
		}
	}
	if sb.Len() > 0 || len(lines) == 0 {
		lines = append(lines, sb.String())
	}
	return lines
}

// Plural returns word, with an s unless n is 1.
func Plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// CountBytes shows a byte total exactly, with the IEC size when it is large.
func CountBytes(n int64) string {
	if n < 1024 {
		return fmt.Sprintf("%d %s", n, Plural(int(n), "byte"))
	}
	return fmt.Sprintf("%s (%d bytes)", render.Bytes(uint64(n)), n)
}

// BitRate formats bits per second with SI prefixes, as iperf3 does.
func BitRate(bps float64) string {
	units := []string{"bit/s", "kbit/s", "Mbit/s", "Gbit/s", "Tbit/s"}
	i := 0
	for bps >= 1000 && i < len(units)-1 {
		bps /= 1000
		i++
	}
	return fmt.Sprintf("%.3g %s", bps, units[i])
}

// RoundDuration keeps three or four significant digits.
func RoundDuration(d time.Duration) time.Duration {
	switch {
	case d >= 10*time.Second:
		return d.Round(100 * time.Millisecond)
	case d >= time.Second:
		return d.Round(time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}

// AppendJSONString appends s as a JSON string (RFC 8259): quotes,
// backslashes and control characters escaped, as are U+2028 and U+2029
// (as encoding/json does); invalid UTF-8 becomes U+FFFD.
func AppendJSONString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			if r == utf8.RuneError {
				b = append(b, "\uFFFD"...)
			} else {
				b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&15])
			}
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
