package trace

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
	"time"

	"netdiag/diag/netaddr"
	"netdiag/diag/render"
)

func TestAnnotate(t *testing.T) {
	row := func(sent, received int) Hop { return Hop{Sent: sent, Received: received} }
	for _, tc := range []struct {
		name string
		hops []Hop
		want []Note
	}{
		{"no loss", []Hop{row(5, 5), row(5, 5)}, []Note{"", ""}},
		{"a router that rate-limits", []Hop{row(5, 5), row(5, 2), row(5, 5)}, []Note{"", RateLimited, ""}},
		{"loss that carries on is loss", []Hop{row(5, 5), row(5, 3), row(5, 3)}, []Note{"", "", ""}},
		{"a silent router", []Hop{row(5, 0), row(5, 5)}, []Note{Silent, ""}},
		{"the path goes dark", []Hop{row(5, 5), row(5, 0)}, []Note{"", ""}},
		{"two rate limiters before a clean hop", []Hop{row(5, 4), row(5, 1), row(5, 4), row(5, 5)}, []Note{RateLimited, RateLimited, RateLimited, ""}},
		{"loss at the destination is loss", []Hop{row(5, 5), row(5, 4)}, []Note{"", ""}},
		{"an unprobed hop is skipped", []Hop{row(5, 3), row(0, 0), row(5, 5)}, []Note{RateLimited, "", ""}},
	} {
		annotate(tc.hops)
		for i, h := range tc.hops {
			if h.Note != tc.want[i] {
				t.Errorf("%s: hop %d note %q, want %q", tc.name, i+1, h.Note, tc.want[i])
			}
		}
	}
}

func TestMarks(t *testing.T) {
	for _, tc := range []struct {
		v6   bool
		code int
		want string
	}{
		{false, 0, "!N"}, {false, 1, "!H"}, {false, 2, "!P"}, {false, 4, "!F"}, {false, 5, "!S"},
		{false, 10, "!X"}, {false, 13, "!X"}, {false, 14, "!V"}, {false, 15, "!C"}, {false, 8, "!8"},
		{true, 0, "!N"}, {true, 1, "!X"}, {true, 3, "!H"}, {true, 2, "!S"}, {true, 7, "!7"},
	} {
		if got := markOf(tc.v6, tc.code); got != tc.want {
			t.Errorf("markOf(v6 %v, %d) = %s, want %s", tc.v6, tc.code, got, tc.want)
		}
	}
}

func TestRTTStats(t *testing.T) {
	var s rttStats
	for _, ms := range []int{2, 4, 4, 4, 5, 5, 7, 9} {
		s.add(time.Duration(ms) * time.Millisecond)
	}
	var h Hop
	s.fill(&h)
	// mean 5; sample variance 32/7.
	if h.Avg != 5*time.Millisecond || h.Best != 2*time.Millisecond || h.Worst != 9*time.Millisecond || h.Last != 9*time.Millisecond {
		t.Errorf("avg %v best %v worst %v last %v", h.Avg, h.Best, h.Worst, h.Last)
	}
	if want := time.Duration(2138090); h.StDev != want {
		t.Errorf("stdev %v, want %v (the sample standard deviation, as mtr's)", h.StDev, want)
	}
	var one rttStats
	one.add(time.Millisecond)
	h = Hop{}
	one.fill(&h)
	if h.StDev != 0 {
		t.Errorf("stdev of one answer %v, want 0", h.StDev)
	}
}

// sampleResult is a trace with a rate-limiting hop, a silent one and an
// ECMP hop, as the renderers see it.
func sampleResult() Result {
	a := netip.MustParseAddr
	ms := func(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }
	hops := []Hop{
		{TTL: 1, Responders: []Responder{{Addr: a("10.0.0.1"), Name: "gw.test", Received: 4}}, Sent: 4, Received: 4, Last: ms(0.5), Avg: ms(0.45), Best: ms(0.4), Worst: ms(0.5), StDev: ms(0.05)},
		{TTL: 2, Responders: []Responder{{Addr: a("10.0.1.1"), Received: 1}}, Sent: 4, Received: 1, Last: ms(1), Avg: ms(1), Best: ms(1), Worst: ms(1)},
		{TTL: 3, Sent: 4},
		{TTL: 4, Responders: []Responder{{Addr: a("10.0.3.1"), Received: 2}, {Addr: a("10.0.9.1"), Received: 2}}, Sent: 4, Received: 4, Last: ms(12.5), Avg: ms(12), Best: ms(11), Worst: ms(13), StDev: ms(0.8)},
		{TTL: 5, Responders: []Responder{{Addr: a("192.0.2.7"), Received: 4}}, Sent: 4, Received: 4, Destination: true, Last: ms(20), Avg: ms(20), Best: ms(20), Worst: ms(20)},
	}
	annotate(hops)
	return Result{Target: "dst.test", Addr: a("192.0.2.7"), Hops: hops, Reached: true, Sent: 20, Received: 13, Elapsed: 1500 * time.Millisecond}
}

