package icmpfake

import (
	"context"
	"errors"
	"net/netip"
	"testing"
	"time"

	"netdiag/diag/ping/icmpsock"
)

func fired(c <-chan time.Time) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// TestClock checks the timers: due ones fire on Advance and only they, a
// time already reached fires at once, the clock never goes back, and a
// stopped timer never fires.
func TestClock(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := NewClock(t0)
	a, _ := c.At(t0.Add(time.Second))
	b, stopB := c.At(t0.Add(2 * time.Second))
	if now, _ := c.At(t0); !fired(now) {
		t.Error("a timer for the present did not fire at once")
	}
	c.Advance(time.Second - 1)
	if fired(a) || fired(b) || c.Pending() != 2 {
		t.Fatalf("timers fired early (pending %d)", c.Pending())
	}
	c.Advance(1)
	if !fired(a) || fired(b) || c.Pending() != 1 {
		t.Fatalf("at 1 s: want the first timer fired, the second pending (pending %d)", c.Pending())
	}
	c.AdvanceTo(t0) // never back
	if !c.Now().Equal(t0.Add(time.Second)) {
		t.Errorf("clock went back to %v", c.Now())
	}
	if !stopB() || stopB() || c.Pending() != 0 {
		t.Error("Stop did not report the pending timer once")
	}
	c.Advance(time.Hour)
	if fired(b) {
		t.Error("a stopped timer fired")
	}
}

// TestNetwork checks a request's trip through a fake socket: recorded with
// the clock's time, answered into the reader's buffer, a failed send, a
// broken socket and Close.
func TestNetwork(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := NewClock(t0)
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
