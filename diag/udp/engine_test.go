package udp

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"netdiag/diag/netaddr"
	"netdiag/diag/wire"
	"netdiag/internal/clock"
	"netdiag/internal/testnet"
)

func gbk(t *testing.T) wire.Codec {
	t.Helper()
	c, err := wire.LookupCodec("gbk")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Echoes of GBK text over IPv4 and IPv6: every datagram comes back, with
// its RTT, and both ends decode the text.
func TestEchoRoundTripGBK(t *testing.T) {
	for _, host := range []string{"127.0.0.1", "::1"} {
		t.Run(host, func(t *testing.T) {
			srv := startServer(t, host, ServerOptions{Mode: ModeEcho, Codec: gbk(t)})
			payload, _ := gbk(t).Encode("你好,服务端")
			log := newEventLog()
			sum, err := RunClient(context.Background(), ClientOptions{Target: srv.target(t), Codec: gbk(t), Send: payload, Repeat: 3, Wait: time.Minute}, log.Emit)
			if err != nil {
				t.Fatal(err)
			}
			if sum.Sent != 3 || sum.Received != 3 || sum.Echo == nil || sum.Echo.Echoed != 3 || sum.Echo.Lost != 0 || sum.Echo.Duplicates != 0 {
				t.Fatalf("summary %+v, echo %+v", sum, sum.Echo)
			}
			if n := log.Count(dataIn("你好,服务端")); n != 3 {
				t.Errorf("client decoded %d echoes as the GBK text, want 3:\n%s", n, log.Dump())
			}
			for i, ev := range log.All() {
				if d, ok := ev.(DataEvent); ok && d.Dir == "in" && (d.Echo == 0 || d.RTT <= 0) {
					t.Errorf("event %d: reply not matched as an echo: %+v", i, d)
				}
			}
			srv.log.WaitFor(t, "server data", dataIn("你好,服务端"))
			if got := srv.stop(); got.Received != 3 || len(got.Peers) != 1 || got.Peers[0].Out != 3 {
				t.Errorf("server summary %+v", got)
			}
		})
	}
}

// A closed port answers with ICMP port unreachable: the client says so
// instead of waiting out --wait.
func TestPortClosed(t *testing.T) {
	for _, network := range []string{"udp4", "udp6"} {
		c, err := net.ListenUDP(network, &net.UDPAddr{IP: map[string]net.IP{"udp4": net.IPv4(127, 0, 0, 1), "udp6": net.IPv6loopback}[network]})
		if err != nil {
			t.Fatal(err)
		}
		hp, _ := netaddr.ParseHostPort(c.LocalAddr().String())
		c.Close()
		sum, err := RunClient(context.Background(), ClientOptions{Target: hp, Send: []byte("x"), Repeat: 2, Wait: time.Hour}, func(Event) {})
		var pc *PortClosedError
		if !errors.As(err, &pc) || !sum.PortClosed || !strings.Contains(err.Error(), "port closed (ICMP port unreachable)") {
			t.Errorf("%s: err = %v, summary %+v; want port closed", network, err, sum)
		}
	}
}

// A datagram longer than the server's --size is truncated, and said to be.
func TestTruncated(t *testing.T) {
	srv := startServer(t, "127.0.0.1", ServerOptions{Size: 10})
	p := dialPeer(t, srv.addr)
	p.send("0123456789abcdefghij")
	ev := srv.log.WaitFor(t, "data", func(ev Event) bool { _, ok := ev.(DataEvent); return ok }).(DataEvent)
	if !ev.Truncated || ev.Bytes != 10 || string(ev.Raw) != "0123456789" {
		t.Errorf("data event %+v, want the first 10 bytes, truncated", ev)
	}
	if sum := srv.stop(); sum.Truncated != 1 {
		t.Errorf("summary counts %d truncated, want 1", sum.Truncated)
	}
}

// A datagram larger than UDP allows is EMSGSIZE, and the error says the
// size that fits: 65,507 bytes over IPv4, 65,527 over IPv6.
func TestTooLarge(t *testing.T) {
	for _, tc := range []struct {
		host string
		fit  int
	}{{"127.0.0.1", 65507}, {"::1", 65527}} {
		srv := startServer(t, tc.host, ServerOptions{Hex: true})
		// The largest that fits goes out; one byte more does not.
		_, err := RunClient(context.Background(), ClientOptions{Target: srv.target(t), File: bytes.NewReader(make([]byte, tc.fit)), Size: tc.fit, Wait: 0}, func(Event) {})
		if err != nil {
			t.Errorf("%s: %d bytes: %v", tc.host, tc.fit, err)
		}
		_, err = RunClient(context.Background(), ClientOptions{Target: srv.target(t), File: bytes.NewReader(make([]byte, tc.fit+1)), Size: tc.fit + 1, Wait: 0}, func(Event) {})
		var tl *TooLargeError
		if !errors.As(err, &tl) || tl.Fit != tc.fit || tl.Size != tc.fit+1 {
			t.Fatalf("%s: %d bytes: err = %v, want a TooLargeError with fit %d", tc.host, tc.fit+1, err, tc.fit)
		}
		if want := "at most " + itoa(tc.fit) + " bytes fit"; !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %q does not say %q", tc.host, err, want)
		}
		srv.log.WaitFor(t, "the largest datagram", func(ev Event) bool { d, ok := ev.(DataEvent); return ok && d.Bytes == tc.fit })
		if sum := srv.stop(); sum.Received != 1 || sum.BytesIn != int64(tc.fit) {
			t.Errorf("%s: server received %d datagrams, %d bytes; want 1 of %d", tc.host, sum.Received, sum.BytesIn, tc.fit)
		}
	}
}

