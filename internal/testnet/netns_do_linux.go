package testnet

import (
	"fmt"
	"runtime"
	"testing"

	"golang.org/x/sys/unix"
)

// DoInNetns calls f on an OS thread switched into network namespace ns (one
// made by Netns) and returns f's error. Sockets f opens stay in ns and work
// from any goroutine afterwards, as ListenInNetns's listener does; anything
// else f does that depends on the namespace (reading /proc/sys/net) sees
// ns while f runs. The test fails if the namespace cannot be entered.
func DoInNetns(t testing.TB, ns string, f func() error) error {
	t.Helper()
	type result struct{ setup, err error }
	ch := make(chan result, 1)
	go func() {
		// The thread stays locked (and exits with the goroutine) unless it
		// is back in its own namespace.
		runtime.LockOSThread()
		self, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			ch <- result{setup: fmt.Errorf("opening this thread's namespace: %w", err)}
			return
		}
		defer unix.Close(self)
		target, err := unix.Open("/run/netns/"+ns, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			ch <- result{setup: fmt.Errorf("opening namespace %s: %w", ns, err)}
			return
		}
		defer unix.Close(target)
		if err := unix.Setns(target, unix.CLONE_NEWNET); err != nil {
			ch <- result{setup: fmt.Errorf("entering namespace %s: %w", ns, err)}
			return
		}
		ferr := f()
		if unix.Setns(self, unix.CLONE_NEWNET) == nil {
			runtime.UnlockOSThread()
		}
		ch <- result{err: ferr}
	}()
	r := <-ch
	if r.setup != nil {
		t.Fatalf("running in namespace %s: %v", ns, r.setup)
	}
	return r.err
}
