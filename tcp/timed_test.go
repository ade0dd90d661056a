package tcp

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"netdiag/diag/render"
	"netdiag/diag/wire"
	"netdiag/internal/clock"
	"netdiag/internal/testnet"
)

// --send TEXT --every D --repeat 3 on the server: every round goes to every
// client connected at that moment, the first one D after the start, and
// there are three; a client that connects after round 1 gets rounds 2 and
// 3 only. The events, and a bad stdin command's, follow the JSON schema.
func TestServerEvery(t *testing.T) {
	const every = 4 * time.Second
	clk := clock.NewFake(time.Now())
	srv := startServer(t, "127.0.0.1", ServerOptions{Timed: wire.Timed{Send: []byte("tick\n"), Every: every, Repeat: 3}, Clock: clk,
		Input: strings.NewReader("/bogus\n")})
	// join connects a client and waits until the server reads from it:
	// then it is among the clients a round goes to.
	join := func(i int) net.Conn {
		c := dialT(t, srv.addr)
		hello := fmt.Sprintf("hello %d\n", i)
		if _, err := c.Write([]byte(hello)); err != nil {
			t.Fatal(err)
		}
		srv.log.WaitFor(t, hello, func(ev Event) bool { d, ok := ev.(DataEvent); return ok && d.Dir == "in" && d.Text.String() == hello })
		return c
	}
	round := func(n, sent int) {
		t.Helper()
		testnet.Tick(t, clk, every)
		srv.log.WaitFor(t, fmt.Sprintf("round %d", n), func(Event) bool { evs, _ := srv.log.data("out"); return len(evs) == sent })
	}
	var clients []net.Conn
	for i := range 3 {
		clients = append(clients, join(i+1))
	}
	round(1, 3)
	late := join(4)
	round(2, 7)
	round(3, 11)
	srv.log.WaitFor(t, "command error", isKind(KindError))
	sum := srv.stop(t)

	for i, c := range append(clients, late) {
		want := strings.Repeat("tick\n", 3)
		if c == late {
			want = strings.Repeat("tick\n", 2)
		}
		c.SetReadDeadline(time.Now().Add(testnet.HangGuard))
		got, err := io.ReadAll(c) // to the server's close
		if err != nil || string(got) != want {
			t.Errorf("client %d got %q (%v), want %q", i+1, got, err, want)
		}
	}
	evs, _ := srv.log.data("out")
	offsets := map[uint64][]int64{}
	for _, ev := range evs {
		offsets[ev.Conn] = append(offsets[ev.Conn], ev.Offset)
		if ev.Text.String() != "tick\n" || ev.Bytes != 5 {
			t.Errorf("out event %+v", ev)
		}
	}
	if got := fmt.Sprint(offsets); got != "map[1:[0 5 10] 2:[0 5 10] 3:[0 5 10] 4:[0 5]]" {
		t.Errorf("out offsets per connection %s", got)
	}
	if sum.BytesOut != 11*5 {
		t.Errorf("summary: sent %d bytes, want %d", sum.BytesOut, 11*5)
	}

	var buf bytes.Buffer
	p := NewPrinter(render.New(&buf, true), false, false)
	for _, ev := range srv.log.All() {
		p.Emit(ev)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if !strings.Contains(buf.String(), `"op":"command"`) {
		t.Fatalf("no command error among\n%s", buf.String())
	}
	if errs := testnet.SchemaErrors(t, "testdata/tcp.schema.json", lines); errs != "" {
		t.Errorf("lines that do not follow the schema:\n%s", errs)
	}
	// The listen event says that timed sending is on, in JSON and to people.
	if !strings.Contains(lines[0], `"send_bytes":5,"every_s":4,"repeat":3}`) {
		t.Errorf("listen line %s", lines[0])
	}
	buf.Reset()
	NewPrinter(render.New(&buf, false), false, false).Emit(srv.log.All()[0])
	if want := ", sending 5 bytes every 4s (3 rounds)\n"; !strings.HasSuffix(buf.String(), want) {
		t.Errorf("listen line %q does not end in %q", buf.String(), want)
	}
}
