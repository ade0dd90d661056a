package icmpfake

import (
	"context"
	"errors"
	"net/netip"
	"testing"
	"time"

	"netdiag/diag/ping/icmpsock"
	"netdiag/internal/clock"
)

// TestNetwork checks a request's trip through a fake socket: recorded with
// the clock's time, answered into the reader's buffer, a failed send, a
// broken socket and Close.
func TestNetwork(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := clock.NewFake(t0)
	n := NewNetwork(c)
	s, err := n.Open(icmpsock.Config{})
	if err != nil || s.Mode() != icmpsock.Unprivileged {
		t.Fatalf("Open: %v, mode %v", err, s.Mode())
	}
	dst := netip.MustParseAddr("10.0.0.1")
	data := []byte("payload")
	if sent, err := s.Send(dst, 7, data); err != nil || !sent.Equal(t0) {
		t.Fatalf("Send: %v at %v", err, sent)
	}
	data[0] = 'X' // the request keeps its own copy
	r, err := n.Next(context.Background())
	if err != nil || r.Dst != dst || r.Seq != 7 || string(r.Data) != "payload" || r.N != 1 {
		t.Fatalf("Next: %+v, %v", r, err)
	}
	c.Advance(time.Millisecond)
	n.Reply(r)
	buf := make([]byte, 64)
	p, err := s.Recv(buf)
	if err != nil || p.Kind != icmpsock.EchoReply || p.Seq != 7 || string(p.Data) != "payload" || &p.Data[0] != &buf[0] || !p.When.Equal(t0.Add(time.Millisecond)) {
		t.Errorf("Recv: %+v, %v", p, err)
	}
	if _, ok, err := s.TryRecv(buf); ok || err != nil {
		t.Errorf("TryRecv on an empty queue: %v, %v", ok, err)
	}
	refused := errors.New("sendto: operation not permitted")
	n.FailSends(dst, refused)
	if _, err := s.Send(dst, 8, nil); err != refused {
		t.Errorf("Send after FailSends: %v", err)
	}
	broken := errors.New("broken")
	n.Break(false, broken)
	if _, err := s.Recv(buf); err != broken {
		t.Errorf("Recv after Break: %v", err)
	}
	if n.OpenSockets() != 1 || s.Close() != nil || n.OpenSockets() != 0 {
		t.Error("OpenSockets does not follow Close")
	}
	if _, err := s.Recv(buf); err != icmpsock.ErrClosed {
		t.Errorf("Recv after Close: %v", err)
	}
}
