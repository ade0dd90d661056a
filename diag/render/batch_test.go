package render

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// sink records the writes a BatchWriter makes. If gate is set, each write
// first waits for a value from it; every write's size is sent on wrote.
type sink struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	writes  int
	largest int
	gate    chan struct{}
	wrote   chan int
	fail    error
}

func newSink() *sink { return &sink{wrote: make(chan int, 1<<16)} }

func (s *sink) Write(p []byte) (int, error) {
	if s.gate != nil {
		<-s.gate
	}
	defer func() { s.wrote <- len(p) }() // after the bookkeeping
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return 0, s.fail
	}
	s.writes++
	s.largest = max(s.largest, len(p))
	return s.buf.Write(p)
}

// counts returns the number of writes and the largest.
func (s *sink) counts() (writes, largest int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writes, s.largest
}

func (s *sink) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// The tests run in a synctest bubble: its clock moves only when every
// goroutine waits, so "when" is exact and nothing depends on the machine's
// speed.

// Lines written within the gather time go out together, exactly when it
// has passed.
func TestBatchWriterGathers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newSink()
		bw := NewBatchWriter(s, 100*time.Millisecond)
		defer bw.Close()
		start := time.Now()
		var want strings.Builder
		for i := range 100 {
			line := fmt.Sprintf("host %d is alive\n", i)
			want.WriteString(line)
			if _, err := bw.Write([]byte(line)); err != nil {
				t.Fatal(err)
			}
		}
		synctest.Wait()
		if got := s.String(); got != "" {
			t.Fatalf("written before the gather time: %q", got)
		}
		<-s.wrote
		if d := time.Since(start); d != 100*time.Millisecond {
			t.Errorf("written after %v, want 100ms", d)
		}
		if n, _ := s.counts(); n != 1 || s.String() != want.String() {
			t.Errorf("%d writes of %q, want one of the 100 lines", n, s.String())
		}
		// The next line waits for its own gather time, not a tick.
		<-time.After(30 * time.Millisecond)
		start = time.Now()
		bw.Write([]byte("late\n"))
		<-s.wrote
		if d := time.Since(start); d != 100*time.Millisecond || !strings.HasSuffix(s.String(), "\nlate\n") {
			t.Errorf("the second batch after %v, want 100ms", d)
		}
	})
}

// Once flushAt bytes are pending they are written without waiting.
func TestBatchWriterFlushesWhenFull(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newSink()
		bw := NewBatchWriter(s, time.Hour)
		defer bw.Close()
		start := time.Now()
		line := []byte(strings.Repeat("x", 1023) + "\n")
		for range flushAt / len(line) {
			bw.Write(line)
		}
		if n := <-s.wrote; n != flushAt || time.Since(start) != 0 {
			t.Errorf("a write of %d bytes after %v, want %d at once", n, time.Since(start), flushAt)
		}
	})
}

// Close writes what is pending at once; later writes fail; a second Close
// returns the same.
func TestBatchWriterClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newSink()
		bw := NewBatchWriter(s, time.Hour)
		start := time.Now()
		bw.Write([]byte("summary\n"))
		if err := bw.Close(); err != nil || s.String() != "summary\n" || time.Since(start) != 0 {
			t.Errorf("Close = %v after %v, output %q", err, time.Since(start), s.String())
		}
		if _, err := bw.Write([]byte("more\n")); !errors.Is(err, errClosed) {
			t.Errorf("Write after Close = %v", err)
		}
		if err := bw.Close(); err != nil {
			t.Errorf("second Close = %v", err)
		}
	})
}

// A stuck reader stops the writers at MaxPending bytes pending; when it
// reads again everything arrives, in order.
func TestBatchWriterBackpressure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newSink()
		s.gate = make(chan struct{})
		bw := NewBatchWriter(s, 200*time.Microsecond)
		line := []byte(strings.Repeat("y", 99) + "\n")
		const lines = 3 * MaxPending / 100
		accepted := 0
		done := make(chan struct{})
		go func() {
			defer close(done)
			for range lines {
				if _, err := bw.Write(line); err != nil {
					t.Error(err)
					return
				}
				accepted++
			}
		}()
		synctest.Wait() // the flusher waits in the first write, the writer for room
		bw.mu.Lock()
		pending := len(bw.buf)
		bw.mu.Unlock()
		if pending > MaxPending+len(line) || pending < MaxPending {
			t.Errorf("%d bytes pending, want MaxPending (%d) plus at most a line", pending, MaxPending)
		}
		if accepted == lines {
			t.Fatal("every write returned while the reader was stuck")
		}
		close(s.gate)
		<-done
		if err := bw.Close(); err != nil {
			t.Fatal(err)
		}
		if got := s.String(); got != strings.Repeat(string(line), lines) {
			t.Errorf("%d bytes arrived, want %d", len(got), lines*len(line))
		}
		if _, largest := s.counts(); largest > MaxPending+len(line) {
			t.Errorf("a write of %d bytes: more than MaxPending pending", largest)
		}
	})
}

// A failed write is reported by the next Write and by Close.
func TestBatchWriterError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		boom := errors.New("broken pipe")
		s := newSink()
		s.fail = boom
		bw := NewBatchWriter(s, time.Millisecond)
		if _, err := bw.Write([]byte("one\n")); err != nil {
			t.Fatal(err)
		}
		<-s.wrote
		synctest.Wait()
		if _, err := bw.Write([]byte("two\n")); !errors.Is(err, boom) {
			t.Errorf("Write after the failure = %v", err)
		}
		if err := bw.Close(); !errors.Is(err, boom) {
			t.Errorf("Close = %v", err)
		}
		if len(s.wrote) != 0 {
			t.Error("wrote again after the failure")
		}
	})
}

// Many goroutines write through one BatchWriter: every line arrives whole,
// each goroutine's lines in order, in far fewer writes than lines.
func TestBatchWriterLinesWholeAndOrdered(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const writers, lines = 50, 400
		s := newSink()
		bw := NewBatchWriter(s, 200*time.Microsecond)
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				for i := range lines {
					line := fmt.Sprintf("writer %d line %d %s\n", w, i, bytes.Repeat([]byte("x"), (w*i)%300))
					if _, err := bw.Write([]byte(line)); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		if err := bw.Close(); err != nil {
			t.Fatal(err)
		}
		next := make([]int, writers)
		sc := bufio.NewScanner(strings.NewReader(s.String()))
		n := 0
		for sc.Scan() {
			var w, i int
			if _, err := fmt.Sscanf(sc.Text(), "writer %d line %d ", &w, &i); err != nil {
				t.Fatalf("mangled line %q: %v", sc.Text(), err)
			}
			pad := strings.TrimPrefix(sc.Text(), fmt.Sprintf("writer %d line %d ", w, i))
			if i != next[w] || len(pad) != (w*i)%300 {
				t.Fatalf("writer %d: line %d (%d x), want line %d", w, i, len(pad), next[w])
			}
			next[w]++
			n++
		}
		if n != writers*lines {
			t.Errorf("%d lines arrived, want %d", n, writers*lines)
		}
		if writes, _ := s.counts(); writes >= n/10 {
			t.Errorf("%d writes for %d lines: not batching", writes, n)
		}
	})
}
