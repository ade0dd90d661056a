package ping

import (
	"errors"
	"math"
	"net/netip"
	"strings"
	"testing"
	"time"

	"netdiag/diag/netaddr"
	"netdiag/diag/ping/icmpsock"
	"netdiag/internal/clock"
)

// TestRTTStatsLikeIputils checks min/avg/max/mdev against iputils' own
// integer arithmetic (microseconds, tsum and tsum2, the mean deviation as
// the square root of the variance).
func TestRTTStatsLikeIputils(t *testing.T) {
	rtts := []int64{23, 36, 41, 19, 250, 37, 37, 1200, 44, 30} // µs
	var h HostStats
	var tsum, tsum2, tmin, tmax int64 = 0, 0, math.MaxInt64, 0
	for _, us := range rtts {
		h.addRTT(time.Duration(us) * time.Microsecond)
		tsum += us
		tsum2 += us * us
		tmin, tmax = min(tmin, us), max(tmax, us)
	}
	n := int64(len(rtts))
	tavg := tsum / n
	tmdev := int64(math.Sqrt(float64((tsum2 - tsum*tsum/n) / n)))
	got := []time.Duration{h.RTTMin, h.RTTAvg, h.RTTMax, h.RTTMDev}
	want := []int64{tmin, tavg, tmax, tmdev}
	for i, w := range want {
		if d := got[i].Microseconds() - w; d < -1 || d > 1 {
			t.Errorf("stat %d = %v, iputils says %d µs", i, got[i], w)
		}
	}
	// The EWMA moves 1/8 of the way to each sample.
	var e HostStats
	e.addRTT(800 * time.Microsecond)
	e.addRTT(0)
	if e.RTTEWMA != 700*time.Microsecond {
		t.Errorf("EWMA = %v, want 700µs", e.RTTEWMA)
	}
}

// TestLossCountsSettledOnly checks that probes in flight never count as
// lost, and that totals add hosts up.
func TestLossCountsSettledOnly(t *testing.T) {
	h := HostStats{Sent: 10, Received: 6, Lost: 2, InFlight: 2}
	if loss, ok := h.Loss(); !ok || loss != 25 {
		t.Errorf("6 received, 2 lost, 2 in flight: loss %v %v, want 25%%", loss, ok)
	}
	if _, ok := (&HostStats{Sent: 3, InFlight: 3}).Loss(); ok {
		t.Error("loss known with every probe in flight")
	}
	s := SummaryOf([]HostStats{h, {Sent: 2, Received: 2}, {ResolveErr: "no such host"}})
	tot := s.Total()
	if tot.Sent != 12 || tot.Received != 8 || tot.Lost != 2 || tot.InFlight != 2 {
		t.Errorf("Total = %+v", tot)
	}
	if alive, pinged := s.Alive(); alive != 2 || pinged != 2 || s.ResolveFailures() != 1 {
		t.Errorf("Alive = %d/%d, ResolveFailures = %d", alive, pinged, s.ResolveFailures())
	}
}

func TestFormats(t *testing.T) {
	for d, want := range map[time.Duration]string{
		34 * time.Microsecond:     "0.034 ms",
		999 * time.Microsecond:    "0.999 ms",
		1234 * time.Microsecond:   "1.23 ms",
		12345 * time.Microsecond:  "12.3 ms",
		123456 * time.Microsecond: "123 ms",
	} {
		if got := replyTime(d); got != want {
			t.Errorf("replyTime(%v) = %q, want %q", d, got, want)
		}
	}
	for f, want := range map[float64]string{0: "0", 100: "100", 100.0 / 3: "33.3333", 62.5: "62.5"} {
		if got := percent(f); got != want {
			t.Errorf("percent(%v) = %q, want %q", f, got, want)
		}
	}
	for _, tc := range []struct {
		h    HostStats
		want string
	}{
		{HostStats{Sent: 3, Received: 3}, "3 packets transmitted, 3 received, 0% packet loss, time 2002ms"},
		{HostStats{Sent: 3, Received: 1, Duplicates: 2, Errors: 2, Lost: 2}, "3 packets transmitted, 1 received, +2 duplicates, +2 errors, 66.6667% packet loss, time 2002ms"},
		{HostStats{Sent: 4, Received: 2, Lost: 1, Late: 1, InFlight: 1}, "4 packets transmitted, 2 received, +1 late, 33.3333% packet loss, 1 still in flight (not counted as lost), time 2002ms"},
		{HostStats{Sent: 2, InFlight: 2}, "2 packets transmitted, 0 received, 2 still in flight (not counted as lost), time 2002ms"},
	} {
		if got := countsLine(&tc.h, 2002*time.Millisecond); got != tc.want {
			t.Errorf("countsLine(%+v)\n got %q\nwant %q", tc.h, got, tc.want)
		}
	}
	e := &ProbeError{Seq: 4, From: netip.MustParseAddr("10.0.0.1"), Message: "Time to live exceeded"}
	if got := errorText(e); got != "From 10.0.0.1 icmp_seq=4 Time to live exceeded" {
		t.Errorf("errorText = %q", got)
	}
}

