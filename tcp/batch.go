package tcp

import (
	"errors"
	"io"
	"sync"
	"time"
)

// maxBatch bounds what batchWriter holds: a writer waits while this much is
// pending, so a slow stdout slows the connections down instead of growing
// memory.
const maxBatch = 1 << 20

// gather is how long the flusher lets lines gather when it wakes up to
// less than gatherBelow pending: at 100,000 lines a second this turns one
// write per line into one per few hundred, and no one sees 0.2 ms.
const (
	gather      = 200 * time.Microsecond
	gatherBelow = 64 << 10
)

// batchWriter coalesces the writes of many goroutines into few system
// calls: Write copies the bytes into a buffer and wakes one flusher
// goroutine, which lets lines gather for a moment (see gather) and writes
// everything pending in one call. Under load (a server printing a JSON
// line for every chunk of 1,000 clients) hundreds of lines go out per
// write.
// Each Write lands whole and in order, so whole lines stay whole.
type batchWriter struct {
	w       io.Writer
	mu      sync.Mutex
	room    *sync.Cond // signalled after each flush
	buf     []byte     // pending
	err     error      // the first write error; later writes fail with it
	closing bool
	kick    chan struct{} // capacity 1: "something is pending"
	exited  chan struct{}
}

// newBatchWriter starts the flusher; Close stops it.
func newBatchWriter(w io.Writer) *batchWriter {
	b := &batchWriter{w: w, kick: make(chan struct{}, 1), exited: make(chan struct{})}
	b.room = sync.NewCond(&b.mu)
	go b.flusher()
	return b
}

// Write queues p. It returns an earlier write's error, if any.
func (b *batchWriter) Write(p []byte) (int, error) {
	b.mu.Lock()
	for len(b.buf) >= maxBatch && b.err == nil && !b.closing {
		b.room.Wait()
	}
	switch {
	case b.err != nil:
		b.mu.Unlock()
		return 0, b.err
	case b.closing:
		b.mu.Unlock()
		return 0, errors.New("write after close")
	}
	b.buf = append(b.buf, p...)
	b.mu.Unlock()
	select {
	case b.kick <- struct{}{}:
	default:
	}
	return len(p), nil
}

func (b *batchWriter) flusher() {
	defer close(b.exited)
	var spare []byte
	for range b.kick {
		b.mu.Lock()
		if len(b.buf) < gatherBelow && !b.closing {
			b.mu.Unlock()
			time.Sleep(gather)
			b.mu.Lock()
		}
		out := b.buf
		b.buf = spare[:0]
		closing := b.closing
		b.mu.Unlock()
		var err error
		if len(out) > 0 {
			_, err = b.w.Write(out)
		}
		b.mu.Lock()
		if err != nil && b.err == nil {
			b.err = err
		}
		spare = out
		pending := len(b.buf) > 0
		b.room.Broadcast()
		b.mu.Unlock()
		if closing && !pending {
			return
		}
	}
}

// Close writes what is pending, stops the flusher and returns the first
// write error.
func (b *batchWriter) Close() error {
	b.mu.Lock()
	b.closing = true
	b.room.Broadcast()
	b.mu.Unlock()
	select {
	case b.kick <- struct{}{}:
	default:
	}
	<-b.exited
	return b.err
}
