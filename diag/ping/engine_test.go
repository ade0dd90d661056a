package ping

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"time"

	"netdiag/diag/ping/icmpsock"
)

const us = time.Microsecond

// TestSchedulerPacing drives one host's probes by hand: one every
// interval exactly, never a nanosecond early, none after the count, each
// waiting its timeout, and the run over when the last one settles.
func TestSchedulerPacing(t *testing.T) {
	f := newFake(t)
	e := f.newStepper(Options{Targets: hostsOf(t, "10.0.0.1"), Count: 3, Interval: time.Second, Timeout: 10 * time.Second, Size: DefaultSize})
	f.settleUntil(e, at(time.Second)) // the next probe is due before the first times out
	r1 := f.request("10.0.0.1", t0)
	f.replyAfter(r1, 250*us)
	f.receive(e)
	if ev := f.expect(EventReply, "10.0.0.1", 1, at(250*us)); ev.RTT != 250*us || ev.Bytes != 64 || ev.TTL != 64 || ev.Dup || ev.Late {
		t.Errorf("reply %+v", ev)
	}
	f.settleUntil(e, at(time.Second))
	f.clk.AdvanceTo(at(time.Second - 1))
	f.settleUntil(e, at(time.Second))
	f.noRequest()
	f.clk.AdvanceTo(at(time.Second))
	f.settleUntil(e, at(2*time.Second))
	f.request("10.0.0.1", at(time.Second)) // left unanswered
	f.clk.AdvanceTo(at(2 * time.Second))
	f.settleUntil(e, at(11*time.Second)) // the count is reached: only the second probe's timeout is left
	r3 := f.request("10.0.0.1", at(2*time.Second))
	f.replyAfter(r3, time.Millisecond)
	f.receive(e)
	f.expect(EventReply, "10.0.0.1", 3, at(2*time.Second+time.Millisecond))
	f.clk.AdvanceTo(at(11*time.Second - 1))
	f.settleUntil(e, at(11*time.Second))
	f.noEvent()
	f.clk.AdvanceTo(at(11 * time.Second))
	f.settleUntil(e, time.Time{})
	f.expect(EventTimeout, "10.0.0.1", 2, at(11*time.Second))
	h := f.expect(EventHostDone, "10.0.0.1", 0, at(11*time.Second)).Host
	if h.Sent != 3 || h.Received != 2 || h.Lost != 1 || h.InFlight != 0 || h.RTTMin != 250*us || h.RTTMax != time.Millisecond {
		t.Errorf("host %+v", h)
	}
	f.noRequest()
	f.noEvent()
}

// TestSchedulerRate checks the rate cap in a sweep: requests 1/rate apart,
// and after a late wake-up the next slot counts from the late send (no
// catch-up burst); each host is done when its probe settles.
func TestSchedulerRate(t *testing.T) {
	f := newFake(t)
	e := f.newStepper(Options{Targets: hostsOf(t, "10.0.0.1-4"), Count: 1, Rate: 10, Timeout: 500 * time.Millisecond})
	ms := time.Millisecond
	f.settleUntil(e, at(100*ms))
	f.request("10.0.0.1", t0)
	f.noRequest()
	f.clk.AdvanceTo(at(150 * ms)) // the scheduler woke 50 ms late
	f.settleUntil(e, at(250*ms))
	r2 := f.request("10.0.0.2", at(150*ms))
	f.clk.AdvanceTo(at(250 * ms))
	f.settleUntil(e, at(350*ms))
	f.request("10.0.0.3", at(250*ms))
	f.clk.AdvanceTo(at(350 * ms))
	f.settleUntil(e, at(500*ms)) // all sent: the first timeout is next
	f.request("10.0.0.4", at(350*ms))
	f.net.Reply(r2)
	f.receive(e)
	f.expect(EventReply, "10.0.0.2", 1, at(350*ms))
	f.expect(EventHostDone, "10.0.0.2", 0, at(350*ms))
	for _, tc := range []struct {
		addr       string
		when, next time.Duration
	}{{"10.0.0.1", 500 * ms, 750 * ms}, {"10.0.0.3", 750 * ms, 850 * ms}, {"10.0.0.4", 850 * ms, 0}} {
		f.clk.AdvanceTo(at(tc.when))
		want := time.Time{}
		if tc.next != 0 {
			want = at(tc.next)
		}
		f.settleUntil(e, want)
		f.expect(EventTimeout, tc.addr, 1, at(tc.when))
		f.expect(EventHostDone, tc.addr, 0, at(tc.when))
	}
	f.noRequest()
}

