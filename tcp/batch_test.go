package tcp

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// slowWriter records every write, sleeping a little in each, and tracks
// the largest single write.
type slowWriter struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	writes  int
	largest int
	delay   time.Duration
	fail    error
}

func (w *slowWriter) Write(p []byte) (int, error) {
	time.Sleep(w.delay)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.fail != nil {
		return 0, w.fail
	}
	w.writes++
	w.largest = max(w.largest, len(p))
	return w.buf.Write(p)
}

// Many goroutines write lines through one batchWriter into a slow sink:
// every line arrives whole, each goroutine's lines in order, in far fewer
// writes than lines, and never more than maxBatch plus one line at once.
func TestBatchWriterLinesWholeAndOrdered(t *testing.T) {
	const writers, lines = 50, 400
	sink := &slowWriter{delay: 200 * time.Microsecond}
	bw := newBatchWriter(sink)
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
	sc := bufio.NewScanner(&sink.buf)
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
	t.Logf("%d lines in %d writes", n, sink.writes)
	if sink.writes >= n/2 {
		t.Errorf("%d writes for %d lines: not batching", sink.writes, n)
	}
	if sink.largest > maxBatch+400 {
		t.Errorf("a write of %d bytes: more than maxBatch pending", sink.largest)
	}
}

// A failed write is reported by a later Write and by Close; nothing hangs.
func TestBatchWriterError(t *testing.T) {
	boom := errors.New("broken pipe")
	sink := &slowWriter{fail: boom}
	bw := newBatchWriter(sink)
	bw.Write([]byte("one\n"))
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := bw.Write([]byte("two\n")); errors.Is(err, boom) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the write error never surfaced")
		}
		time.Sleep(time.Millisecond)
	}
	if err := bw.Close(); !errors.Is(err, boom) {
		t.Errorf("Close = %v", err)
	}
}

// A single line at low rate is written at once, not held for a batch.
func TestBatchWriterPrompt(t *testing.T) {
	sink := &slowWriter{}
	bw := newBatchWriter(sink)
	defer bw.Close()
	bw.Write([]byte("hello\n"))
	deadline := time.Now().Add(2 * time.Second)
	for {
		sink.mu.Lock()
		got := sink.buf.String()
		sink.mu.Unlock()
		if got == "hello\n" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("line not written within 2s: %q", got)
		}
		time.Sleep(time.Millisecond)
	}
}
