package testnet

import (
	"bytes"
	"sync"
	"testing"
	"time"
)

// Buffer is a bytes.Buffer safe for a writer (a process's output, a
// server's log) and a test that reads it meanwhile. Its zero value is
// ready to use.
type Buffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	once    sync.Once
	started chan struct{} // closed at the first write
	written chan struct{} // 1-buffered: something was written
}

func (s *Buffer) init() {
	s.once.Do(func() { s.started, s.written = make(chan struct{}), make(chan struct{}, 1) })
}

// Write appends p.
func (s *Buffer) Write(p []byte) (int, error) {
	s.init()
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.started:
	default:
		close(s.started)
	}
	select {
	case s.written <- struct{}{}:
	default:
	}
	return s.b.Write(p)
}

// String returns what was written so far.
func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Bytes returns a copy of what was written so far.
func (s *Buffer) Bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.b.Bytes())
}

// Started returns a channel closed at the first write.
func (s *Buffer) Started() <-chan struct{} {
	s.init()
	return s.started
}

// WaitFor waits until what was written satisfies cond, asking again after
// every write. The test fails when that has not happened within HangGuard
// (a writer that stopped).
func (s *Buffer) WaitFor(t testing.TB, what string, cond func(string) bool) {
	t.Helper()
	s.init()
	limit := time.After(HangGuard)
	for !cond(s.String()) {
		select {
		case <-s.written:
		case <-limit:
			t.Fatalf("no %s within %v; so far:\n%s", what, HangGuard, s.String())
		}
	}
}