// TestSchedulerRetries checks fping's retries: a host whose probe times
// out gets another, waiting 1.5 times longer each time; one answered by an
// ICMP error gets it at once; none after the last retry.
func TestSchedulerRetries(t *testing.T) {
	f := newFake(t)
	e := f.newStepper(Options{Targets: hostsOf(t, "10.0.0.1", "10.0.0.2"), Count: 1, Retries: 2, Timeout: 400 * time.Millisecond})
	ms := time.Millisecond
	router := netip.MustParseAddr("10.0.0.254")
	f.settleUntil(e, at(400*ms))
	f.request("10.0.0.1", t0)
	r := f.request("10.0.0.2", t0)
	for seq := 1; seq <= 3; seq++ {
		f.net.Error(r, router, 3, 1)
		f.receive(e)
		f.expect(EventError, "10.0.0.2", seq, t0)
		f.settleUntil(e, at(400*ms))
		if seq < 3 {
			r = f.request("10.0.0.2", t0)
		}
	}
	h := f.expect(EventHostDone, "10.0.0.2", 0, t0).Host
	if h.Sent != 3 || h.Errors != 3 || h.Lost != 3 || h.LastError == nil || h.LastError.From != router || h.LastError.Message != "Destination Host Unreachable" {
		t.Errorf("10.0.0.2 after three errors: %+v", h)
	}
	f.noRequest()
	for _, tc := range []struct {
		seq        int
		when, next time.Duration
	}{{1, 400 * ms, 1000 * ms}, {2, 1000 * ms, 1900 * ms}} {
		f.clk.AdvanceTo(at(tc.when))
		f.settleUntil(e, at(tc.next))
		f.expect(EventTimeout, "10.0.0.1", tc.seq, at(tc.when))
		f.request("10.0.0.1", at(tc.when))
	}
	f.clk.AdvanceTo(at(1900 * ms))
	f.settleUntil(e, time.Time{})
	f.expect(EventTimeout, "10.0.0.1", 3, at(1900*ms))
	if h := f.expect(EventHostDone, "10.0.0.1", 0, at(1900*ms)).Host; h.Sent != 3 || h.Lost != 3 || h.Errors != 0 {
		t.Errorf("10.0.0.1 after three timeouts: %+v", h)
	}
	f.noRequest()
}

// TestRunInterimStatsAndInterrupt is SIGQUIT then Ctrl-C, as events: the
// statistics request reports the probes in flight apart from the loss,
// and after the interrupt they are still in flight, not lost.
func TestRunInterimStatsAndInterrupt(t *testing.T) {
	f := newFake(t)
	stats := make(chan struct{})
	r := f.start(Options{Targets: hostsOf(t, "10.0.0.1"), Interval: time.Second, Timeout: 10 * time.Second, StatsRequests: stats})
	start := f.expect(EventStart, "", 0, t0).Summary
	f.replyAfter(f.request("10.0.0.1", t0), 250*us)
	f.expect(EventReply, "10.0.0.1", 1, at(250*us))
	f.clk.AdvanceTo(at(time.Second))
	f.request("10.0.0.1", at(time.Second))
	f.clk.AdvanceTo(at(2 * time.Second))
	f.request("10.0.0.1", at(2*time.Second))
	stats <- struct{}{}
	ev := f.expect(EventStats, "", 0, at(2*time.Second))
	tot := ev.Summary.Total()
	if got, want := interim(&tot), "1/3 packets, 0% loss, 2 in flight, min/avg/ewma/max = 0.250/0.250/0.250/0.250 ms"; got != want {
		t.Errorf("interim statistics %q, want %q", got, want)
	}
	if ev.Summary.Elapsed != 2*time.Second {
		t.Errorf("interim statistics: elapsed %v, want 2s", ev.Summary.Elapsed)
	}
	r.cancel()
	s, err := r.wait()
	// The start's Summary still reads as the start: the host, no counts.
	if h, tot := start.Host(0), start.Total(); start.Count != 1 || h.Addr.String() != "10.0.0.1" || h.Sent != 0 || tot.Received != 0 {
		t.Errorf("the start's summary, read after the run: %d hosts, %+v, total %+v", start.Count, h, tot)
	}
	h := s.Host(0)
	if err != nil || !s.Interrupted || h.Sent != 3 || h.Received != 1 || h.InFlight != 2 || h.Lost != 0 || s.Elapsed != 2*time.Second {
		t.Errorf("after the interrupt: %v, interrupted %v, elapsed %v, %+v", err, s.Interrupted, s.Elapsed, h)
	}
	if got, want := countsLine(&h, s.Elapsed), "3 packets transmitted, 1 received, 0% packet loss, 2 still in flight (not counted as lost), time 2000ms"; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
	f.noEvent()
	f.noRequest()
}

