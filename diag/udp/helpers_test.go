package udp

import (
	"context"
	"net"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"netdiag/diag/netaddr"
	"netdiag/internal/testnet"
)

// eventLog collects events; data events are copied (the sender reuses
// them).
type eventLog = testnet.Events[Event]

func newEventLog() *eventLog {
	return testnet.NewEvents(func(ev Event) Event {
		if d, ok := ev.(*DataEvent); ok {
			c := *d
			c.Raw, c.Text = slices.Clone(d.Raw), slices.Clone(d.Text)
			return c
		}
		return ev
	})
}

// dataIn matches a datagram received with text s.
func dataIn(s string) func(Event) bool {
	return func(ev Event) bool {
		d, ok := ev.(DataEvent)
		return ok && d.Dir == "in" && d.Text.String() == s
	}
}

// testServer is a Serve running on a loopback address, port 0.
type testServer struct {
	addr netip.AddrPort
	log  *eventLog
	stop func() SummaryEvent
}

// startServer runs Serve on host (127.0.0.1 or ::1); the test's cleanup
// stops it, and stop stops it earlier and returns the summary.
func startServer(t *testing.T, host string, opt ServerOptions) *testServer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	h, err := netaddr.ParseHost(host)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Listen(ctx, ListenOptions{Host: h})
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{addr: c.LocalAddr().(*net.UDPAddr).AddrPort(), log: newEventLog()}
	done := make(chan SummaryEvent, 1)
	go func() {
		sum, err := Serve(ctx, c, opt, ts.log.Emit)
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
		done <- sum
	}()
	var once sync.Once
	var sum SummaryEvent
	ts.stop = func() SummaryEvent {
		once.Do(func() { cancel(); sum = <-done })
		return sum
	}
	t.Cleanup(func() { ts.stop() })
	ts.log.WaitFor(t, "listen", func(ev Event) bool { return ev.EventKind() == KindListen })
	return ts
}

// target is the server's address as a client target.
func (ts *testServer) target(t *testing.T) netaddr.HostPort {
	t.Helper()
	hp, err := netaddr.ParseHostPort(ts.addr.String())
	if err != nil {
		t.Fatal(err)
	}
	return hp
}

// peer is a plain UDP socket talking to a server, standing for a client.
type peer struct {
	t *testing.T
	c *net.UDPConn
}

func dialPeer(t *testing.T, to netip.AddrPort) *peer {
	t.Helper()
	c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(to))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &peer{t: t, c: c}
}

func (p *peer) send(s string) {
	p.t.Helper()
	if _, err := p.c.Write([]byte(s)); err != nil {
		p.t.Fatal(err)
	}
}

// next reads the next datagram; the deadline is a safety net.
func (p *peer) next() string {
	p.t.Helper()
	p.c.SetReadDeadline(time.Now().Add(20 * time.Second))
	buf := make([]byte, maxRecv)
	n, err := p.c.Read(buf)
	if err != nil {
		p.t.Fatalf("reading from the server: %v", err)
	}
	return string(buf[:n])
}

func (p *peer) local() string { return p.c.LocalAddr().String() }
