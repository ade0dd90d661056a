package testnet

import (
	"fmt"
	"net"
	"runtime"
	"testing"

	"golang.org/x/sys/unix"
)

// ListenInNetns opens a listener (net.Listen(network, address)) inside
// network namespace ns, from a test running in the root namespace: the
// socket is created on an OS thread switched into ns and stays there,
// while the returned net.Listener works from any goroutine. The listener is
// closed when the test ends. Use it to put servers in a namespace made by
// Netns without running a helper process there.
func ListenInNetns(t testing.TB, ns, network, address string) net.Listener {
	t.Helper()
	type result struct {
		ln  net.Listener
		err error
	}
	ch := make(chan result, 1)
	go func() {
		// The thread stays locked (and exits with the goroutine) unless it
		// is back in its own namespace.
		runtime.LockOSThread()
		self, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			ch <- result{err: fmt.Errorf("opening this thread's namespace: %w", err)}
			return
		}
		defer unix.Close(self)
		target, err := unix.Open("/run/netns/"+ns, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			ch <- result{err: fmt.Errorf("opening namespace %s: %w", ns, err)}
			return
		}
		defer unix.Close(target)
		if err := unix.Setns(target, unix.CLONE_NEWNET); err != nil {
			ch <- result{err: fmt.Errorf("entering namespace %s: %w", ns, err)}
			return
		}
		ln, err := net.Listen(network, address)
		if unix.Setns(self, unix.CLONE_NEWNET) == nil {
			runtime.UnlockOSThread()
		}
		ch <- result{ln, err}
	}()
	r := <-ch
	if r.err != nil {
		t.Fatalf("listening on %s %s in namespace %s: %v", network, address, ns, r.err)
	}
	t.Cleanup(func() { r.ln.Close() })
	return r.ln
}