// TestRunDeadline checks -w: alone it ends the run at the deadline with
// the last probes in flight; with -c it ends the run after that many
// replies, however many probes that takes.
func TestRunDeadline(t *testing.T) {
	ms := time.Millisecond
	t.Run("alone", func(t *testing.T) {
		f := newFake(t)
		r := f.start(Options{Targets: hostsOf(t, "10.0.0.1"), Interval: time.Second, Timeout: 10 * time.Second, Deadline: 2500 * ms})
		f.expect(EventStart, "", 0, t0)
		for i := range 2 {
			f.replyAfter(f.request("10.0.0.1", at(time.Duration(i)*time.Second)), ms)
			f.expect(EventReply, "10.0.0.1", i+1, at(time.Duration(i)*time.Second+ms))
			f.clk.AdvanceTo(at(time.Duration(i+1) * time.Second))
		}
		f.request("10.0.0.1", at(2*time.Second))
		f.clk.AdvanceTo(at(2500 * ms))
		s, err := r.wait()
		h := s.Host(0)
		if err != nil || s.Interrupted || h.Sent != 3 || h.Received != 2 || h.InFlight != 1 || h.Lost != 0 {
			t.Errorf("-w 2.5 -i 1: %v, interrupted %v, %+v", err, s.Interrupted, h)
		}
		f.noRequest()
		f.noEvent()
	})
	t.Run("with count", func(t *testing.T) {
		f := newFake(t)
		r := f.start(Options{Targets: hostsOf(t, "10.0.0.1"), Count: 2, Interval: time.Second, Timeout: 1500 * ms, Deadline: 10 * time.Second})
		f.expect(EventStart, "", 0, t0)
		f.request("10.0.0.1", t0) // never answered
		f.clk.AdvanceTo(at(time.Second))
		f.replyAfter(f.request("10.0.0.1", at(time.Second)), ms)
		f.expect(EventReply, "10.0.0.1", 2, at(time.Second+ms))
		f.clk.AdvanceTo(at(1500 * ms))
		f.expect(EventTimeout, "10.0.0.1", 1, at(1500*ms))
		f.clk.AdvanceTo(at(2 * time.Second))
		f.replyAfter(f.request("10.0.0.1", at(2*time.Second)), ms)
		f.expect(EventReply, "10.0.0.1", 3, at(2*time.Second+ms))
		f.expect(EventHostDone, "10.0.0.1", 0, at(2*time.Second+ms))
		s, err := r.wait()
		h := s.Host(0)
		if err != nil || s.Interrupted || h.Sent != 3 || h.Received != 2 || h.Lost != 1 || h.InFlight != 0 || s.Elapsed != 2*time.Second+ms {
			t.Errorf("-c 2 -w 10: %v, interrupted %v, elapsed %v, %+v", err, s.Interrupted, s.Elapsed, h)
		}
		f.noRequest()
	})
}

