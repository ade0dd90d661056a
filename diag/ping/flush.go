package ping

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// batchWriter gathers a sweep's lines into few writes when the output is
// not a terminal (a thousand "is alive" lines would be a thousand write
// calls), and still hands them on within flushEvery, so a reader on a pipe
// sees progress. Close flushes the rest and stops the flushing goroutine.
type batchWriter struct {
	mu   sync.Mutex
	w    *bufio.Writer
	err  error
	stop chan struct{}
	done chan struct{}
	once sync.Once
}

const flushEvery = 100 * time.Millisecond

func newBatchWriter(w io.Writer) *batchWriter {
	b := &batchWriter{w: bufio.NewWriterSize(w, 64<<10), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(b.done)
		t := time.NewTicker(flushEvery)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				b.flush()
			case <-b.stop:
				return
			}
		}
	}()
	return b
}

// Write buffers p; it returns the first error a flush met.
func (b *batchWriter) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err != nil {
		return 0, b.err
	}
	return b.w.Write(p)
}

func (b *batchWriter) flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err == nil {
		b.err = b.w.Flush()
	}
}

// Close stops the periodic flushes and writes out what is left; later
// calls only return the error.
func (b *batchWriter) Close() error {
	b.once.Do(func() {
		close(b.stop)
		<-b.done
		b.flush()
	})
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.err
}
