package ipinfo

import (
	"bytes"
	"errors"
	"io"

	"netdiag/diag/netaddr"
)

// readSize is how much lineReader asks for at a time; lines longer than the
// buffer grow it.
const readSize = 1 << 20

// lineReader hands out the lines of r without copying or allocating: each
// line is a slice of its buffer, valid until the next call to fill. A line
// ends at "\n"; a "\r" before it is not part of the line's text (CRLF
// files), and the last line may lack the "\n".
type lineReader struct {
	r          io.Reader
	buf        []byte
	start, end int // unread data is buf[start:end]
	eof        bool
	err        error
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{r: r, buf: make([]byte, readSize)}
}

// next returns the next complete line in the buffer: its text (without "\n"
// or "\r\n") and its start and end offsets in buf including the terminator.
// ok is false when the buffer holds no complete line; call fill then.
func (lr *lineReader) next() (text []byte, from, to int, ok bool) {
	data := lr.buf[lr.start:lr.end]
	i := bytes.IndexByte(data, '\n')
	switch {
	case i >= 0:
		text = data[:i]
		from, to = lr.start, lr.start+i+1
	case lr.eof && len(data) > 0: // the last line, without "\n"
		text = data
		from, to = lr.start, lr.end
	default:
		return nil, 0, 0, false
	}
	lr.start = to
	if n := len(text); n > 0 && text[n-1] == '\r' {
		text = text[:n-1]
	}
	return text, from, to, true
}

// fill moves the unread data to the front of the buffer (growing it if a
// line does not fit) and reads more. It returns false at the end of input,
// when everything has been handed out, or on a read error (see lr.err).
func (lr *lineReader) fill() bool {
	if lr.eof {
		return false
	}
	n := copy(lr.buf, lr.buf[lr.start:lr.end])
	lr.start, lr.end = 0, n
	if n == len(lr.buf) {
		lr.buf = append(lr.buf, make([]byte, len(lr.buf))...)
	}
	m, err := io.ReadAtLeast(lr.r, lr.buf[lr.end:], 1)
	lr.end += m
	switch {
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		lr.eof = true
		return lr.end > lr.start
	case err != nil:
		lr.err = err
		lr.eof = true
		return false
	}
	return true
}

// FilterStats counts the lines Filter saw.
type FilterStats struct {
	Valid, Invalid int
}

// Filter copies to w, unchanged, the lines of r that are valid addresses or
// prefixes (keepValid) or the ones that are not, as grep does; a last line
// without a newline gets one. It neither allocates per line nor copies more
// than once: each run of selected lines is one Write straight from the read
// buffer, so w should be buffered (bufio) when writes are system calls.
func Filter(r io.Reader, w io.Writer, keepValid bool) (FilterStats, error) {
	var st FilterStats
	lr := newLineReader(r)
	for {
		runFrom, runTo := 0, 0 // selected lines not yet written: buf[runFrom:runTo]
		for {
			text, from, to, ok := lr.next()
			if !ok {
				break
			}
			valid := netaddr.ValidAddrOrPrefix(text)
			if valid {
				st.Valid++
			} else {
				st.Invalid++
			}
			if valid != keepValid {
				continue
			}
			if from != runTo {
				if err := writeRun(w, lr.buf, runFrom, runTo); err != nil {
					return st, err
				}
				runFrom = from
			}
			runTo = to
		}
		if err := writeRun(w, lr.buf, runFrom, runTo); err != nil {
			return st, err
		}
		if !lr.fill() {
			return st, lr.err
		}
	}
}

// writeRun writes buf[from:to], adding the newline a last line lacks.
func writeRun(w io.Writer, buf []byte, from, to int) error {
	if from == to {
		return nil
	}
	if _, err := w.Write(buf[from:to]); err != nil {
		return err
	}
	if buf[to-1] != '\n' {
		_, err := w.Write([]byte{'\n'})
		return err
	}
	return nil
}

// EachLine calls f with the text of every line of r (without the line
// terminator), stopping early if f returns false. The slice is only valid
// during the call.
func EachLine(r io.Reader, f func(text []byte) bool) error {
	lr := newLineReader(r)
	for {
		for {
			text, _, _, ok := lr.next()
			if !ok {
				break
			}
			if !f(text) {
				return nil
			}
		}
		if !lr.fill() {
			return lr.err
		}
	}
}

// AllValid reports whether every line of r is a valid address or prefix,
// reading only up to the first one that is not (-q).
func AllValid(r io.Reader) (bool, error) {
	all := true
	err := EachLine(r, func(text []byte) bool {
		all = netaddr.ValidAddrOrPrefix(text)
		return all
	})
	return all, err
}
