package tcp

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The basic session: connect, a chunk, the reply, the client leaves; every
// event carries what the issue asks for.
func TestServeReplySession(t *testing.T) {
	t.Parallel()
	gbk := mustCodec(t, "gbk")
	reply, _ := gbk.Encode("ok, 问题正在处理中...")
	ts := startServer(t, "127.0.0.1", ServerOptions{Mode: ModeReply, Reply: reply, Codec: gbk})

	c := dialT(t, ts.addr)
	msg, _ := gbk.Encode("你好服务端,我是客户端小黑!")
	if _, err := c.Write(msg); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(reply))
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, reply) {
		t.Fatalf("reply = % x, %v; want % x", got, err, reply)
	}
	c.Close()

	dis := ts.log.WaitFor(t, "disconnect", isKind(KindDisconnect)).(DisconnectEvent)
	if dis.Reason != "client left" || dis.BytesIn != int64(len(msg)) || dis.BytesOut != int64(len(reply)) || dis.Duration <= 0 {
		t.Errorf("disconnect = %+v", dis)
	}
	if dis.Remote != c.LocalAddr().String() || dis.Conn != 1 {
		t.Errorf("disconnect names %s #%d, want %s #1", dis.Remote, dis.Conn, c.LocalAddr())
	}
	evs, raws := ts.log.data("in")
	if len(evs) != 1 || evs[0].Text.String() != "你好服务端,我是客户端小黑!" || !bytes.Equal(raws[0], msg) || evs[0].Bytes != len(msg) {
		t.Fatalf("data events = %+v", evs)
	}
	sum := ts.stop(t)
	if sum.Clients != 1 || sum.BytesIn != int64(len(msg)) || sum.BytesOut != int64(len(reply)) {
		t.Errorf("summary = %+v", sum)
	}
	kinds := []Kind{}
	for _, ev := range ts.log.All() {
		kinds = append(kinds, ev.EventKind())
	}
	want := []Kind{KindListen, KindConnect, KindData, KindDisconnect, KindSummary}
	if len(kinds) != len(want) {
		t.Fatalf("event kinds = %v, want %v", kinds, want)
	}
	for i := range want {
		if kinds[i] != want[i] {
			t.Fatalf("event kinds = %v, want %v", kinds, want)
		}
	}
}

// Echo is byte-exact on arbitrary binary data, IPv4 and IPv6.
func TestServeEchoBinary(t *testing.T) {
	t.Parallel()
	for _, host := range []string{"127.0.0.1", "::1"} {
		ts := startServer(t, host, ServerOptions{Mode: ModeEcho})
		c := dialT(t, ts.addr)
		data := make([]byte, 3<<20)
		rand.Read(data)
		errc := make(chan error, 1)
		go func() {
			_, err := c.Write(data)
			if err == nil {
				err = c.(*net.TCPConn).CloseWrite()
			}
			errc <- err
		}()
		c.SetReadDeadline(time.Now().Add(20 * time.Second))
		got, err := io.ReadAll(c)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("%s: echo returned %d bytes (%v), want the %d sent, byte-exact", host, len(got), err, len(data))
		}
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
}

// Discard counts without data events.
func TestServeDiscardCounts(t *testing.T) {
	t.Parallel()
	ts := startServer(t, "127.0.0.1", ServerOptions{Mode: ModeDiscard})
	c := dialT(t, ts.addr)
	data := make([]byte, 5<<20)
	if _, err := c.Write(data); err != nil {
		t.Fatal(err)
	}
	c.Close()
	dis := ts.log.WaitFor(t, "disconnect", isKind(KindDisconnect)).(DisconnectEvent)
	if dis.BytesIn != int64(len(data)) || dis.BytesOut != 0 {
		t.Errorf("disconnect = %+v, want %d bytes in", dis, len(data))
	}
	if evs, _ := ts.log.data("in"); len(evs) != 0 {
		t.Errorf("discard emitted %d data events", len(evs))
	}
}

// --once: serve one client, then Serve returns by itself and the port is
// closed.
func TestServeOnce(t *testing.T) {
	t.Parallel()
	ts := startServer(t, "127.0.0.1", ServerOptions{Once: true, Mode: ModeEcho})
	c := dialT(t, ts.addr)
	c.Write([]byte("hi"))
	buf := make([]byte, 2)
	io.ReadFull(c, buf)
	c.Close()
	select {
	case <-ts.done:
	case <-time.After(5 * time.Second):
		t.Fatal("Serve with Once did not return after the client left")
	}
	if ts.sum.Clients != 1 || string(buf) != "hi" {
		t.Errorf("summary %+v, echo %q", ts.sum, buf)
	}
	if c2, err := net.DialTimeout("tcp", ts.addr, time.Second); err == nil {
		c2.Close()
		t.Error("the port still accepts after --once")
	}
}

