package testnet

import (
	"testing"
	"time"
)

// WaitUntil calls cond every 10ms until it returns true, and fails the test
// when that has not happened within timeout (e.g. a peer process that should
// be listening by now) or when cond returns an error.
func WaitUntil(t testing.TB, timeout time.Duration, what string, cond func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, err := cond()
		if err != nil {
			t.Fatalf("waiting for %s: %v", what, err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not happen within %v", what, timeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
