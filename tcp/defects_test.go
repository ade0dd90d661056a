package tcp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"netdiag/diag/render"
	"netdiag/diag/wire"
	"netdiag/internal/testnet"
)

// The position of text stdin cannot be encoded at counts from the start of
// the stream, not from the piece the reader had in hand.
func TestEncodingReaderPosition(t *testing.T) {
	gbk := mustCodec(t, "gbk")
	for _, tc := range []struct {
		name, in string
		want     int64
		msg      string
	}{
		{"invalid UTF-8", strings.Repeat("a", 100000) + "\xff", 100000, "text is not valid UTF-8 at byte 100000"},
		{"a character GBK lacks", strings.Repeat("你", 30000) + "😀", 90000, "character '😀' (U+1F600) at byte 90000 cannot be encoded in gbk"},
	} {
		_, err := io.ReadAll(wire.NewEncodingReader(strings.NewReader(tc.in), gbk))
		ee, ok := errors.AsType[*wire.EncodeError](err)
		if !ok || ee.Offset != tc.want || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: %v, want an *wire.EncodeError at %d: %q", tc.name, err, tc.want, tc.msg)
		}
	}
}

// Stdin that cannot be encoded exits 2, as --send TEXT does, with the
// position in the stream.
func TestBinaryClientStdinNotEncodable(t *testing.T) {
	t.Parallel()
	ts := startServer(t, "127.0.0.1", ServerOptions{Mode: ModeDiscard})
	res := testnet.Run(t, 20*time.Second, strings.Repeat("a", 100000)+"\xff", testnet.Binary(t), "tcp", "client", "-e", "gbk", ts.addr)
	if res.Code != 2 || !strings.Contains(res.Stderr, "tcp client: stdin: text is not valid UTF-8 at byte 100000\n") {
		t.Errorf("exit %d, stderr %q; want exit 2 and the position 100000", res.Code, res.Stderr)
	}
	res = testnet.Run(t, 20*time.Second, "", testnet.Binary(t), "tcp", "client", "-e", "latin1", "--send", "ok 你", ts.addr)
	if res.Code != 2 || !strings.Contains(res.Stderr, "--send: character '你' (U+4F60) at byte 3 cannot be encoded in iso-8859-1") {
		t.Errorf("--send: exit %d, stderr %q", res.Code, res.Stderr)
	}
}

// The echo goes back before the chunk is decoded and printed: a client
// has its echo while the printer still holds the chunk's event.
func TestServeEchoDoesNotWaitForPrinting(t *testing.T) {
	t.Parallel()
	ln, err := Listen(context.Background(), ListenOptions{Host: mustHost(t, "127.0.0.1")})
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan struct{})
	go func() {
		defer close(served)
		Serve(ctx, ln, ServerOptions{Mode: ModeEcho}, func(ev Event) {
			if _, ok := ev.(*DataEvent); ok {
				<-release // a printer stuck on a slow terminal
			}
		})
	}()
	defer func() { cancel(); <-served }()
	c := dialT(t, ln.Addr().String())
	c.Write([]byte("ping"))
	c.SetReadDeadline(time.Now().Add(10 * time.Second)) // a hang bound, not a measure
	got := make([]byte, 4)
	_, err = io.ReadFull(c, got)
	close(release)
	if err != nil || string(got) != "ping" {
		t.Fatalf("echo while the event is being printed: %q, %v", got, err)
	}
}

// With --hex nothing is decoded: data events carry no text, and a stream
// that ends inside a "character" says nothing about it.
func TestServeHexDecodesNothing(t *testing.T) {
	t.Parallel()
	ts := startServer(t, "127.0.0.1", ServerOptions{Hex: true})
	c := dialT(t, ts.addr)
	c.Write([]byte("hi \xc4"))
	c.Close()
	ts.log.WaitFor(t, "disconnect", isKind(KindDisconnect))
	for _, ev := range ts.log.All() {
		switch e := ev.(type) {
		case DataEvent:
			if e.Text != nil || e.Undecoded != e.Bytes {
				t.Errorf("data event with --hex: text %q, %d of %d bytes undecoded", e.Text.String(), e.Undecoded, e.Bytes)
			}
		case ErrorEvent:
			t.Errorf("with --hex: %s", e.Error)
		}
	}
}

