package wire

import (
	"context"
	"time"

	"netdiag/internal/clock"
)

// Repeat calls send(i) for i = 0, 1, …, n-1, or without end when n is 0
// (--every), waiting every between two calls on clk (nil: the system
// clock). It stops early, without error, when ctx is done or stop is
// closed, and returns send's first error.
func Repeat(ctx context.Context, clk clock.Clock, n int, every time.Duration, stop <-chan struct{}, send func(i int) error) error {
	if clk == nil {
		clk = clock.System{}
	}
	for i := 0; n == 0 || i < n; i++ {
		if i > 0 && every > 0 && !wait(ctx, clk, every, stop) {
			return nil
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

// wait waits d on clk and reports whether it passed before ctx ended or
// stop closed.
func wait(ctx context.Context, clk clock.Clock, d time.Duration, stop <-chan struct{}) bool {
	tick, cancel := clk.At(clk.Now().Add(d))
	defer cancel()
	select {
	case <-tick:
		return true
	case <-ctx.Done():
	case <-stop:
	}
	return false
}
