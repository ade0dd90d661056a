package render

import (
	"errors"
	"io"
	"sync"
	"time"
)

// Limits of a BatchWriter's buffer.
const (
	// MaxPending bounds what a BatchWriter holds: a Write waits while this
	// much is pending, so a slow reader slows the writers down instead of
	// growing memory.
	MaxPending = 1 << 20
	// flushAt is how much pending output ends the gathering at once: more
	// would gain nothing but delay.
	flushAt = 64 << 10
)

// errClosed is what a Write after Close returns.
var errClosed = errors.New("write after close")

// BatchWriter gathers the writes of one or many goroutines into few writes
// of the underlying writer, for output that is not a terminal: a sweep's
// thousand "is alive" lines, a server's JSON line for every chunk of 1,000
// clients. Write copies p into a buffer and wakes a flusher goroutine; the
// flusher lets more gather for the gather time (not at all once flushAt
// bytes are pending) and writes everything pending in one call. So a
// reader on a pipe sees each line within the gather time, and under load
// hundreds of lines share one write(2).
//
// Each Write lands whole and in order, so whole lines stay whole. At most
// MaxPending bytes are pending (see there). The first error of the
// underlying writer is sticky: later Writes and Close return it. Close
// writes what is pending at once and stops the flusher.
type BatchWriter struct {
	out    *StickyWriter
	gather time.Duration

	mu      sync.Mutex
	room    *sync.Cond // signalled after each flush and by Close
	buf     []byte     // pending
	closing bool
	kick    chan struct{} // capacity 1: something is pending
	now     chan struct{} // capacity 1: stop gathering (flushAt reached, or Close)
	exited  chan struct{}
}

// NewBatchWriter starts a BatchWriter writing to w, and its flusher; Close
// stops it. gather is how long a line may wait for others: 100 ms for
// progress a person reads, 0.2 ms where only the number of system calls
// matters.
func NewBatchWriter(w io.Writer, gather time.Duration) *BatchWriter {
	b := &BatchWriter{out: NewStickyWriter(w), gather: gather,
		kick: make(chan struct{}, 1), now: make(chan struct{}, 1), exited: make(chan struct{})}
	b.room = sync.NewCond(&b.mu)
	go b.flusher()
	return b
}

// signal sends on a capacity-1 channel without waiting: a signal already
// pending covers this one.
func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// Write queues p, waiting while MaxPending bytes are pending. It returns
// the underlying writer's first error, if a flush met one.
func (b *BatchWriter) Write(p []byte) (int, error) {
	b.mu.Lock()
	for len(b.buf) >= MaxPending && !b.closing && b.out.Err() == nil {
		b.room.Wait()
	}
	if err := b.out.Err(); err != nil {
		b.mu.Unlock()
		return 0, err
	}
	if b.closing {
		b.mu.Unlock()
		return 0, errClosed
	}
	b.buf = append(b.buf, p...)
	full := len(b.buf) >= flushAt
	b.mu.Unlock()
	signal(b.kick)
	if full {
		signal(b.now)
	}
	return len(p), nil
}

// flusher writes what is pending, one batch per wake-up, until Close.
func (b *BatchWriter) flusher() {
	defer close(b.exited)
	var spare []byte
	for range b.kick {
		// A stop signal from before this batch is stale. Close and a full
		// buffer set their state before they signal, and it is read below.
		select {
		case <-b.now:
		default:
		}
		b.mu.Lock()
		n, closing := len(b.buf), b.closing
		b.mu.Unlock()
		if n == 0 && !closing {
			continue // its bytes went out with the batch before
		}
		if n < flushAt && !closing {
			select {
			case <-time.After(b.gather):
			case <-b.now:
			}
		}
		b.mu.Lock()
		out := b.buf
		b.buf = spare[:0]
		closing = b.closing
		b.mu.Unlock()
		if len(out) > 0 {
			b.out.Write(out) // an error stays in b.out for Write and Close
		}
		b.mu.Lock()
		spare = out
		pending := len(b.buf) > 0
		b.room.Broadcast()
		b.mu.Unlock()
		if closing && !pending {
			return
		}
	}
}

// Close writes what is pending, stops the flusher and returns the
// underlying writer's first error. Later calls return the same.
func (b *BatchWriter) Close() error {
	b.mu.Lock()
	b.closing = true
	b.room.Broadcast()
	b.mu.Unlock()
	signal(b.now)
	signal(b.kick)
	<-b.exited
	return b.out.Err()
}
