package trace

import (
	"context"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"netdiag/diag/netaddr"
)

// fakePath is a path the fake prober answers for: routers[k-1] is hop k,
// dst comes after them.
type fakePath struct {
	routers []netip.Addr
	dst     netip.Addr
	// linkMTU[k] is the MTU of the link after hop k (none: big enough).
	linkMTU map[int]int
	// unreachAt, when set, is a hop that answers "host unreachable" to
	// every probe going past it.
	unreachAt int
	// ecmp[k] is a second router of hop k, answering the probes with an
	// even key.
	ecmp map[int]netip.Addr
	// hold keeps every answer back until this many probes were sent.
	hold int
}

// answer is what the path sends back for a probe.
func (f *fakePath) answer(key uint32, ttl, size int) reply {
	r := reply{key: key, when: time.Now()}
	for k, router := range f.routers {
		hop := k + 1
		if alt, ok := f.ecmp[hop]; ok && key%2 == 0 {
			router = alt
		}
		switch {
		case ttl == hop:
			r.kind, r.from = timeExceeded, router
			return r
		case hop == f.unreachAt:
			r.kind, r.from, r.mark = unreachable, router, "!H"
			return r
		case f.linkMTU[hop] > 0 && size > f.linkMTU[hop]:
			r.kind, r.from, r.mtu, r.mark = tooBig, router, f.linkMTU[hop], "!F"
			return r
		}
	}
	r.kind, r.from = reachedDest, f.dst
	return r
}

// fakeProber sends into a fakePath. Answers reach the engine from run's
// goroutine, as a socket's would.
type fakeProber struct {
	path    *fakePath
	got     func(reply)
	replies chan reply
	done    chan struct{}

	mu   sync.Mutex
	n    uint32
	sent []int // TTLs, in send order
	held []reply
}

func newFake(path *fakePath) (*fakeProber, func(got func(reply)) (prober, error)) {
	f := &fakeProber{path: path, replies: make(chan reply, 1<<16), done: make(chan struct{})}
	return f, func(got func(reply)) (prober, error) { f.got = got; return f, nil }
}

func (f *fakeProber) send(ttl, size int) (uint32, time.Time, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	f.sent = append(f.sent, ttl)
	f.held = append(f.held, f.path.answer(f.n, ttl, size))
	if len(f.sent) >= f.path.hold {
		for _, r := range f.held {
			f.replies <- r
		}
		f.held = nil
	}
	return f.n, time.Now(), nil
}

func (f *fakeProber) run() error {
	for {
		select {
		case r := <-f.replies:
			f.got(r)
		case <-f.done:
			return nil
		}
	}
}

func (f *fakeProber) forget(uint32) {}
func (f *fakeProber) close()        { close(f.done) }

func addrs(s ...string) []netip.Addr {
	out := make([]netip.Addr, len(s))
	for i, a := range s {
		out[i] = netip.MustParseAddr(a)
	}
	return out
}

var (
	fakeRouters = addrs("10.0.0.1", "10.0.1.1", "10.0.2.1", "10.0.3.1")
	fakeDst     = netip.MustParseAddr("10.0.4.2")
)

// runFake traces the fake path with opt; the probes' timeout is long, so
// a probe of the engine counted lost would mean it waited for nothing.
func runFake(t *testing.T, path *fakePath, opt Options, ifMTU int) (Result, *fakeProber) {
	t.Helper()
	opt.Target = netaddr.Host{Addr: path.dst}
	opt.Numeric = true
	if opt.Timeout == 0 {
		opt.Timeout = time.Minute
	}
	opt, err := opt.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	f, newProber := newFake(path)
	res, err := runWith(ctx, Result{Addr: path.dst, InterfaceMTU: ifMTU}, opt, nil, newProber)
	if err != nil {
		t.Fatal(err)
	}
	if res.Interrupted {
		t.Fatalf("the trace did not end by itself; probes sent: %v", f.sent)
	}
	return res, f
}

// hopAddrs lists each row's responders.
func hopAddrs(res Result) [][]netip.Addr {
	var out [][]netip.Addr
	for _, h := range res.Hops {
		out = append(out, h.Addrs())
	}
	return out
}