func TestPrintTable(t *testing.T) {
	res := sampleResult()
	opt, _ := Options{Target: netaddr.Host{Name: "dst.test"}, Count: 4}.withDefaults()
	var b bytes.Buffer
	if err := Print(render.New(&b, false), &res, opt); err != nil {
		t.Fatal(err)
	}
	want := `trace to dst.test (192.0.2.7), 30 hops max, icmp, 4 probes per hop
HOP  HOST                 LOSS%  SNT   LAST    AVG   BEST   WRST  STDEV  NOTE
  1  gw.test (10.0.0.1)    0.0%    4   0.50   0.45   0.40   0.50   0.05
  2  10.0.1.1             75.0%    4   1.00   1.00   1.00   1.00   0.00  rate-limited replies, not loss
  3  ???                 100.0%    4                                     no replies, but traffic passes
  4  10.0.3.1              0.0%    4  12.50  12.00  11.00  13.00   0.80
     10.0.9.1
  5  192.0.2.7             0.0%    4  20.00  20.00  20.00  20.00   0.00
192.0.2.7 reached in 5 hops
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestPrintJSON(t *testing.T) {
	res := sampleResult()
	var b bytes.Buffer
	if err := Print(render.New(&b, true), &res, Options{}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 6 {
		t.Fatalf("%d lines, want 5 hops and a summary:\n%s", len(lines), b.String())
	}
	var hop map[string]any
	if err := json.Unmarshal([]byte(lines[3]), &hop); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"type", "hop", "addrs", "responders", "sent", "received", "loss", "rtt_avg_ms", "rtt_stdev_ms"} {
		if _, ok := hop[k]; !ok {
			t.Errorf("hop line lacks %q: %s", k, lines[3])
		}
	}
	if hop["type"] != "hop" || hop["hop"] != 4.0 || len(hop["addrs"].([]any)) != 2 || hop["rtt_avg_ms"] != 12.0 {
		t.Errorf("hop line %s", lines[3])
	}
	if !strings.Contains(lines[1], `"note":"rate_limited"`) || !strings.Contains(lines[1], `"note_text":"rate-limited replies, not loss"`) {
		t.Errorf("hop 2 line does not carry its note: %s", lines[1])
	}
	if !strings.Contains(lines[2], `"responders":[]`) || !strings.Contains(lines[2], `"rtt_avg_ms":null`) || !strings.Contains(lines[2], `"loss":100`) {
		t.Errorf("silent hop line %s", lines[2])
	}
	want := `{"type":"summary","target":"dst.test","addr":"192.0.2.7","method":"icmp","reached":true,"sent":20,"received":13,"interrupted":false,"hops":5,"last_hop":5,"elapsed_ms":1500,"text":"192.0.2.7 reached in 5 hops"}`
	if lines[5] != want {
		t.Errorf("summary\n got %s\nwant %s", lines[5], want)
	}
}

func TestLiveRedrawsInPlace(t *testing.T) {
	res := sampleResult()
	var b bytes.Buffer
	l := NewLive(render.New(&b, false), Options{Count: 4, MaxHops: 30})
	l.Event(Event{Kind: EventStart, Result: Result{Target: res.Target, Addr: res.Addr}})
	first := b.Len()
	if strings.Contains(b.String(), "\x1b[") {
		t.Errorf("the first draw moves the cursor: %q", b.String())
	}
	if err := l.Finish(&res); err != nil {
		t.Fatal(err)
	}
	// The start drew the header and the table's header: two lines to go
	// back over.
	if got := b.String()[first:]; !strings.HasPrefix(got, "\x1b[2A\x1b[J") || !strings.Contains(got, "reached in 5 hops") {
		t.Errorf("the final draw does not replace the live one: %q", got)
	}
}

func TestHeaderAndConclusionSingular(t *testing.T) {
	dst := netip.MustParseAddr("127.0.0.1")
	res := Result{Target: "127.0.0.1", Addr: dst, Reached: true, Hops: []Hop{{TTL: 1}}}
	opt, _ := Options{Target: netaddr.Host{Addr: dst}, Count: 1}.withDefaults()
	if h := Header(&res, opt); !strings.HasSuffix(h, ", 1 probe per hop") {
		t.Errorf("header %q", h)
	}
	if c := Conclusion(&res); c != "127.0.0.1 reached in 1 hop" {
		t.Errorf("conclusion %q", c)
	}
}