func TestOptionsCheck(t *testing.T) {
	lo, _ := netaddr.ParseTarget("127.0.0.1")
	big, _ := netaddr.ParseTarget("10.0.0.0/8")
	v6, _ := netaddr.ParseTarget("2001:db8::/64")
	for _, tc := range []struct {
		opt  Options
		want string
	}{
		{Options{}, "no target given"},
		{Options{Targets: []netaddr.Target{lo}, Count: -1}, "count -1"},
		{Options{Targets: []netaddr.Target{lo}, Interval: -time.Second}, "interval -1s"},
		{Options{Targets: []netaddr.Target{lo}, Size: 70000}, "size 70000"},
		{Options{Targets: []netaddr.Target{lo}, TTL: 300}, "ttl 300"},
		{Options{Targets: []netaddr.Target{lo}, Rate: -1}, "rate -1"},
		{Options{Targets: []netaddr.Target{lo}, Retries: -1}, "retries -1"},
		{Options{Targets: []netaddr.Target{big}}, "too many addresses"},
		{Options{Targets: []netaddr.Target{v6}}, "too many addresses"},
		{Options{Targets: []netaddr.Target{lo}, Source: netip.MustParseAddr("127.0.0.1"), Interface: "lo"}, "not both"},
	} {
		err := tc.opt.check()
		var oe *OptionError
		if !errors.As(err, &oe) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("check(%+v) = %v, want an OptionError with %q", tc.opt, err, tc.want)
		}
	}
	o := Options{Targets: []netaddr.Target{lo}}
	if err := o.check(); err != nil || o.Timeout != DefaultTimeout {
		t.Errorf("defaults: %v, timeout %v", err, o.Timeout)
	}
}