func TestAllHopsAtOnce(t *testing.T) {
	// No answer comes back before every TTL of the first round was sent:
	// an engine that waited for one hop before probing the next would
	// never finish.
	path := &fakePath{routers: fakeRouters, dst: fakeDst, hold: DefaultMaxHops}
	res, f := runFake(t, path, Options{Count: 1}, 0)
	want := [][]netip.Addr{{fakeRouters[0]}, {fakeRouters[1]}, {fakeRouters[2]}, {fakeRouters[3]}, {fakeDst}}
	if got := hopAddrs(res); !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("hops %v, want %v", got, want)
	}
	if !res.Reached || res.Sent != 5 || res.Received != 5 {
		t.Errorf("reached %v sent %d received %d, want true 5 5", res.Reached, res.Sent, res.Received)
	}
	if !res.Hops[4].Destination {
		t.Error("the last row is not marked as the destination")
	}
	var first []int
	for ttl := 1; ttl <= DefaultMaxHops; ttl++ {
		first = append(first, ttl)
	}
	if !slices.Equal(f.sent, first) {
		t.Errorf("sent TTLs %v, want 1 to 30 in one round", f.sent)
	}
}

func TestRoundsCount(t *testing.T) {
	path := &fakePath{routers: fakeRouters, dst: fakeDst}
	res, _ := runFake(t, path, Options{Count: 4, Interval: -1, MaxHops: 8}, 0)
	if len(res.Hops) != 5 {
		t.Fatalf("%d rows, want 5", len(res.Hops))
	}
	for _, h := range res.Hops {
		if h.Sent != 4 || h.Received != 4 || h.Loss() != 0 || h.InFlight != 0 {
			t.Errorf("hop %d: sent %d received %d in flight %d, want 4 4 0", h.TTL, h.Sent, h.Received, h.InFlight)
		}
	}
}

func TestUnreachableEndsThePath(t *testing.T) {
	path := &fakePath{routers: fakeRouters, dst: fakeDst, unreachAt: 3}
	res, _ := runFake(t, path, Options{Count: 2}, 0)
	if len(res.Hops) != 4 || res.Reached {
		t.Fatalf("rows %v reached %v, want 4 rows, not reached", hopAddrs(res), res.Reached)
	}
	last := res.Hops[3]
	if last.Mark != "!H" || last.Addrs()[0] != fakeRouters[2] {
		t.Errorf("last row %+v, want hop 3's router with !H", last)
	}
	if got := BreakText(&res); got != "hop 4 (10.0.2.1) answers host unreachable (!H)" {
		t.Errorf("break text %q", got)
	}
}

func TestECMPResponders(t *testing.T) {
	alt := netip.MustParseAddr("10.0.9.1")
	path := &fakePath{routers: fakeRouters, dst: fakeDst, ecmp: map[int]netip.Addr{2: alt}}
	res, _ := runFake(t, path, Options{Count: 6, Interval: -1, MaxHops: 5}, 0)
	h := res.Hops[1]
	if len(h.Responders) != 2 || h.Received != 6 {
		t.Fatalf("hop 2: %+v, want two responders sharing 6 answers", h)
	}
	if n := h.Responders[0].Received + h.Responders[1].Received; n != 6 || h.Responders[0].Received == 0 || h.Responders[1].Received == 0 {
		t.Errorf("hop 2 responders %+v", h.Responders)
	}
}

