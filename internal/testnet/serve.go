package testnet

import (
	"net"
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

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