// --max-conns: extra clients are reset at once with an error event; the
// server serves on, and takes a new client when a slot frees.
func TestServeMaxConns(t *testing.T) {
	t.Parallel()
	ts := startServer(t, "127.0.0.1", ServerOptions{MaxConns: 2, Mode: ModeEcho})
	a, b := dialT(t, ts.addr), dialT(t, ts.addr)
	for _, c := range []net.Conn{a, b} { // make sure both are being served
		c.Write([]byte("x"))
		io.ReadFull(c, make([]byte, 1))
	}
	// The third is reset: while its connect returns (the kernel accepted
	// it), or at its first read.
	extra, err := net.DialTimeout("tcp", ts.addr, 5*time.Second)
	if err == nil {
		defer extra.Close()
		extra.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, err = extra.Read(make([]byte, 1))
	}
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("third client: %v; want the server to reset it", err)
	}
	ev := ts.log.WaitFor(t, "max_conns error", func(ev Event) bool {
		e, ok := ev.(ErrorEvent)
		return ok && e.Op == "max_conns"
	}).(ErrorEvent)
	if ev.Peer == nil || ev.Local != ts.addr || !strings.Contains(ev.Error, "--max-conns") {
		t.Errorf("max_conns event = %+v", ev)
	}
	a.Close()
	ts.log.WaitFor(t, "disconnect of the first", isKind(KindDisconnect))
	d := dialT(t, ts.addr)
	d.Write([]byte("y"))
	d.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadFull(d, make([]byte, 1)); err != nil {
		t.Fatalf("a client after a slot freed was not served: %v", err)
	}
	sum := ts.stop(t)
	if sum.Rejected != 1 || sum.Clients != 3 || sum.Peak != 2 {
		t.Errorf("summary = %+v, want 3 served, 1 rejected, peak 2", sum)
	}
}