func TestMTUDrop(t *testing.T) {
	path := &fakePath{routers: fakeRouters, dst: fakeDst, linkMTU: map[int]int{2: 1400, 3: 1280}}
	res, _ := runFake(t, path, Options{Count: 2, MTU: true}, 1500)
	wantDrops := []MTUDrop{{Hop: 2, Addr: fakeRouters[1], MTU: 1400}, {Hop: 3, Addr: fakeRouters[2], MTU: 1280}}
	if !slices.Equal(res.MTUDrops, wantDrops) {
		t.Errorf("drops %+v, want %+v", res.MTUDrops, wantDrops)
	}
	if res.PathMTU != 1280 || res.InterfaceMTU != 1500 || !res.Reached {
		t.Errorf("path MTU %d interface %d reached %v", res.PathMTU, res.InterfaceMTU, res.Reached)
	}
	for i, want := range []int{1500, 1500, 1400, 1280, 1280} {
		h := res.Hops[i]
		if h.MTU != want || h.Sent != 2 || h.Received != 2 {
			t.Errorf("hop %d: pmtu %d sent %d received %d, want %d 2 2 (probes sent again smaller are not counted twice)", h.TTL, h.MTU, h.Sent, h.Received, want)
		}
	}
	if got := MTUText(&res); got != "path MTU 1280: drops from 1500 to 1400 after hop 2 (10.0.1.1), then 1280 after hop 3 (10.0.2.1)" {
		t.Errorf("MTU text %q", got)
	}
}

func TestEventsCarrySnapshots(t *testing.T) {
	path := &fakePath{routers: fakeRouters, dst: fakeDst}
	opt, err := Options{Target: netaddr.Host{Addr: fakeDst}, Count: 1, Numeric: true, Timeout: time.Minute}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	var kinds []EventKind
	var lastRows int
	_, newProber := newFake(path)
	res, err := runWith(context.Background(), Result{Addr: fakeDst}, opt, func(ev Event) {
		kinds = append(kinds, ev.Kind)
		lastRows = len(ev.Result.Hops)
	}, newProber)
	if err != nil {
		t.Fatal(err)
	}
	if kinds[0] != EventStart || len(kinds) != 1+5 {
		t.Errorf("events %v, want a start and one per answered probe", kinds)
	}
	if lastRows != len(res.Hops) {
		t.Errorf("the last event's snapshot has %d rows, the result %d", lastRows, len(res.Hops))
	}
}

// TestCancelKeepsTheReport: a context that ends mid-trace (Ctrl-C) ends it
// at once, with what was answered so far and Interrupted set.
func TestCancelKeepsTheReport(t *testing.T) {
	path := &fakePath{routers: fakeRouters, dst: fakeDst}
	opt, err := Options{Target: netaddr.Host{Addr: fakeDst}, Count: 3, Interval: time.Hour, Numeric: true, Timeout: time.Hour}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	answered := 0
	_, newProber := newFake(path)
	// The first round is answered; the second would go out in an hour.
	res, err := runWith(ctx, Result{Addr: fakeDst}, opt, func(ev Event) {
		if ev.Kind == EventProbe {
			if answered++; answered == len(fakeRouters)+1 {
				cancel()
			}
		}
	}, newProber)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Interrupted || !res.Reached || len(res.Hops) != len(fakeRouters)+1 {
		t.Fatalf("interrupted %v reached %v hops %d, want true, true, %d", res.Interrupted, res.Reached, len(res.Hops), len(fakeRouters)+1)
	}
	for _, h := range res.Hops {
		if h.Sent != 1 || h.Received != 1 {
			t.Errorf("hop %d: sent %d received %d, want the first round's 1 and 1", h.TTL, h.Sent, h.Received)
		}
	}
	if got := Conclusion(&res); got != "10.0.4.2 reached in 5 hops (interrupted)" {
		t.Errorf("conclusion %q", got)
	}
}

// TestMTUStartsAtTheLargestPacket: on an interface whose MTU passes the
// largest IP packet (loopback's 65536), probes start at 65535 bytes, as
// tracepath's do.
func TestMTUStartsAtTheLargestPacket(t *testing.T) {
	path := &fakePath{routers: fakeRouters, dst: fakeDst}
	res, f := runFake(t, path, Options{Count: 1, MTU: true}, 65536)
	if res.PathMTU != MaxPacketSize || len(res.MTUDrops) != 0 || len(f.sent) == 0 {
		t.Errorf("path MTU %d, drops %v", res.PathMTU, res.MTUDrops)
	}
	if got := MTUText(&res); got != "path MTU 65535, the largest IP packet (the interface's MTU is 65536)" {
		t.Errorf("MTU text %q", got)
	}
}
