package wire

import (
	"context"
	"time"
)

// Clock is the time source of timed sending (--interval, --every); tests
// pass a fake whose channels they fire themselves.
type Clock interface {
	// After returns a channel that receives once d has passed.
	After(d time.Duration) <-chan time.Time
}

// SystemClock is the real clock.
type SystemClock struct{}

// After is time.After.
func (SystemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Repeat calls send(i) for i = 0, 1, …, n-1, or without end when n is 0
// (--every), waiting every between two calls on clock (nil: the system
// clock). It stops early, without error, when ctx is done or stop is
// closed, and returns send's first error.
func Repeat(ctx context.Context, clock Clock, n int, every time.Duration, stop <-chan struct{}, send func(i int) error) error {
	if clock == nil {
		clock = SystemClock{}
	}
	for i := 0; n == 0 || i < n; i++ {
		if i > 0 && every > 0 {
			select {
			case <-clock.After(every):
			case <-ctx.Done():
				return nil
			case <-stop:
				return nil
			}
		}
		if ctx.Err() != nil {
			return nil
		}
		select {
		case <-stop:
			return nil
		default:
		}
		if err := send(i); err != nil {
			return err
		}
	}
	return nil
}