// A client that never sends is dropped after the idle timeout, and one that
// keeps talking is not.
func TestServeIdleTimeout(t *testing.T) {
	t.Parallel()
	ts := startServer(t, "127.0.0.1", ServerOptions{IdleTimeout: 300 * time.Millisecond, Mode: ModeEcho})
	silent := dialT(t, ts.addr)
	talker := dialT(t, ts.addr)
	start := time.Now()
	for range 8 { // 8 x 100ms of activity: longer than the timeout
		talker.Write([]byte("."))
		talker.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.ReadFull(talker, make([]byte, 1)); err != nil {
			t.Fatalf("active client dropped: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	silent.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := silent.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		t.Fatalf("silent client: %v, want EOF (closed by the server)", err)
	}
	dis := ts.log.WaitFor(t, "idle disconnect", isKind(KindDisconnect)).(DisconnectEvent)
	if !strings.HasPrefix(dis.Reason, "idle timeout") || dis.Remote != silent.LocalAddr().String() {
		t.Errorf("disconnect = %+v", dis)
	}
	if d := time.Duration(dis.Duration); d < 300*time.Millisecond || d > 3*time.Second {
		t.Errorf("idle client dropped after %v, want about 300ms", d)
	}
	if time.Since(start) < 800*time.Millisecond {
		t.Errorf("test ran too fast to mean anything")
	}
}

// A client that leaves in the middle of a GBK character: the bytes are
// counted, the half character is reported as undecodable, and the server
// serves on.
func TestServeClientLeavesMidMessage(t *testing.T) {
	t.Parallel()
	gbk := mustCodec(t, "gbk")
	ts := startServer(t, "127.0.0.1", ServerOptions{Codec: gbk})
	msg, _ := gbk.Encode("你好服务端")
	c := dialT(t, ts.addr)
	c.Write(msg[:5]) // "你好" and the first byte of "服"
	c.Close()
	dis := ts.log.WaitFor(t, "disconnect", isKind(KindDisconnect)).(DisconnectEvent)
	if dis.BytesIn != 5 || dis.Reason != "client left" {
		t.Errorf("disconnect = %+v", dis)
	}
	if text, _ := ts.log.stream("in"); text != "你好" {
		t.Errorf("decoded %q, want 你好 (the half character held back)", text)
	}
	dec := ts.log.WaitFor(t, "decode error", func(ev Event) bool {
		e, ok := ev.(ErrorEvent)
		return ok && e.Op == "decode"
	}).(ErrorEvent)
	if !strings.Contains(dec.Error, `\x`+"fe") && !strings.Contains(dec.Error, "\uFFFD") {
		t.Errorf("decode error = %q", dec.Error)
	}
	// Still serving.
	c2 := dialT(t, ts.addr)
	c2.Write([]byte("still there"))
	ts.log.WaitFor(t, "second client's data", func(ev Event) bool {
		d, ok := ev.(DataEvent)
		return ok && d.Text.String() == "still there"
	})
}

// Ctrl-C: stop accepting, close clients cleanly (they read EOF), report
// "server shutdown", summary, and no goroutine left.
func TestServeShutdownClosesClients(t *testing.T) {
	base := numGoroutines()
	ts := startServer(t, "127.0.0.1", ServerOptions{Mode: ModeEcho})
	var conns []net.Conn
	for range 5 {
		c := dialT(t, ts.addr)
		c.Write([]byte("a"))
		io.ReadFull(c, make([]byte, 1))
		conns = append(conns, c)
	}
	sum := ts.stop(t)
	if sum.Clients != 5 {
		t.Errorf("summary = %+v", sum)
	}
	for _, c := range conns {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
			t.Errorf("client after shutdown: %v, want EOF", err)
		}
		c.Close()
	}
	n := 0
	for _, ev := range ts.log.All() {
		if d, ok := ev.(DisconnectEvent); ok && d.Reason == "server shutdown" {
			n++
		}
	}
	if n != 5 {
		t.Errorf("%d disconnects say server shutdown, want 5:\n%s", n, ts.log.Dump())
	}
	if _, err := net.DialTimeout("tcp", ts.addr, time.Second); err == nil {
		t.Error("still accepting after shutdown")
	}
	settleGoroutines(t, base, 5*time.Second)
}

// Discard drops the data unread, and still sees the client go idle: the
// idle timeout holds in the kernel-discard loop too, and the bytes dropped
// before it are counted in the disconnect and the summary.
func TestServeDiscardIdleTimeout(t *testing.T) {
	t.Parallel()
	ts := startServer(t, "127.0.0.1", ServerOptions{Mode: ModeDiscard, IdleTimeout: 50 * time.Millisecond})
	c := dialT(t, ts.addr)
	const n = 1000 // one segment: it arrives whole, before any timeout
	if _, err := c.Write(make([]byte, n)); err != nil {
		t.Fatal(err)
	}
	dis := ts.log.WaitFor(t, "disconnect", isKind(KindDisconnect)).(DisconnectEvent)
	if !strings.HasPrefix(dis.Reason, "idle timeout") || dis.BytesIn != n {
		t.Errorf("disconnect = %+v, want an idle timeout after %d bytes in", dis, n)
	}
	if sum := ts.stop(t); sum.BytesIn != n {
		t.Errorf("summary bytes_in %d, want %d", sum.BytesIn, n)
	}
}

// NoData (the output is /dev/null): the echo and the counts are as ever,
// the connect and disconnect events come, and no data event is made.
func TestServeEchoNoData(t *testing.T) {
	t.Parallel()
	ts := startServer(t, "127.0.0.1", ServerOptions{Mode: ModeEcho, NoData: true})
	c := dialT(t, ts.addr)
	msg := []byte("hello \xff bytes")
	if _, err := c.Write(msg); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("echo %q, %v; want %q", got, err, msg)
	}
	c.Close()
	dis := ts.log.WaitFor(t, "disconnect", isKind(KindDisconnect)).(DisconnectEvent)
	if dis.BytesIn != int64(len(msg)) || dis.BytesOut != int64(len(msg)) {
		t.Errorf("disconnect = %+v, want %d bytes each way", dis, len(msg))
	}
	if evs, _ := ts.log.data("in"); len(evs) != 0 {
		t.Errorf("NoData emitted %d data events", len(evs))
	}
	if sum := ts.stop(t); sum.BytesIn != int64(len(msg)) || sum.BytesOut != int64(len(msg)) {
		t.Errorf("summary %+v, want %d bytes each way", sum, len(msg))
	}
}
