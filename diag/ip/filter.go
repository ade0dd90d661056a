package ip

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"runtime"
	"slices"
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

// next returns the text of the next complete line in the buffer, without
// "\n" or "\r\n". ok is false when the buffer holds no complete line; call
// fill then.
func (lr *lineReader) next() (text []byte, ok bool) {
	data := lr.buf[lr.start:lr.end]
	i := bytes.IndexByte(data, '\n')
	switch {
	case i >= 0:
		text = data[:i]
		lr.start += i + 1
	case lr.eof && len(data) > 0: // the last line, without "\n"
		text = data
		lr.start = lr.end
	default:
		return nil, false
	}
	if n := len(text); n > 0 && text[n-1] == '\r' {
		text = text[:n-1]
	}
	return text, true
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

// Filter tuning: the input is read in pieces of about pieceSize bytes of
// whole lines by one goroutine per CPU (at most maxWorkers); at most
// piecesPerWorker pieces per worker are in flight, read and not yet
// written.
const (
	pieceSize       = 256 << 10
	maxWorkers      = 4
	piecesPerWorker = 2
)

// Filter copies to w, unchanged, the lines of r that are valid addresses or
// prefixes (keepValid) or the ones that are not, as grep does; a last line
// without a newline gets one, and blank lines are skipped. Each worker
// reads the next piece of whole lines, judges its lines with
// netaddr.ValidAddrOrPrefix (the grammar of ip ADDR), moves the selected
// ones to the front of the piece and hands it over; whichever worker
// completes the piece next in input order writes it, and any finished
// pieces after it, each in one write. Memory is bounded by the pieces in
// flight, and nothing is allocated per line. w is flushed after each
// piece, so a terminal sees each line as it is typed. All its goroutines
// have ended when it returns; after a write error that means once the read
// in progress returns.
func Filter(r io.Reader, w *bufio.Writer, keepValid bool) (FilterStats, error) {
	workers := min(runtime.GOMAXPROCS(0), maxWorkers)
	f := &filter{keepValid: keepValid, free: make(chan []byte, piecesPerWorker*workers)}
	for range cap(f.free) {
		f.free <- nil // allocated on first use
	}
	f.in.r = r
	f.out.w = w
	f.out.done = make([]*piece, cap(f.free))
	var wg sync.WaitGroup
	for range workers {
		wg.Go(f.work)
	}
	wg.Wait()
	if f.out.err != nil {
		return f.out.st, f.out.err
	}
	return f.out.st, f.in.err
}

// filter is the state Filter's workers share.
type filter struct {
	keepValid bool
	free      chan []byte // piece buffers not in flight: taking one bounds what is
	in        struct {
		sync.Mutex
		r     io.Reader
		carry []byte // the partial line after the last piece
		seq   int    // pieces read so far
		eof   bool   // no more pieces: end of input, a read error or a write error
		err   error  // the read error, if any
	}
	out struct {
		sync.Mutex
		w    *bufio.Writer
		next int      // the seq of the next piece to write
		done []*piece // finished pieces waiting for earlier ones, by seq modulo len
		st   FilterStats
		err  error // the write error, if any
	}
}

// piece is a run of whole lines of the input, and what a worker found in it.
type piece struct {
	seq  int
	buf  []byte // the buffer the piece was read into, reused
	data []byte // the piece's lines, in buf
	out  []byte // the selected lines, moved to the front of data
	st   FilterStats
}

// work reads, judges and hands over pieces until the input ends.
func (f *filter) work() {
	for {
		buf := <-f.free
		p := f.read(buf)
		if p == nil {
			f.free <- buf
			return
		}
		p.scan(f.keepValid)
		f.finish(p)
	}
}

// read reads the next piece into buf (grown as a long line needs) and
// numbers it; it returns nil when there are no more. Each piece ends at
// the last newline a read brought, and the partial line after it starts
// the next one.
func (f *filter) read(buf []byte) *piece {
	in := &f.in
	in.Lock()
	defer in.Unlock()
	if in.eof {
		return nil
	}
	if buf == nil {
		buf = make([]byte, 0, pieceSize)
	}
	buf = append(buf[:0], in.carry...)
	for {
		if len(buf) == cap(buf) { // a line longer than the buffer
			buf = slices.Grow(buf, cap(buf))
		}
		n, err := in.r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		cut := len(buf)
		if err == nil {
			i := bytes.LastIndexByte(buf[len(buf)-n:], '\n')
			if i < 0 {
				continue
			}
			cut = len(buf) - n + i + 1
			in.carry = append(in.carry[:0], buf[cut:]...)
		} else {
			in.eof = true
			if err != io.EOF {
				in.err = err
				cut = bytes.LastIndexByte(buf, '\n') + 1 // keep the whole lines only
			}
			if cut == 0 {
				return nil
			}
		}
		p := &piece{seq: in.seq, buf: buf, data: buf[:cut]}
		in.seq++
		return p
	}
}

// finish writes p if it is the next piece in input order, then any
// finished pieces after it, and gives their buffers back; otherwise it
// leaves p to the worker that finishes the piece before it. After a write
// error, reading stops and pieces are dropped.
func (f *filter) finish(p *piece) {
	out := &f.out
	out.Lock()
	defer out.Unlock()
	out.done[p.seq%len(out.done)] = p
	for {
		i := out.next % len(out.done)
		q := out.done[i]
		if q == nil || q.seq != out.next {
			return
		}
		out.done[i] = nil
		out.next++
		if out.err == nil {
			out.st.Valid += q.st.Valid
			out.st.Invalid += q.st.Invalid
			out.err = q.write(out.w)
			if out.err != nil {
				f.in.Lock()
				f.in.eof = true
				f.in.Unlock()
			}
		}
		f.free <- q.buf
	}
}

// scan judges the piece's lines, counts them, and moves the selected ones
// (with their line ends) to the front of data, as p.out.
func (p *piece) scan(keepValid bool) {
	data := p.data
	n := 0                   // data[:n] holds the selected lines moved so far
	runStart, runEnd := 0, 0 // selected lines not yet moved
	for pos := 0; pos < len(data); {
		end, next := len(data), len(data)
		if i := bytes.IndexByte(data[pos:], '\n'); i >= 0 {
			end, next = pos+i, pos+i+1
		}
		if end > pos && data[end-1] == '\r' {
			end--
		}
		valid := netaddr.ValidAddrOrPrefix(data[pos:end])
		switch {
		case valid:
			p.st.Valid++
		case blank(data[pos:end]):
			pos = next
			continue
		default:
			p.st.Invalid++
		}
		if valid == keepValid {
			if runEnd != pos {
				n += copy(data[n:], data[runStart:runEnd])
				runStart = pos
			}
			runEnd = next
		}
		pos = next
	}
	n += copy(data[n:], data[runStart:runEnd])
	p.out = data[:n]
	if n > 0 && data[n-1] != '\n' { // the last line of the input
		p.out = append(p.out, '\n')
	}
}

// blank reports whether a line holds nothing but white space: such lines
// are skipped, as grep-style filters skip them.
func blank(text []byte) bool {
	for _, c := range text {
		if c != ' ' && c != '\t' && c != '\v' && c != '\f' && c != '\r' {
			return false
		}
	}
	return true
}

// write writes the piece's selected lines and flushes w. w is empty then,
// so when they are more than w buffers (a piece read from a file) bufio
// hands them straight to w's writer, without copying.
func (p *piece) write(w *bufio.Writer) error {
	if _, err := w.Write(p.out); err != nil {
		return err
	}
	return w.Flush()
}

// EachLine calls f with the text of every line of r that is not blank
// (without the line terminator), stopping early if f returns false. The
// slice is only valid during the call.
func EachLine(r io.Reader, f func(text []byte) bool) error {
	lr := newLineReader(r)
	for {
		for {
			text, ok := lr.next()
			if !ok {
				break
			}
			if blank(text) {
				continue
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
