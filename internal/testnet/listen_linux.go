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
	var ln net.Listener
	err := inNetns(ns, func() (err error) {
		ln, err = net.Listen(network, address)
		return err
	})
	if err != nil {
		t.Fatalf("listening on %s %s in namespace %s: %v", network, address, ns, err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

// ListenPacketInNetns is ListenInNetns for datagram sockets
// (net.ListenPacket): a UDP server in namespace ns, served from any
// goroutine of the test. The socket is closed when the test ends.
func ListenPacketInNetns(t testing.TB, ns, network, address string) net.PacketConn {
	t.Helper()
	var pc net.PacketConn
	err := inNetns(ns, func() (err error) {
		pc, err = net.ListenPacket(network, address)
		return err
	})
	if err != nil {
		t.Fatalf("listening on %s %s in namespace %s: %v", network, address, ns, err)
	}
	t.Cleanup(func() { pc.Close() })
	return pc
}

// inNetns runs fn on an OS thread switched into namespace ns, for calls
// that create sockets there. The thread goes back to its own namespace
// afterwards; if that fails it stays locked and exits with its goroutine.
func inNetns(ns string, fn func() error) error {
	ch := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		self, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			ch <- fmt.Errorf("opening this thread's namespace: %w", err)
			return
		}
		defer unix.Close(self)
		target, err := unix.Open("/run/netns/"+ns, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			ch <- fmt.Errorf("opening namespace %s: %w", ns, err)
			return
		}
		defer unix.Close(target)
		if err := unix.Setns(target, unix.CLONE_NEWNET); err != nil {
			ch <- fmt.Errorf("entering namespace %s: %w", ns, err)
			return
		}
		err = fn()
		if unix.Setns(self, unix.CLONE_NEWNET) == nil {
			runtime.UnlockOSThread()
		}
		ch <- err
	}()
	return <-ch
}
