package ping

import (
	"context"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"netdiag/diag/netaddr"
	"netdiag/diag/ping/icmpsock/icmpfake"
	"netdiag/internal/clock"
	"netdiag/internal/testnet"
)

// The engine's tests run it on icmpfake's network and clock: the test
// answers each request as it likes and moves time by hand, so every time
// asserted is exact and nothing waits on the wall clock. Waits for what the
// engine does next are bounded by testnet.HangGuard only to turn a bug into a
// failure instead of a hung test; no outcome depends on it.

// t0 is when every fake run starts.
var t0 = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// fake is one test's fake network and clock, and the events of the engine
// run on them.
type fake struct {
	t     *testing.T
	ctx   context.Context // done after testnet.HangGuard: the engine is stuck
	clk   *clock.Fake
	net   *icmpfake.Network
	log   *testnet.Events[Event]
	taken int // events the test has taken from log
}

func newFake(t *testing.T) *fake {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testnet.HangGuard)
	t.Cleanup(cancel)
	clk := clock.NewFake(t0)
	return &fake{t: t, ctx: ctx, clk: clk, net: icmpfake.NewNetwork(clk), log: testnet.NewEvents[Event](nil)}
}

func (f *fake) sys() system { return system{open: f.net.Open, clock: f.clk} }

// at returns t0 + d.
func at(d time.Duration) time.Time { return t0.Add(d) }

// hostsOf parses target arguments.
func hostsOf(t *testing.T, args ...string) []netaddr.Target {
	t.Helper()
	var out []netaddr.Target
	for _, a := range args {
		tg, err := netaddr.ParseTarget(a)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, tg)
	}
	return out
}

var kindNames = map[EventKind]string{EventStart: "start", EventReply: "reply", EventTimeout: "timeout",
	EventError: "error", EventHostDone: "host-done", EventStats: "stats"}

// event returns the next event the engine emits, waiting for it.
func (f *fake) event() Event {
	f.t.Helper()
	ev := f.log.Nth(f.t, f.taken)
	f.taken++
	return ev
}

// expect takes the next event and checks its kind, its host (by address),
// its probe number and its time.
func (f *fake) expect(kind EventKind, addr string, seq int, when time.Time) Event {
	f.t.Helper()
	ev := f.event()
	var a netip.Addr
	if addr != "" {
		a = netip.MustParseAddr(addr)
	}
	if ev.Kind != kind || ev.Host.Addr != a || ev.Seq != seq || !ev.Time.Equal(when) {
		f.t.Fatalf("event %s %s seq %d at t0+%v, want %s %s seq %d at t0+%v",
			kindNames[ev.Kind], ev.Host.Addr, ev.Seq, ev.Time.Sub(t0), kindNames[kind], a, seq, when.Sub(t0))
	}
	return ev
}

// noEvent checks that nothing was emitted that the test has not taken.
func (f *fake) noEvent() {
	f.t.Helper()
	for _, ev := range f.log.All()[f.taken:] {
		f.t.Errorf("unexpected event %s %s seq %d at t0+%v", kindNames[ev.Kind], ev.Host.Addr, ev.Seq, ev.Time.Sub(t0))
	}
}

// request takes the next request the engine sends and checks where and
// when it went.
func (f *fake) request(dst string, when time.Time) icmpfake.Request {
	f.t.Helper()
	r, err := f.net.Next(f.ctx)
	if err != nil {
		f.t.Fatalf("no request to %s came (the engine is stuck); clock at t0+%v", dst, f.clk.Now().Sub(t0))
	}
	if r.Dst != netip.MustParseAddr(dst) || !r.Time.Equal(when) {
		f.t.Fatalf("request %d to %s at t0+%v, want to %s at t0+%v", r.N, r.Dst, r.Time.Sub(t0), dst, when.Sub(t0))
	}
	return r
}

// noRequest checks that nothing was sent that the test has not taken.
func (f *fake) noRequest() {
	f.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if r, err := f.net.Next(ctx); err == nil {
		f.t.Errorf("unexpected request %d to %s at t0+%v", r.N, r.Dst, r.Time.Sub(t0))
	}
}

// replyAfter moves the clock on by rtt and answers r.
func (f *fake) replyAfter(r icmpfake.Request, rtt time.Duration) {
	f.clk.Advance(rtt)
	f.net.Reply(r)
}

// fakeRun is the engine running in the background, as Run runs it.
type fakeRun struct {
	f      *fake
	cancel context.CancelFunc
	done   chan struct{}
	sum    Summary
	err    error
}

// start runs the engine on the fakes with opt.
func (f *fake) start(opt Options) *fakeRun {
	ctx, cancel := context.WithCancel(context.Background())
	r := &fakeRun{f: f, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		r.sum, r.err = runOn(ctx, opt, f.log.Emit, f.sys())
	}()
	f.t.Cleanup(func() {
		cancel()
		if f.ctx.Err() != nil {
			return // the test already failed as stuck
		}
		select {
		case <-r.done:
		case <-f.ctx.Done():
			f.t.Error("Run did not return after its context was cancelled")
		}
	})
	return r
}

// wait returns what Run returned, and checks that it left no socket open
// and no timer set.
func (r *fakeRun) wait() (Summary, error) {
	r.f.t.Helper()
	select {
	case <-r.done:
	case <-r.f.ctx.Done():
		r.f.t.Fatalf("Run did not return (the engine is stuck); clock at t0+%v", r.f.clk.Now().Sub(t0))
	}
	if n := r.f.net.OpenSockets(); n != 0 {
		r.f.t.Errorf("Run returned with %d sockets open", n)
	}
	if n := r.f.clk.Pending(); n != 0 {
		r.f.t.Errorf("Run returned with %d timers set", n)
	}
	return r.sum, r.err
}

// newStepper builds an engine on the fakes to be driven by hand: the test
// calls settle instead of running the scheduler and receive instead of the
// receivers, so it sees exactly when the scheduler means to wake next.
func (f *fake) newStepper(opt Options) *engine {
	f.t.Helper()
	e, err := newEngine(context.Background(), opt, f.log.Emit, f.sys())
	if err != nil {
		f.t.Fatal(err)
	}
	e.begin()
	f.expect(EventStart, "", 0, t0)
	return e
}

// settle steps e until its next step is in the future and returns when
// that is, or the zero Time when the run is over.
func (f *fake) settle(e *engine) time.Time {
	f.t.Helper()
	for range 1 << 20 {
		next, over := e.step()
		if over {
			return time.Time{}
		}
		if next.After(f.clk.Now()) {
			return next
		}
	}
	f.t.Fatal("the scheduler never waits")
	return time.Time{}
}

// settleUntil is settle, checking when the scheduler means to wake next
// (the zero Time: the run is over).
func (f *fake) settleUntil(e *engine, want time.Time) {
	f.t.Helper()
	if got := f.settle(e); !got.Equal(want) {
		f.t.Fatalf("scheduler wakes next at %s, want %s", since0(got), since0(want))
	}
}

func since0(t time.Time) string {
	if t.IsZero() {
		return "never (the run is over)"
	}
	return fmt.Sprintf("t0+%v", t.Sub(t0))
}

// receive hands e what its fake sockets hold, as its receivers would.
func (f *fake) receive(e *engine) {
	f.t.Helper()
	buf := make([]byte, 1<<16)
	for _, fam := range e.fams {
		for fam != nil {
			p, ok, err := fam.conn.TryRecv(buf)
			if err != nil {
				f.t.Fatal(err)
			}
			if !ok {
				break
			}
			e.mu.Lock()
			e.handle(fam, &p)
			e.mu.Unlock()
		}
	}
}
