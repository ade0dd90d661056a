package testnet

import (
	"testing"
	"time"

	"netdiag/internal/clock"
)

// Tick waits until an engine waits on clk (clock.Fake.Next), fails the test
// unless it waits d from now, and moves clk to that moment, firing the
// engine's timer; it returns the moment. Tests of timed sending call it
// once per period.
func Tick(t testing.TB, clk *clock.Fake, d time.Duration) time.Time {
	t.Helper()
	at, err := clk.Next(t.Context())
	if err != nil || at.Sub(clk.Now()) != d {
		t.Fatalf("the engine waits %v (%v), want %v", at.Sub(clk.Now()), err, d)
	}
	clk.AdvanceTo(at)
	return at
}
