package testnet

import (
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// ServePacket answers datagrams arriving on pc with handle's reply (none
// when it returns nil) until the test ends, when pc is closed and the
// serving goroutine is waited for. Use it for the tests' small UDP servers
// (a DNS responder).
func ServePacket(t testing.TB, pc net.PacketConn, handle func(req []byte) []byte) {
	t.Helper()
	done := make(chan struct{})
	t.Cleanup(func() { pc.Close(); <-done })
	go func() {
		defer close(done)
		buf := make([]byte, 64<<10)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if resp := handle(buf[:n]); resp != nil {
				pc.WriteTo(resp, from)
			}
		}
	}()
}

// Serve accepts connections on ln until the test ends, when ln is closed
// and the accepting goroutine is waited for. Each connection is passed to
// handle (nil: none) in the accepting goroutine, then closed. Use it for
// the tests' small TCP servers (an open port).
func Serve(t testing.TB, ln net.Listener, handle func(net.Conn)) {
	t.Helper()
	done := make(chan struct{})
	t.Cleanup(func() { ln.Close(); <-done })
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if handle != nil {
				handle(c)
			}
			c.Close()
		}
	}()
}

// FreePort returns a port that was free a moment ago for TCP and UDP on
// every address, and that no test in this process got before. It lies
// below the kernel's ephemeral range (net.ipv4.ip_local_port_range), so no
// connect of a parallel test and no ":0" listener is given it meanwhile:
// a port from the ephemeral range, free once its listener closed, could be
// taken as a client's local port before the test listened on it again.
func FreePort(t testing.TB) int {
	t.Helper()
	lo := ephemeralLow()
	freeMu.Lock()
	defer freeMu.Unlock()
	for range 1000 {
		port := freeFloor + rand.IntN(lo-freeFloor)
		if handedOut[port] || !bindable(port) {
			continue
		}
		handedOut[port] = true
		return port
	}
	t.Fatalf("no free port below %d after 1000 tries", lo)
	return 0
}

// freeFloor is the lowest port FreePort returns: above the ports services
// commonly use.
const freeFloor = 16384

var (
	freeMu    sync.Mutex
	handedOut = map[int]bool{}
)

// ephemeralLow is the first port of the kernel's ephemeral range (32768
// where it cannot be read).
func ephemeralLow() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if lo, _, ok := strings.Cut(strings.TrimSpace(string(b)), "\t"); err == nil && ok {
		if n, err := strconv.Atoi(strings.TrimSpace(lo)); err == nil && n > freeFloor+1000 {
			return n
		}
	}
	return 32768
}

// bindable reports whether port can be bound for TCP and UDP on the
// wildcard address (so on every address of both families). It binds
// without listening: a process that a parallel test forks holds every
// descriptor until its exec, and a listening copy would accept connections
// a test expects refused.
func bindable(port int) bool {
	for _, typ := range []int{syscall.SOCK_STREAM, syscall.SOCK_DGRAM} {
		fd, err := syscall.Socket(syscall.AF_INET6, typ, 0)
		if err != nil {
			return false
		}
		syscall.SetsockoptInt(fd, syscall.IPPROTO_IPV6, syscall.IPV6_V6ONLY, 0)
		syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1)
		err = syscall.Bind(fd, &syscall.SockaddrInet6{Port: port})
		syscall.Close(fd)
		if err != nil {
			return false
		}
	}
	return true
}
