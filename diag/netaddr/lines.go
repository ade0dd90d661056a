package netaddr

import "bytes"

// LineVerdict is what ScanLines says of one line.
type LineVerdict struct {
	Len   int  // bytes of the line, its "\n" included
	Valid bool // whether its text is an address or prefix (ValidAddrOrPrefix)
}

// scanFast, where the CPU allows, is a vectorised ScanLines for the lines
// whose "\n" is within their first 64 bytes (lines_amd64.go). It stops at
// the first line it cannot judge, and at the end of out.
var scanFast func(b []byte, out []LineVerdict) (lines, used int)

// ScanLines judges the lines at the start of b, as ValidAddrOrPrefix judges
// their text, into out, and returns how many lines it judged and how many
// bytes of b they cover. A line ends at "\n"; a "\r" before it is not part
// of its text (CRLF files), and the last line of b may lack the "\n". It
// stops when out is full or b is used up, and never allocates.
func ScanLines(b []byte, out []LineVerdict) (lines, used int) {
	for lines < len(out) && used < len(b) {
		if scanFast != nil {
			k, n := scanFast(b[used:], out[lines:])
			lines, used = lines+k, used+n
			if lines == len(out) || used == len(b) {
				break
			}
		}
		n, valid := scanLine(b[used:])
		out[lines] = LineVerdict{Len: n, Valid: valid}
		lines, used = lines+1, used+n
	}
	return lines, used
}

// scanLine judges the first line of b and returns its length. A valid line
// is read once, by the scanner, which stops at its end; only invalid lines
// need a search for the newline.
func scanLine(b []byte) (n int, valid bool) {
	end := ScanAddrOrPrefix(b)
	switch {
	case end >= 0 && end < len(b) && b[end] == '\n':
		return end + 1, true
	case end >= 0 && end+1 < len(b) && b[end] == '\r' && b[end+1] == '\n':
		return end + 2, true
	}
	from := max(end, 0)
	if i := bytes.IndexByte(b[from:], '\n'); i >= 0 {
		return from + i + 1, false
	}
	return len(b), ValidAddrOrPrefix(bytes.TrimSuffix(b, []byte{'\r'})) // the last line, without "\n"
}