// TestRunDuplicatesAndLate sends a reply twice, a stranger's reply with
// the same sequence number, and a reply after its probe's timeout: the
// copy is a duplicate, the stranger's is ignored, the late one is marked
// and its probe stays lost.
func TestRunDuplicatesAndLate(t *testing.T) {
	f := newFake(t)
	ms := time.Millisecond
	r := f.start(Options{Targets: hostsOf(t, "10.0.0.1"), Count: 3, Interval: time.Second, Timeout: 1500 * ms})
	f.expect(EventStart, "", 0, t0)
	r1 := f.request("10.0.0.1", t0)
	f.clk.AdvanceTo(at(time.Second))
	r2 := f.request("10.0.0.1", at(time.Second))
	f.replyAfter(r2, ms)
	f.net.Reply(r2)
	f.net.Deliver(false, icmpsock.Packet{Kind: icmpsock.EchoReply, From: r2.Dst, Seq: r2.Seq, TTL: 64, Len: 20,
		Data: []byte("someone else's ping"), When: f.clk.Now()})
	f.expect(EventReply, "10.0.0.1", 2, at(time.Second+ms))
	if ev := f.expect(EventReply, "10.0.0.1", 2, at(time.Second+ms)); !ev.Dup || ev.Host.Duplicates != 1 {
		t.Errorf("the second copy: %+v", ev)
	}
	f.clk.AdvanceTo(at(1500 * ms))
	f.expect(EventTimeout, "10.0.0.1", 1, at(1500*ms))
	f.net.Reply(r1)
	if ev := f.expect(EventReply, "10.0.0.1", 1, at(1500*ms)); !ev.Late || ev.RTT != 1500*ms || ev.Host.Late != 1 {
		t.Errorf("the reply after the timeout: %+v", ev)
	}
	f.clk.AdvanceTo(at(2 * time.Second))
	f.replyAfter(f.request("10.0.0.1", at(2*time.Second)), ms)
	f.expect(EventReply, "10.0.0.1", 3, at(2*time.Second+ms))
	f.expect(EventHostDone, "10.0.0.1", 0, at(2*time.Second+ms))
	s, err := r.wait()
	h := s.Host(0)
	if err != nil || h.Sent != 3 || h.Received != 2 || h.Duplicates != 1 || h.Late != 1 || h.Lost != 1 || h.InFlight != 0 {
		t.Errorf("%v, %+v", err, h)
	}
	f.noEvent()
}

// TestRunSweep pings four hosts of both families at once, one probe each
// with retries: a socket per family; replies, ICMP errors (each retried
// at once) and silence (retried after each timeout) tracked per host.
func TestRunSweep(t *testing.T) {
	f := newFake(t)
	ms := time.Millisecond
	router := netip.MustParseAddr("10.0.0.254")
	r := f.start(Options{Targets: hostsOf(t, "10.0.0.1-3", "fd00::1"), Count: 1, Retries: 2, Timeout: 400 * ms})
	f.expect(EventStart, "", 0, t0)
	r1, r2 := f.request("10.0.0.1", t0), f.request("10.0.0.2", t0)
	f.request("10.0.0.3", t0)
	r6 := f.request("fd00::1", t0)
	f.net.Reply(r1)
	f.net.Reply(r6)
	for range 2 {
		f.net.Error(r2, router, 3, 1)
		r2 = f.request("10.0.0.2", t0) // at once: the scheduler is woken for it
	}
	f.net.Error(r2, router, 3, 1)
	// The two families' receivers run side by side: check each host's
	// events in order.
	got := map[string][]string{}
	for done := 0; done < 3; {
		ev := f.event()
		if !ev.Time.Equal(t0) {
			t.Errorf("%s event at t0+%v, want t0", kindNames[ev.Kind], ev.Time.Sub(t0))
		}
		got[ev.Host.Addr.String()] = append(got[ev.Host.Addr.String()], fmt.Sprint(kindNames[ev.Kind], " ", ev.Seq))
		if ev.Kind == EventHostDone {
			done++
		}
	}
	for addr, want := range map[string][]string{
		"10.0.0.1": {"reply 1", "host-done 0"},
		"10.0.0.2": {"error 1", "error 2", "error 3", "host-done 0"},
		"fd00::1":  {"reply 1", "host-done 0"},
	} {
		if !slices.Equal(got[addr], want) {
			t.Errorf("%s: events %q, want %q", addr, got[addr], want)
		}
	}
	for seq, when := range []time.Duration{400 * ms, 1000 * ms, 1900 * ms} {
		f.clk.AdvanceTo(at(when))
		f.expect(EventTimeout, "10.0.0.3", seq+1, at(when))
		if seq < 2 {
			f.request("10.0.0.3", at(when))
		}
	}
	f.expect(EventHostDone, "10.0.0.3", 0, at(1900*ms))
	s, err := r.wait()
	if err != nil || s.Mode != Unprivileged || s.Count != 4 {
		t.Fatalf("%v, mode %v, %d hosts", err, s.Mode, s.Count)
	}
	for i, want := range []struct{ sent, received, errors, lost int }{{1, 1, 0, 0}, {3, 0, 3, 3}, {3, 0, 0, 3}, {1, 1, 0, 0}} {
		if h := s.Host(i); h.Sent != want.sent || h.Received != want.received || h.Errors != want.errors || h.Lost != want.lost || h.InFlight != 0 {
			t.Errorf("host %s: %+v, want %+v", h.Addr, h, want)
		}
	}
	if alive, pinged := s.Alive(); alive != 2 || pinged != 4 {
		t.Errorf("alive %d of %d, want 2 of 4", alive, pinged)
	}
	cfgs := f.net.Configs()
	if len(cfgs) != 2 || cfgs[0].IPv6 || !cfgs[1].IPv6 || cfgs[0].RecvBuffer != 4<<20 || cfgs[1].RecvBuffer != 4<<20 {
		t.Errorf("sockets opened: %+v, want one per family with a 4 MiB receive buffer", cfgs)
	}
	f.noRequest()
	f.noEvent()
}

