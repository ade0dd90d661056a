package ipinfo

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"runtime"
	"sync"

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

// Filter tuning: how much is read at a time, and from what size on a chunk
// is split between workers (one per CPU, at most maxWorkers).
const (
	chunkSize   = 4 << 20
	minParallel = 256 << 10
	maxWorkers  = 4
)

// Filter copies to w, unchanged, the lines of r that are valid addresses or
// prefixes (keepValid) or the ones that are not, as grep does; a last line
// without a newline gets one. It reads 4 MiB at a time; a big chunk is cut
// at line boundaries into one segment per CPU, scanned in parallel, and the
// selected lines are written in input order, each run of them in one write
// straight from the read buffer. Nothing is allocated per line. w is
// flushed after each chunk, so a terminal sees each line as it is typed
// and a file costs one flush per 4 MiB.
func Filter(r io.Reader, w *bufio.Writer, keepValid bool) (FilterStats, error) {
	var st FilterStats
	lr := newLineReader(r)
	lr.buf = make([]byte, chunkSize)
	segs := make([]segment, min(runtime.GOMAXPROCS(0), maxWorkers))
	for lr.fill() {
		data := lr.buf[lr.start:lr.end]
		n := bytes.LastIndexByte(data, '\n') + 1 // whole lines only...
		if lr.eof {
			n = len(data) // ...except at the end
		}
		used := splitSegments(segs, data[:n], lr.start)
		var wg sync.WaitGroup
		for i := 1; i < used; i++ {
			wg.Go(func() { segs[i].scan(lr.buf, keepValid) })
		}
		segs[0].scan(lr.buf, keepValid)
		wg.Wait()
		for _, sg := range segs[:used] {
			st.Valid += sg.st.Valid
			st.Invalid += sg.st.Invalid
			for _, run := range sg.runs {
				if err := writeRun(w, lr.buf, int(run[0]), int(run[1])); err != nil {
					return st, err
				}
			}
		}
		if err := w.Flush(); err != nil {
			return st, err
		}
		lr.start += n
	}
	return st, lr.err
}

// segment is one worker's share of a chunk: buf[from:to], whole lines.
type segment struct {
	from, to int
	runs     [][2]int32 // selected lines, merged into runs of offsets in buf
	st       FilterStats
}

// splitSegments divides data, which starts at offset base of the buffer,
// into up to len(segs) segments that end at line boundaries, and returns
// how many it used (at least one).
func splitSegments(segs []segment, data []byte, base int) int {
	k := len(segs)
	if len(data) < minParallel {
		k = 1
	}
	from, used := 0, 0
	for used < k && (from < len(data) || used == 0) {
		to := len(data)
		if mid := from + len(data)/k; used < k-1 && mid < len(data) {
			if j := bytes.IndexByte(data[mid:], '\n'); j >= 0 {
				to = mid + j + 1
			}
		}
		segs[used] = segment{from: base + from, to: base + to, runs: segs[used].runs[:0]}
		used++
		from = to
	}
	return used
}

// scan validates the segment's lines and records the selected ones.
func (sg *segment) scan(buf []byte, keepValid bool) {
	var verdicts [512]netaddr.LineVerdict
	for pos := sg.from; pos < sg.to; {
		k, _ := netaddr.ScanLines(buf[pos:sg.to], verdicts[:])
		for _, v := range verdicts[:k] {
			if v.Valid {
				sg.st.Valid++
			} else {
				sg.st.Invalid++
			}
			if v.Valid == keepValid {
				if n := len(sg.runs); n > 0 && int(sg.runs[n-1][1]) == pos {
					sg.runs[n-1][1] = int32(pos + v.Len)
				} else {
					sg.runs = append(sg.runs, [2]int32{int32(pos), int32(pos + v.Len)})
				}
			}
			pos += v.Len
		}
	}
}

// writeRun writes buf[from:to], adding the newline a last line lacks.
func writeRun(w *bufio.Writer, buf []byte, from, to int) error {
	if from == to {
		return nil
	}
	if _, err := w.Write(buf[from:to]); err != nil {
		return err
	}
	if buf[to-1] != '\n' {
		return w.WriteByte('\n')
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
