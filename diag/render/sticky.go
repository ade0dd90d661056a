package render

import (
	"io"
	"sync"
	"sync/atomic"
)

// StickyWriter is an io.Writer that passes each Write on whole, under a
// lock, until one fails; from then on it writes nothing and every Write
// returns that first error. A command writes its lines without checking
// each one and asks Err once at the end. It is safe for concurrent use:
// writes of concurrent goroutines never interleave.
type StickyWriter struct {
	mu  sync.Mutex // held for each write to w
	w   io.Writer
	err atomic.Pointer[error] // the first error; read without waiting for a write in progress
}

// NewStickyWriter returns a StickyWriter writing to w.
func NewStickyWriter(w io.Writer) *StickyWriter { return &StickyWriter{w: w} }

// Write writes p to the underlying writer unless an earlier write failed;
// a short write counts as a failure (io.ErrShortWrite).
func (s *StickyWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.Err(); err != nil {
		return 0, err
	}
	n, err := s.w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	if err != nil {
		s.fail(err)
	}
	return n, err
}

// Err returns the first error, or nil if every write so far succeeded. It
// does not wait for a write in progress.
func (s *StickyWriter) Err() error {
	if p := s.err.Load(); p != nil {
		return *p
	}
	return nil
}

// fail records err as the writer's error unless it has one already.
func (s *StickyWriter) fail(err error) { s.err.CompareAndSwap(nil, &err) }
