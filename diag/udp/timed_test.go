package udp

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"netdiag/diag/render"
	"netdiag/diag/wire"
	"netdiag/internal/clock"
	"netdiag/internal/testnet"
)

// --send TEXT --every D --repeat 3 on the server: every round goes to every
// peer heard from (and not /closed) at that moment, the first one D after
// the start, and there are three; a peer first heard from after round 1
// gets rounds 2 and 3 only. A datagram too large for every peer is an
// error event, op "every", per peer and round. The events follow the JSON
// schema.
func TestServerEvery(t *testing.T) {
	const every = 4 * time.Second
	clk := clock.NewFake(time.Now())
	srv := startServer(t, "127.0.0.1", ServerOptions{Timed: wire.Timed{Send: []byte("tick"), Every: every, Repeat: 3}, Clock: clk})
	// join is a peer the server has heard from: a round goes to it.
	join := func(i int) *peer {
		p := dialPeer(t, srv.addr)
		hello := fmt.Sprintf("hello %d", i)
		p.send(hello)
		srv.log.WaitFor(t, hello, dataIn(hello))
		return p
	}
	isOut := func(ev Event) bool { d, ok := ev.(DataEvent); return ok && d.Dir == "out" }
	round := func(n, sent int) {
		t.Helper()
		testnet.Tick(t, clk, every)
		srv.log.WaitFor(t, fmt.Sprintf("round %d", n), func(Event) bool { return srv.log.Count(isOut) == sent })
	}
	var peers []*peer
	for i := range 3 {
		peers = append(peers, join(i+1))
	}
	round(1, 3)
	late := join(4)
	round(2, 7)
	round(3, 11)
	sum := srv.stop()

	seqs := map[uint64][]uint64{}
	for _, ev := range srv.log.All() {
		if d, ok := ev.(DataEvent); ok && d.Dir == "out" {
			seqs[d.Peer] = append(seqs[d.Peer], d.Seq)
			if d.Text.String() != "tick" || d.Bytes != 4 {
				t.Errorf("out event %+v", d)
			}
		}
	}
	if got := fmt.Sprint(seqs); got != "map[1:[1 2 3] 2:[1 2 3] 3:[1 2 3] 4:[1 2]]" {
		t.Errorf("datagrams sent per peer %s", got)
	}
	for i, p := range append(peers, late) {
		n := 3
		if p == late {
			n = 2
		}
		for range n {
			if got := p.next(); got != "tick" {
				t.Errorf("peer %d got %q, want tick", i+1, got)
			}
		}
	}
	if sum.Sent != 11 || sum.BytesOut != 44 {
		t.Errorf("summary: sent %d datagrams, %d bytes; want 11, 44", sum.Sent, sum.BytesOut)
	}

	// A datagram larger than IPv4 carries fails for every peer.
	big := startServer(t, "127.0.0.1", ServerOptions{Timed: wire.Timed{Send: bytes.Repeat([]byte("x"), maxPayload4+1), Every: every, Repeat: 1}, Clock: clk})
	p := dialPeer(t, big.addr)
	p.send("hello")
	big.log.WaitFor(t, "hello", dataIn("hello"))
	testnet.Tick(t, clk, every)
	ev := big.log.WaitFor(t, "error", func(ev Event) bool { return ev.EventKind() == KindError }).(ErrorEvent)
	if ev.Op != "every" || !strings.HasPrefix(ev.Error, "#1: ") || !strings.Contains(ev.Error, fmt.Sprint(maxPayload4)) {
		t.Errorf("error event %+v, want op every, #1 and what fits", ev)
	}
	if s := big.stop(); s.Sent != 0 {
		t.Errorf("sent %d datagrams too large to send", s.Sent)
	}

	var buf bytes.Buffer
	pr := NewPrinter(render.New(&buf, true), false, false)
	for _, ev := range append(srv.log.All(), big.log.All()...) {
		pr.Emit(ev)
	}
	if errs := testnet.SchemaErrors(t, "testdata/udp.schema.json", strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")); errs != "" {
		t.Errorf("lines that do not match the schema:\n%s", errs)
	}
	// The listen event says that timed sending is on, in JSON and to people.
	if !strings.Contains(buf.String(), `"send_bytes":4,"every_s":`) {
		t.Errorf("no timed sending in the listen line:\n%s", buf.String())
	}
	buf.Reset()
	NewPrinter(render.New(&buf, false), false, false).Emit(srv.log.All()[0])
	if want := " bytes every " + every.String() + " (3 rounds)\n"; !strings.HasSuffix(buf.String(), want) {
		t.Errorf("listen line %q does not end in %q", buf.String(), want)
	}
}