// The client in hex mode prints the dump and no decoding note; where a
// decoding note is right, it is a note, not an error.
func TestBinaryClientHexNoDecodeNote(t *testing.T) {
	t.Parallel()
	ts := startServer(t, "127.0.0.1", ServerOptions{Mode: ModeEcho})
	res := testnet.Run(t, 20*time.Second, "", testnet.Binary(t), "tcp", "client", "-x", "--send", "c4 e3 ba c3", "--wait", "0.2", ts.addr)
	if res.Code != 0 || !strings.Contains(res.Stdout, "received 4 bytes\n  00000000  c4 e3 ba c3 ") ||
		strings.Contains(res.Stdout, "error") || strings.Contains(res.Stdout, "inside a character") {
		t.Errorf("exit %d:\n%s", res.Code, res.Stdout)
	}
	res = testnet.Run(t, 20*time.Second, "", testnet.Binary(t), "tcp", "client", "-e", "gbk", "--send", "你", "--wait", "0.2", ts.addr)
	if res.Code != 0 || strings.Contains(res.Stdout, "error:") {
		t.Errorf("exit %d:\n%s", res.Code, res.Stdout)
	}
	p, _ := renderWith(false, ErrorEvent{Header: Header{Kind: KindError, Role: "client"}, Op: "decode", Error: "the stream ended inside a character: \uFFFD\\xba"})
	if p != "note: the stream ended inside a character: \uFFFD\\xba\n" {
		t.Errorf("decode note printed as %q", p)
	}
}

// renderWith prints one event and returns the output.
func renderWith(jsonMode bool, ev Event) (string, error) {
	var buf bytes.Buffer
	p := NewPrinter(render.New(&buf, jsonMode), false, false)
	p.Emit(ev)
	return buf.String(), p.Err()
}

// A client refused by --max-conns exits 1 with one message, whether it
// sends --send TEXT or stdin.
func TestBinaryClientRefusedByMaxConns(t *testing.T) {
	t.Parallel()
	ts := startServer(t, "127.0.0.1", ServerOptions{Mode: ModeEcho, MaxConns: 1})
	holder := dialT(t, ts.addr)
	holder.Write([]byte("x"))
	io.ReadFull(holder, make([]byte, 1)) // the slot is taken
	const want = "netdiag: tcp client: connect: the server closed the connection at once (it may be at its --max-conns limit)\n"
	for _, tc := range []struct {
		name, stdin string
		args        []string
	}{
		{"--send", "", []string{"--send", "hello"}},
		{"stdin", "hello\n", nil},
	} {
		// A long --wait: the client must end at the reset, however late a
		// loaded machine accepts, not quietly before it.
		args := append([]string{"tcp", "client", "--wait", "25s", ts.addr}, tc.args...)
		res := testnet.Run(t, 30*time.Second, tc.stdin, testnet.Binary(t), args...)
		if res.Code != 1 || !strings.HasSuffix(res.Stderr, want) {
			t.Errorf("%s: exit %d, stderr %q\nwant exit 1 and %q", tc.name, res.Code, res.Stderr, want)
		}
	}
}

// A burst of clients: the connect events come out in accept order.
func TestServeConnectEventsInOrder(t *testing.T) {
	t.Parallel()
	const clients = 200
	ts := startServer(t, "127.0.0.1", ServerOptions{})
	var wg sync.WaitGroup
	conns := make(chan net.Conn, clients)
	for range clients {
		wg.Go(func() {
			c, err := net.DialTimeout("tcp", ts.addr, 10*time.Second)
			if err != nil {
				t.Error(err)
				return
			}
			conns <- c
		})
	}
	wg.Wait()
	close(conns)
	for c := range conns {
		defer c.Close()
	}
	var order []uint64
	testnet.WaitUntil(t, 10*time.Second, fmt.Sprintf("%d connect events", clients), func() (bool, error) {
		order = order[:0]
		for _, ev := range ts.log.All() {
			if e, ok := ev.(ConnectEvent); ok {
				order = append(order, e.Conn)
			}
		}
		return len(order) == clients, nil
	})
	for i, n := range order {
		if n != uint64(i+1) {
			t.Fatalf("connect events in the order %v", order)
		}
	}
}

// The rest of a binary chunk is counted, in the human line and in JSON.
func TestPrinterUndecoded(t *testing.T) {
	ev := &DataEvent{Header: Header{Kind: KindData, Time: time.Unix(0, 0).UTC(), Role: "client"}, Peer: Peer{Conn: 1, Local: "l", Remote: "r"},
		Dir: "in", Bytes: 102, Text: wire.Decoded{{Text: "ab"}}, Undecoded: 100, Raw: bytes.Repeat([]byte{0xff}, 102)}
	if got, _ := renderWith(false, ev); got != "received 102 bytes: ab… (100 more bytes not decoded: binary, --hex shows them)\n" {
		t.Errorf("human: %q", got)
	}
	if got, _ := renderWith(true, ev); !strings.Contains(got, `"text":"ab","undecoded":100,"hex":"ffff`) {
		t.Errorf("JSON: %s", got)
	}
}