// TestRunFailures checks what Run returns when the socket may not be
// opened, when a send fails (the probe settles at once, as an error), and
// when the receiving socket fails (the run ends with that error).
func TestRunFailures(t *testing.T) {
	t.Run("no permission", func(t *testing.T) {
		f := newFake(t)
		f.net.FailOpen(&PermissionError{Mode: Auto})
		_, err := f.start(Options{Targets: hostsOf(t, "10.0.0.1")}).wait()
		var perr *PermissionError
		if !errors.As(err, &perr) {
			t.Errorf("err = %v, want the PermissionError", err)
		}
		f.noRequest()
		f.noEvent()
	})
	t.Run("send fails", func(t *testing.T) {
		f := newFake(t)
		f.net.FailSends(netip.MustParseAddr("10.0.0.1"), errors.New("sendto: operation not permitted"))
		r := f.start(Options{Targets: hostsOf(t, "10.0.0.1"), Count: 1, Timeout: time.Hour})
		f.expect(EventStart, "", 0, t0)
		f.request("10.0.0.1", t0)
		ev := f.expect(EventError, "10.0.0.1", 1, t0)
		if ev.Error == nil || ev.Error.ICMPType != -1 || ev.Error.From.IsValid() || errorText(ev.Error) != "icmp_seq=1 send failed: sendto: operation not permitted" {
			t.Errorf("error event %+v", ev.Error)
		}
		f.expect(EventHostDone, "10.0.0.1", 0, t0)
		s, err := r.wait()
		if h := s.Host(0); err != nil || h.Sent != 1 || h.Errors != 1 || h.Lost != 1 {
			t.Errorf("%v, %+v", err, h)
		}
	})
	t.Run("socket fails", func(t *testing.T) {
		f := newFake(t)
		broken := errors.New("recvmsg: no buffer space available")
		r := f.start(Options{Targets: hostsOf(t, "10.0.0.1"), Interval: time.Second})
		f.expect(EventStart, "", 0, t0)
		f.request("10.0.0.1", t0)
		f.net.Break(false, broken)
		s, err := r.wait()
		if !errors.Is(err, broken) || s.Interrupted || s.Host(0).Sent != 1 || s.Host(0).InFlight != 1 {
			t.Errorf("%v, interrupted %v, %+v", err, s.Interrupted, s.Host(0))
		}
		f.noRequest()
	})
}
