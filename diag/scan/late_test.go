package scan

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"netdiag/diag/netaddr"
)

// slowPath is a fake dialer for a path whose round trip is longer than the
// timeout: every port's first attempt comes back as a timed-out attempt
// still open (as the Linux dialer returns it), whose answer, a reset, has
// arrived by the time the scan looks again. Later attempts are refused at
// once. lost ports instead lose their first attempt outright.
type slowPath struct {
	mu      sync.Mutex
	tries   map[uint16]int
	lost    func(port uint16) bool
	pending int // attempts left open
	closed  int // of those, how many the scan closed or read
}

func (f *slowPath) dial(_ context.Context, ap netip.AddrPort, _ time.Duration) (net.Conn, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tries[ap.Port()]++
	if f.tries[ap.Port()] > 1 {
		return nil, syscall.ECONNREFUSED
	}
	if f.lost != nil && f.lost(ap.Port()) {
		return nil, context.DeadlineExceeded
	}
	f.pending++
	return nil, &fakePending{f: f}
}

// fakePending is an attempt whose reset came after its deadline.
type fakePending struct {
	f    *slowPath
	done bool
}

func (p *fakePending) Error() string { return "no answer within the timeout" }
func (p *fakePending) Unwrap() error { return context.DeadlineExceeded }
func (p *fakePending) poll() (net.Conn, error, bool) {
	p.finish()
	return nil, syscall.ECONNREFUSED, true
}
func (p *fakePending) abandon() { p.finish() }
func (p *fakePending) finish() {
	p.f.mu.Lock()
	defer p.f.mu.Unlock()
	if !p.done {
		p.done = true
		p.f.closed++
	}
}

func fakeScan(t *testing.T, f *slowPath, ports netaddr.PortRange, timeout time.Duration) Result {
	t.Helper()
	tg, err := netaddr.ParseTarget("127.0.0.1") // the fake dialer sends nothing
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), Options{
		Targets: []netaddr.Target{tg},
		Ports:   netaddr.NewPortList(ports), Timeout: timeout, Dial: f.dial,
	}, Events{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestLateAnswers: answers slower than the timeout are read as late, not as
// lost. Every port is closed, nothing slows the scan down, no attempt is
// made again (the late answer settles the port), every kept attempt is
// closed, and the summary says the timeout is too short.
func TestLateAnswers(t *testing.T) {
	f := &slowPath{tries: map[uint16]int{}}
	ports := netaddr.PortRange{First: 1, Last: 2000}
	res := fakeScan(t, f, ports, 100*time.Microsecond)
	if res.Counts.Closed != uint64(ports.Len()) || res.Late != uint64(ports.Len()) || res.Backoffs != 0 || res.RateCap != 0 {
		t.Errorf("counts %+v late %d backoffs %d rate cap %v: want all %d closed and late, no slowing down",
			res.Counts, res.Late, res.Backoffs, res.RateCap, ports.Len())
	}
	for p, n := range f.tries {
		if n != 1 {
			t.Fatalf("port %d dialled %d times: the late answer should have settled it", p, n)
		}
	}
	if f.closed != f.pending {
		t.Errorf("%d attempts kept open, %d closed", f.pending, f.closed)
	}
	d := strings.Join(Diagnosis(res), "\n")
	if !strings.Contains(d, "2,000 answers came after the attempt had stopped waiting") || !strings.Contains(d, "the timeout 0.10 ms is shorter than the round trip") {
		t.Errorf("diagnosis %q", d)
	}
}

// TestLostVersusLate: first attempts lost outright (one port in ten) are
// loss, answered by the retry; the late ones stay late. (The timeout is
// long so that this machine's own delays never make a retry's answer
// slower than the wait before it.)
func TestLostVersusLate(t *testing.T) {
	f := &slowPath{tries: map[uint16]int{}, lost: func(p uint16) bool { return p%10 == 0 }}
	ports := netaddr.PortRange{First: 1, Last: 2000}
	res := fakeScan(t, f, ports, time.Minute)
	// The 1,800 slow ports are late; a lost port's retry reads late too
	// when this machine takes longer to run it than the first attempt's
	// 20 ms wait (under load), so up to all 2,000 may be.
	if res.Counts.Closed != uint64(ports.Len()) || res.Late < uint64(ports.Len()*9/10) {
		t.Errorf("counts %+v late %d: want all closed, at least 1,800 late", res.Counts, res.Late)
	}
	for p, n := range f.tries {
		if want := 1 + btoi(p%10 == 0); n != want {
			t.Fatalf("port %d dialled %d times, want %d", p, n, want)
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