func itoa(n int) string { return netaddr.Port(n).String() }

// --dont-fragment needs a unicast target: a broadcast or multicast send
// has no path MTU to say.
func TestDontFragmentUnicastOnly(t *testing.T) {
	srv := startServer(t, "127.0.0.1", ServerOptions{})
	_, err := RunClient(context.Background(), ClientOptions{Target: srv.target(t), Send: []byte("x"), Broadcast: true, DontFragment: true}, func(Event) {})
	if err == nil || !strings.Contains(err.Error(), "--dont-fragment needs a unicast target") {
		t.Fatalf("err = %v", err)
	}
}

// The server's stdin commands against three clients: a line to all,
// @ID to one, /list, /close ID, and the errors.
func TestStdinCommandsThreeClients(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	srv := startServer(t, "127.0.0.1", ServerOptions{Input: r})
	var peers []*peer
	for i := range 3 {
		p := dialPeer(t, srv.addr)
		p.send("hello")
		id := uint64(i + 1)
		srv.log.WaitFor(t, "peer", func(ev Event) bool { e, ok := ev.(PeerEvent); return ok && e.ID == id && e.Remote == p.local() })
		peers = append(peers, p)
	}
	typed := func(line string) {
		if _, err := w.WriteString(line + "\n"); err != nil {
			t.Fatal(err)
		}
	}
	typed("/list")
	list := srv.log.WaitFor(t, "list", func(ev Event) bool { return ev.EventKind() == KindList }).(wire.ListEvent)
	if len(list.Peers) != 3 || list.Peers[0].ID != 1 || list.Peers[2].Remote != peers[2].local() || list.Peers[1].BytesIn != 5 {
		t.Errorf("/list = %+v", list.Peers)
	}
	typed("@2 just you")
	typed("all of you")
	for i, want := range [][]string{{"all of you\n"}, {"just you\n", "all of you\n"}, {"all of you\n"}} {
		for _, w := range want {
			if got := peers[i].next(); got != w {
				t.Errorf("client #%d got %q, want %q", i+1, got, w)
			}
		}
	}
	typed("/close 3")
	closed := srv.log.WaitFor(t, "close", func(ev Event) bool { return ev.EventKind() == KindClose }).(CloseEvent)
	if closed.ID != 3 || closed.In != 1 || closed.Out != 1 {
		t.Errorf("close event %+v", closed)
	}
	typed("/nope")
	typed("@9 nobody")
	typed("/close 3")
	srv.log.WaitFor(t, "error", func(ev Event) bool {
		e, ok := ev.(ErrorEvent)
		return ok && e.Op == "command" && strings.Contains(e.Error, `unknown command "/nope"`)
	})
	srv.log.WaitFor(t, "error", func(ev Event) bool {
		e, ok := ev.(ErrorEvent)
		return ok && e.Op == "command" && e.Error == "no client #9 (/list shows them)"
	})
	typed("only two")
	// The forgotten client is new again once it sends, and then hears
	// only what comes after: not "only two".
	for _, p := range peers[:2] {
		if got := p.next(); got != "only two\n" {
			t.Errorf("got %q, want \"only two\\n\"", got)
		}
	}
	peers[2].send("back")
	srv.log.WaitFor(t, "peer #4", func(ev Event) bool { e, ok := ev.(PeerEvent); return ok && e.ID == 4 && e.Remote == peers[2].local() })
	typed("@4 welcome back")
	if got := peers[2].next(); got != "welcome back\n" {
		t.Errorf("the closed client got %q, want \"welcome back\\n\"", got)
	}
	if n := srv.log.Count(func(ev Event) bool {
		e, ok := ev.(ErrorEvent)
		return ok && e.Error == "no client #3 (/list shows them)"
	}); n != 1 {
		t.Errorf("%d errors for the second /close 3, want 1", n)
	}
	sum := srv.stop()
	if len(sum.Peers) != 4 || sum.Sent != 7 {
		t.Errorf("summary: %d peers, %d sent; want 4 and 7", len(sum.Peers), sum.Sent)
	}
}

