package wire

import (
	"fmt"
	"strings"
)

// HexError says why a --send or --reply argument is not valid hex.
type HexError struct {
	Input  string
	Pos    int // byte offset in Input of the problem
	Reason string
}

// Error quotes the input and points at the problem.
func (e *HexError) Error() string {
	return fmt.Sprintf("invalid hex %q at position %d: %s", e.Input, e.Pos+1, e.Reason)
}

// ParseHex reads bytes written in hex: "48 65 6c 6c 6f", "48656c6c6f",
// "48:65:6c", "0x48,0x65". Groups of digits are separated by spaces, tabs,
// newlines, colons, commas or hyphens; a group may start with 0x; each group
// has an even number of digits (two per byte). Empty input is an error.
func ParseHex(s string) ([]byte, error) {
	fail := func(pos int, format string, args ...any) error {
		return &HexError{Input: s, Pos: pos, Reason: fmt.Sprintf(format, args...)}
	}
	out := make([]byte, 0, len(s)/2)
	for i := 0; i < len(s); {
		if strings.IndexByte(" \t\r\n:,-", s[i]) >= 0 {
			i++
			continue
		}
		start := i
		if s[i] == '0' && i+1 < len(s) && (s[i+1] == 'x' || s[i+1] == 'X') {
			i += 2
		}
		digits := i
		for i < len(s) && hexValue(s[i]) >= 0 {
			i++
		}
		if i < len(s) && strings.IndexByte(" \t\r\n:,-", s[i]) < 0 {
			return nil, fail(i, "%q is not a hex digit", rune(s[i]))
		}
		switch n := i - digits; {
		case n == 0:
			return nil, fail(start, "0x without digits")
		case n%2 == 1:
			return nil, fail(start, "group %q has an odd number of digits (two per byte: write 0%s?)", s[digits:i], s[digits:i])
		}
		for j := digits; j < i; j += 2 {
			out = append(out, byte(hexValue(s[j])<<4|hexValue(s[j+1])))
		}
	}
	if len(out) == 0 {
		return nil, fail(0, "no bytes given")
	}
	return out, nil
}

func hexValue(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// HexDump formats p as lines in the style of hexdump -C: the stream offset
// of the line's first byte, 16 bytes in hex in two groups of eight, and
// the printable ASCII characters ('.' for the others). offset is the
// position of p[0] in the stream.
func HexDump(offset int64, p []byte) []string {
	const hexDigits = "0123456789abcdef"
	lines := make([]string, 0, (len(p)+15)/16)
	line := make([]byte, 0, 80)
	for i := 0; i < len(p); i += 16 {
		row := p[i:min(i+16, len(p))]
		line = fmt.Appendf(line[:0], "%08x  ", offset+int64(i))
		for j := range 16 {
			if j < len(row) {
				line = append(line, hexDigits[row[j]>>4], hexDigits[row[j]&15], ' ')
			} else {
				line = append(line, "   "...)
			}
			if j == 7 {
				line = append(line, ' ')
			}
		}
		line = append(line, " |"...)
		for _, b := range row {
			if b < 0x20 || b > 0x7e {
				b = '.'
			}
			line = append(line, b)
		}
		line = append(line, '|')
		lines = append(lines, string(line))
	}
	return lines
}