// TestHandle drives the matching of replies and errors to probes without a
// socket: first replies, duplicates, late replies, errors about probes in
// flight or already settled, and packets that are not ours.
func TestHandle(t *testing.T) {
	addr := netip.MustParseAddr("10.1.2.3")
	var events []Event
	e := &engine{opt: Options{Timeout: time.Second}, emit: func(ev Event) { events = append(events, ev) },
		sys: system{clock: clock.NewFake(t0)}, payload: []byte("cookie12 payload"), wake: make(chan struct{}, 1)}
	f := &family{}
	e.fams[0], e.epoch = f, t0
	e.segs = []segment{{n: 1, addrs: netaddr.Range{First: addr, Last: addr}}}
	e.hosts, e.active = []host{{sending: true, heapIdx: -1}}, 1
	e.ready.init(e)
	h := &e.hosts[0]
	now := t0.Add(-time.Millisecond)
	probe := func(seq uint16) *probe {
		p := f.newSlot(seq)
		*p = probe{n: int(seq), order: uint64(seq), seq: seq, sent: now.Sub(t0), deadline: now.Add(time.Second).Sub(t0)}
		h.countSent()
		return p
	}
	reply := func(seq uint16, data string) *icmpsock.Packet {
		return &icmpsock.Packet{Kind: icmpsock.EchoReply, From: addr, Seq: seq, TTL: 60, Len: 8 + len(data), Data: []byte(data), When: now.Add(30 * time.Microsecond)}
	}
	probe(1)
	e.handle(f, reply(1, "cookie12 payload"))
	e.handle(f, reply(1, "cookie12 payload"))          // a duplicate
	e.handle(f, reply(1, "someone else's reply here")) // not ours: ignored
	e.handle(f, reply(9, "cookie12 payload"))          // no such probe: ignored
	probe(2)
	e.expire(now.Add(2 * time.Second)) // nothing in the expiry queue: no effect
	e.expiry.push(0, expiryEntry{deadline: f.slot(2).deadline, order: 2, seq: 2})
	e.expire(now.Add(2 * time.Second))
	e.handle(f, reply(2, "cookie12 payload")) // late
	probe(3)
	e.handle(f, &icmpsock.Packet{Kind: icmpsock.ICMPError, From: netip.MustParseAddr("10.0.0.1"), Dst: netip.MustParseAddr("10.9.9.9"), Seq: 3, Type: 11})
	e.handle(f, &icmpsock.Packet{Kind: icmpsock.ICMPError, From: netip.MustParseAddr("10.0.0.1"), Dst: addr, Seq: 3, Type: 11})
	probe(4)
	e.sendFailed(f.slot(4), errors.New("sendto: operation not permitted"))
	e.handle(f, &icmpsock.Packet{Kind: icmpsock.ICMPError, From: addr, Dst: addr, Seq: 4, Type: 3, Code: 13})

	want := HostStats{Addr: addr, Sent: 4, Received: 1, Duplicates: 1, Late: 1, Errors: 2, Lost: 3}
	got := e.stats(0)
	got.LastError, got.RTTMin, got.RTTAvg, got.RTTMax, got.RTTMDev, got.RTTEWMA, got.rttN, got.rttSum, got.rttSum2 = nil, 0, 0, 0, 0, 0, 0, 0, 0
	if got.Sent != want.Sent || got.Received != want.Received || got.Duplicates != want.Duplicates || got.Late != want.Late ||
		got.Errors != want.Errors || got.Lost != want.Lost || got.InFlight != 0 {
		t.Errorf("stats %+v\nwant  %+v", got, want)
	}
	if st := e.stats(0); st.RTTMin != 30*time.Microsecond || st.rttN != 2 {
		t.Errorf("RTTs: min %v over %d replies, want 30µs over 2 (the duplicate counts, as in iputils)", st.RTTMin, st.rttN)
	}
	if st := e.stats(0); st.LastError == nil || st.LastError.Message != "Packet filtered" || st.LastError.Seq != 4 {
		t.Errorf("LastError = %+v", st.LastError)
	}
	var kinds []string
	for _, ev := range events {
		k := map[EventKind]string{EventReply: "reply", EventTimeout: "timeout", EventError: "error", EventHostDone: "done"}[ev.Kind]
		switch {
		case ev.Dup:
			k += "(dup)"
		case ev.Late:
			k += "(late)"
		}
		kinds = append(kinds, k)
	}
	if strings.Join(kinds, " ") != "reply reply(dup) timeout reply(late) error error error" {
		t.Errorf("events: %v", kinds)
	}
	e.stopSending(0)
	if !h.done || e.active != 0 || events[len(events)-1].Kind != EventHostDone {
		t.Errorf("host not done after its last probe settled and sending stopped")
	}
}

// TestRateSpacing checks the rate limit: with 100/s, each request books
// the next slot 10 ms after the last, a burst never goes faster, and after
// a pause the schedule starts afresh rather than catching up.
func TestRateSpacing(t *testing.T) {
	e := &engine{opt: Options{Rate: 100}}
	now := time.Now()
	e.takeRateSlot(now)
	if e.nextSend != now.Add(10*time.Millisecond) {
		t.Fatalf("after the first request: next slot %v after now, want 10ms", e.nextSend.Sub(now))
	}
	e.takeRateSlot(now) // sent early (a burst): the slot moves on from the booked one
	if e.nextSend != now.Add(20*time.Millisecond) {
		t.Errorf("after a second request at once: next slot %v after now, want 20ms", e.nextSend.Sub(now))
	}
	later := now.Add(time.Second)
	e.takeRateSlot(later)
	if e.nextSend != later.Add(10*time.Millisecond) {
		t.Errorf("after a pause: next slot %v after the request, want 10ms", e.nextSend.Sub(later))
	}
	e = &engine{}
	e.takeRateSlot(now)
	if !e.nextSend.IsZero() {
		t.Errorf("rate 0 (no limit) booked a slot at %v", e.nextSend)
	}
}
