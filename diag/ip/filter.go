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

// Filter tuning: the input is cut into pieces of about pieceSize bytes of
// whole lines, scanned by one goroutine per CPU (at most maxWorkers); at
// most two pieces per worker are read ahead of the writer.
const (
	pieceSize  = 1 << 20
	maxWorkers = 4
)

// piece is a run of whole lines of the input, and what a worker found in it.
type piece struct {
	data []byte   // the piece's lines, in buf
	buf  []byte   // the buffer the piece was read into, reused
	runs [][2]int // selected lines, merged into runs of offsets in data
	st   FilterStats
	done chan struct{} // receives once scan is over
}

// Filter copies to w, unchanged, the lines of r that are valid addresses or
// prefixes (keepValid) or the ones that are not, as grep does; a last line
// without a newline gets one, and blank lines are skipped. The input is
// read in pieces of whole lines, the pieces are judged in parallel with
// netaddr.ValidAddrOrPrefix (the grammar of ip ADDR), and the selected
// lines are written in input order, each run of them in one write, while
// later pieces are still being judged. Memory is bounded by the pieces in
// flight, and nothing is allocated per line. w is flushed after each piece,
// so a terminal sees each line as it is typed. All its goroutines have
// ended when it returns; after a write error that means once the read in
// progress returns.
func Filter(r io.Reader, w *bufio.Writer, keepValid bool) (FilterStats, error) {
	src := &readSource{r: r, pool: newPool()}
	workers := min(runtime.GOMAXPROCS(0), maxWorkers)
	jobs := make(chan *piece, workers)
	order := make(chan *piece, 2*workers) // bounds the pieces in flight
	quit := make(chan struct{})
	var readErr error
	var reader sync.WaitGroup
	reader.Go(func() {
		defer close(order)
		defer close(jobs)
		for {
			p, err := src.next()
			if p != nil {
				select {
				case order <- p:
					jobs <- p
				case <-quit:
					return
				}
			}
			if err != nil {
				if err != io.EOF {
					readErr = err
				}
				return
			}
		}
	})
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for p := range jobs {
				p.scan(keepValid)
				p.done <- struct{}{}
			}
		})
	}

	var st FilterStats
	var err error
	for p := range order {
		<-p.done
		if err == nil {
			st.Valid += p.st.Valid
			st.Invalid += p.st.Invalid
			if err = writeRuns(w, p); err != nil {
				close(quit) // stop reading; what is in flight drains
			}
		}
		src.pool.put(p)
	}
	wg.Wait()
	reader.Wait()
	if err != nil {
		return st, err
	}
	return st, readErr
}

// scan judges the piece's lines and records the selected ones.
func (p *piece) scan(keepValid bool) {
	data := p.data
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
			if n := len(p.runs); n > 0 && p.runs[n-1][1] == pos {
				p.runs[n-1][1] = next
			} else {
				p.runs = append(p.runs, [2]int{pos, next})
			}
		}
		pos = next
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

// writeRuns writes the piece's selected lines, adding the newline a last
// line lacks, and flushes w.
func writeRuns(w *bufio.Writer, p *piece) error {
	for _, run := range p.runs {
		if _, err := w.Write(p.data[run[0]:run[1]]); err != nil {
			return err
		}
		if p.data[run[1]-1] != '\n' {
			if err := w.WriteByte('\n'); err != nil {
				return err
			}
		}
	}
	return w.Flush()
}

// readSource reads pieces into pooled buffers; each piece ends at the last
// newline a read brought, and the partial line after it starts the next.
type readSource struct {
	r     io.Reader
	carry []byte // the partial line after the last piece
	pool  pool
	eof   bool
}

// pool keeps pieces, with their buffers and run lists, for reuse: as many
// as can be in flight.
type pool chan *piece

func newPool() pool { return make(pool, 3*maxWorkers+1) }

// get returns a piece from the pool, or a new one.
func (pl pool) get() *piece {
	select {
	case p := <-pl:
		p.runs, p.st = p.runs[:0], FilterStats{}
		return p
	default:
		return &piece{done: make(chan struct{}, 1)}
	}
}

// put gives p back, unless the pool is full.
func (pl pool) put(p *piece) {
	select {
	case pl <- p:
	default:
	}
}

// next reads the next piece; it returns nil and io.EOF at the end, and
// with another error maybe a last piece too.
func (s *readSource) next() (*piece, error) {
	if s.eof {
		return nil, io.EOF
	}
	p := s.pool.get()
	if p.buf == nil {
		p.buf = make([]byte, 0, pieceSize)
	}
	buf := append(p.buf[:0], s.carry...)
	for {
		if len(buf) == cap(buf) { // a line longer than the buffer
			buf = slices.Grow(buf, cap(buf))
		}
		n, err := s.r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err != nil {
			s.eof = true
			if err != io.EOF { // keep the whole lines only
				buf = buf[:bytes.LastIndexByte(buf, '\n')+1]
			}
			if len(buf) == 0 {
				s.pool.put(p)
				return nil, err
			}
			p.buf, p.data = buf, buf
			return p, err
		}
		if i := bytes.LastIndexByte(buf[len(buf)-n:], '\n'); i >= 0 {
			cut := len(buf) - n + i + 1
			s.carry = append(s.carry[:0], buf[cut:]...)
			p.buf, p.data = buf, buf[:cut]
			return p, nil
		}
	}
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
