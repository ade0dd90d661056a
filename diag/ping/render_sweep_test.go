package ping

import (
	"bytes"
	"testing"
	"time"

	"netdiag/diag/render"
)

// TestSweepLines prints a two-host sweep with -c 2 run on the fakes, so
// every figure is exact: fping -c's lines, probes numbered from [0] as
// fping numbers them, then the per-host statistics and the summary.
func TestSweepLines(t *testing.T) {
	f := newFake(t)
	ms := time.Millisecond
	opt := Options{Targets: hostsOf(t, "10.0.0.1", "10.0.0.2"), Count: 2, Interval: time.Second, Timeout: 500 * ms, Size: DefaultSize}
	r := f.start(opt)
	f.expect(EventStart, "", 0, t0)
	a := f.request("10.0.0.1", t0)
	f.request("10.0.0.2", t0) // never answered
	f.replyAfter(a, 250*us)
	f.expect(EventReply, "10.0.0.1", 1, at(250*us))
	f.clk.AdvanceTo(at(500 * ms))
	f.expect(EventTimeout, "10.0.0.2", 1, at(500*ms))
	f.clk.AdvanceTo(at(time.Second))
	a, b := f.request("10.0.0.1", at(time.Second)), f.request("10.0.0.2", at(time.Second))
	f.clk.Advance(250 * us)
	f.net.Reply(a)
	f.net.Reply(b)
	s, err := r.wait()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	p := newPrinter(render.New(&out, false), &out, view{sweep: true, count: 2}, opt)
	for _, ev := range f.log.All() {
		p.event(ev)
	}
	if err := p.finish(s); err != nil {
		t.Fatal(err)
	}
	want := `10.0.0.1 : [0], 64 bytes, 0.250 ms (0.250 avg, 0% loss)
10.0.0.2 : [0], timed out (NaN avg, 100% loss)
10.0.0.1 : [1], 64 bytes, 0.250 ms (0.250 avg, 0% loss)
10.0.0.2 : [1], 64 bytes, 0.250 ms (0.250 avg, 50% loss)
10.0.0.1 : xmt/rcv/%loss = 2/2/0%, min/avg/max = 0.250/0.250/0.250
10.0.0.2 : xmt/rcv/%loss = 2/1/50%, min/avg/max = 0.250/0.250/0.250

--- 10.0.0.1, 10.0.0.2 ping statistics ---
2 hosts, 2 alive, 0 unreachable
4 packets transmitted, 3 received, 25% packet loss, time 1000ms
rtt min/avg/max/mdev = 0.250/0.250/0.250/0.000 ms
`
	if out.String() != want {
		t.Errorf("sweep output:\n%s\nwant:\n%s", out.String(), want)
	}
}