// --save writes each peer's bytes, raw, to its own file, on the server and
// on the client: byte for byte what was sent.
func TestSave(t *testing.T) {
	dir := t.TempDir()
	srvSave, err := wire.NewSaver(filepath.Join(dir, "server"))
	if err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, "127.0.0.1", ServerOptions{Mode: ModeEcho, Save: srvSave})
	data := make([]byte, 3000)
	for i := range data {
		data[i] = byte(i * 7)
	}
	cliSave, err := wire.NewSaver(filepath.Join(dir, "client"))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := RunClient(context.Background(), ClientOptions{Target: srv.target(t), File: bytes.NewReader(data), Size: 1000, Hex: true, Wait: time.Minute, Save: cliSave}, func(Event) {})
	if err != nil || sum.Echo == nil || sum.Echo.Echoed != 3 {
		t.Fatalf("client: %v, %+v", err, sum)
	}
	srv.stop()
	for _, s := range []*wire.Saver{srvSave, cliSave} {
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	for _, side := range []string{"server", "client"} {
		if name, got := testnet.OnlyFile(t, filepath.Join(dir, side, "127.0.0.1_*.bin")); !bytes.Equal(got, data) {
			t.Errorf("%s holds %d bytes, not the %d sent", name, len(got), len(data))
		}
	}
}

// --every sends on every tick of the clock until Ctrl-C; with --repeat N it
// stops after N.
func TestEvery(t *testing.T) {
	srv := startServer(t, "127.0.0.1", ServerOptions{})
	clk := clock.NewFake(time.Now())
	ctx, cancel := context.WithCancel(context.Background())
	type result struct {
		sum SummaryEvent
		err error
	}
	done := make(chan result, 1)
	go func() {
		sum, err := RunClient(ctx, ClientOptions{Target: srv.target(t), Send: []byte("tick"), Forever: true, Interval: 5 * time.Second, Clock: clk, Wait: time.Hour}, func(Event) {})
		done <- result{sum, err}
	}()
	for i := range 4 {
		at, err := clk.Next(t.Context()) // the client waits for its next tick
		if err != nil || at.Sub(clk.Now()) != 5*time.Second {
			t.Fatalf("waits %v (%v), want 5s", at.Sub(clk.Now()), err)
		}
		srv.log.WaitFor(t, "datagram", func(Event) bool {
			return srv.log.Count(dataIn("tick")) == i+1
		})
		if i < 3 {
			clk.AdvanceTo(at)
		}
	}
	cancel() // Ctrl-C while it waits for the fifth tick
	r := <-done
	if r.err != nil || r.sum.Sent != 4 {
		t.Errorf("after Ctrl-C: %v, sent %d, want 4", r.err, r.sum.Sent)
	}

	// --every with --repeat 2: two datagrams, one wait between them.
	go func() {
		sum, err := RunClient(context.Background(), ClientOptions{Target: srv.target(t), Send: []byte("tock"), Repeat: 2, Interval: time.Second, Clock: clk, Wait: 0}, func(Event) {})
		done <- result{sum, err}
	}()
	at, err := clk.Next(t.Context())
	if err != nil || at.Sub(clk.Now()) != time.Second {
		t.Fatalf("--repeat 2 waits %v (%v), want 1s", at.Sub(clk.Now()), err)
	}
	clk.AdvanceTo(at)
	r = <-done
	if r.err != nil || r.sum.Sent != 2 {
		t.Errorf("--repeat 2: %v, sent %d", r.err, r.sum.Sent)
	}
	srv.log.WaitFor(t, "second tock", func(Event) bool { return srv.log.Count(dataIn("tock")) == 2 })
}

// Stdin lines are datagrams, each with its newline, re-encoded.
func TestStdinLines(t *testing.T) {
	srv := startServer(t, "::1", ServerOptions{Codec: gbk(t)})
	sum, err := RunClient(context.Background(), ClientOptions{Target: srv.target(t), Codec: gbk(t), Input: strings.NewReader("第一\nsecond\nlast"), Wait: 0}, func(Event) {})
	if err != nil || sum.Sent != 3 {
		t.Fatalf("%v, sent %d", err, sum.Sent)
	}
	for _, s := range []string{"第一\n", "second\n", "last"} {
		srv.log.WaitFor(t, "line "+s, dataIn(s))
	}
	want, _ := gbk(t).Encode("第一\n")
	ev := srv.log.WaitFor(t, "first", dataIn("第一\n")).(DataEvent)
	if !bytes.Equal(ev.Raw, want) {
		t.Errorf("raw % x, want GBK % x", ev.Raw, want)
	}
	_, err = RunClient(context.Background(), ClientOptions{Target: srv.target(t), Codec: gbk(t), Input: strings.NewReader("ok\n😀\n"), Wait: 0}, func(Event) {})
	var ee *wire.EncodeError
	if !errors.As(err, &ee) || ee.Offset != 3 {
		t.Errorf("an emoji in GBK: %v, want an EncodeError at byte 3", err)
	}
}
