package tcp

import (
	"bytes"
	"context"
	"net"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"netdiag/diag/netaddr"
	"netdiag/diag/wire"
	"netdiag/internal/testnet"
)

// eventLog collects events; data events are copied (the sender reuses
// them).
type eventLog struct{ *testnet.Events[Event] }

func newEventLog() *eventLog {
	return &eventLog{testnet.NewEvents(func(ev Event) Event {
		if d, ok := ev.(*DataEvent); ok {
			c := *d
			c.Raw, c.Text = slices.Clone(d.Raw), slices.Clone(d.Text)
			return c
		}
		return ev
	})}
}

// data returns the data events of one direction, with their raw bytes.
func (l *eventLog) data(dir string) ([]DataEvent, [][]byte) {
	var evs []DataEvent
	var raws [][]byte
	for _, ev := range l.All() {
		if d, ok := ev.(DataEvent); ok && d.Dir == dir {
			evs = append(evs, d)
			raws = append(raws, d.Raw)
		}
	}
	return evs, raws
}

// stream returns one direction's text (decoded chunks joined) and bytes.
func (l *eventLog) stream(dir string) (string, []byte) {
	evs, raws := l.data(dir)
	var sb strings.Builder
	for _, e := range evs {
		sb.WriteString(e.Text.String())
	}
	return sb.String(), bytes.Join(raws, nil)
}

func isKind(k Kind) func(Event) bool { return func(ev Event) bool { return ev.EventKind() == k } }

// testServer is a Serve running on 127.0.0.1 (or ::1) port 0.
type testServer struct {
	addr   string
	log    *eventLog
	cancel context.CancelFunc
	done   chan struct{}
	sum    SummaryEvent
	err    error
}

// startServer runs Serve on a loopback listener from Listen; the test's
// cleanup stops it.
func startServer(t testing.TB, host string, opt ServerOptions) *testServer {
	t.Helper()
	ln, err := Listen(context.Background(), ListenOptions{Host: mustHost(t, host)})
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ts := &testServer{addr: ln.Addr().String(), log: newEventLog(), cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(ts.done)
		ts.sum, ts.err = Serve(ctx, ln, opt, ts.log.Emit)
	}()
	t.Cleanup(func() { ts.stop(t) })
	return ts
}

// stop cancels the server and waits for Serve to return.
func (ts *testServer) stop(t testing.TB) SummaryEvent {
	t.Helper()
	ts.cancel()
	select {
	case <-ts.done:
	case <-time.After(10 * time.Second):
		t.Fatalf("Serve did not return within 10s of cancel")
	}
	if ts.err != nil {
		t.Errorf("Serve: %v", ts.err)
	}
	return ts.sum
}

func dialT(t testing.TB, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// settleGoroutines waits (bounded) for the goroutine count to drop back to
// at most base, and fails with a stack dump if it does not.
func settleGoroutines(t testing.TB, base int, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		n := runtime.NumGoroutine()
		if n <= base {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("goroutine leak: %d goroutines, %d before\n%s", n, base, buf)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func numGoroutines() int { return runtime.NumGoroutine() }

func mustHost(t testing.TB, s string) netaddr.Host {
	t.Helper()
	h, err := netaddr.ParseHost(s)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func mustCodec(t testing.TB, name string) wire.Codec {
	t.Helper()
	c, err := wire.LookupCodec(name)
	if err != nil {
		t.Fatalf("LookupCodec(%q): %v", name, err)
	}
	return c
}
