package tcp

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"netdiag/diag/netaddr"
	"netdiag/diag/wire"
	"netdiag/internal/testnet"
)

func target(t testing.TB, addr string) netaddr.HostPort {
	t.Helper()
	hp, err := netaddr.ParseHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	return hp
}

func runClient(t testing.TB, opt ClientOptions) (SummaryEvent, *eventLog, error) {
	t.Helper()
	log := newEventLog()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	sum, err := RunClient(ctx, opt, log.Emit)
	return sum, log, err
}

// --send in GBK to a replying server: the client says where it connected
// from, shows what it sent and the decoded reply, and closes after --wait.
func TestClientSendReply(t *testing.T) {
	t.Parallel()
	gbk := mustCodec(t, "gbk")
	reply, _ := gbk.Encode("ok, 问题正在处理中...")
	ts := startServer(t, "127.0.0.1", ServerOptions{Mode: ModeReply, Reply: reply, Codec: gbk})
	msg, _ := gbk.Encode("你好服务端,我是客户端小黑!")
	sum, log, err := runClient(t, ClientOptions{Target: target(t, ts.addr), Send: msg, Codec: gbk, Wait: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	con := log.WaitFor(t, "connect", isKind(KindConnect)).(ConnectEvent)
	if con.Remote != ts.addr || con.Local == "" || con.ConnectTime <= 0 {
		t.Errorf("connect = %+v", con)
	}
	out, _ := log.data("out")
	in, raws := log.data("in")
	if len(out) != 1 || out[0].Text.String() != "你好服务端,我是客户端小黑!" {
		t.Errorf("sent events = %+v", out)
	}
	if len(in) != 1 || in[0].Text.String() != "ok, 问题正在处理中..." || !bytes.Equal(raws[0], reply) {
		t.Errorf("received events = %+v", in)
	}
	dis := log.WaitFor(t, "disconnect", isKind(KindDisconnect)).(DisconnectEvent)
	if dis.Reason != "quiet for 300ms (--wait)" {
		t.Errorf("reason = %q", dis.Reason)
	}
	if all := log.All(); all[len(all)-1].EventKind() != KindSummary || sum.Time.Before(dis.Time) {
		t.Errorf("the summary must come last and be stamped after the disconnect: %v < %v", sum.Time, dis.Time)
	}
	if sum.BytesOut != int64(len(msg)) || sum.BytesIn != int64(len(reply)) || time.Duration(sum.Duration) < 300*time.Millisecond {
		t.Errorf("summary = %+v", sum)
	}
	// The server saw exactly the GBK bytes.
	_, sraw := ts.log.data("in")
	if len(sraw) != 1 || !bytes.Equal(sraw[0], msg) {
		t.Errorf("server received % x, want % x", sraw, msg)
	}
}

// --repeat N --interval D sends N times, D apart.
func TestClientRepeat(t *testing.T) {
	t.Parallel()
	ts := startServer(t, "::1", ServerOptions{Mode: ModeEcho})
	start := time.Now()
	sum, log, err := runClient(t, ClientOptions{Target: target(t, ts.addr), Send: []byte("ping\n"), Repeat: 3, Interval: 150 * time.Millisecond, Wait: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if out, _ := log.data("out"); len(out) != 3 || out[2].Offset != 10 {
		t.Errorf("sent events = %+v", out)
	}
	if sum.BytesIn != 15 || sum.BytesOut != 15 {
		t.Errorf("summary = %+v", sum)
	}
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Errorf("3 sends 150ms apart took %v", d)
	}
}

// Without --send, input is streamed; at its end the client half-closes and
// reads until the server closes.
func TestClientStreamHalfClose(t *testing.T) {
	t.Parallel()
	ts := startServer(t, "127.0.0.1", ServerOptions{Mode: ModeEcho})
	sum, log, err := runClient(t, ClientOptions{Target: target(t, ts.addr), Input: strings.NewReader("line 1\nline 2\n")})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := log.stream("in"); got != "line 1\nline 2\n" || sum.BytesOut != 14 {
		t.Errorf("echoed %q, summary %+v", got, sum)
	}
	dis := log.WaitFor(t, "disconnect", isKind(KindDisconnect)).(DisconnectEvent)
	if dis.Reason != "server closed the connection" {
		t.Errorf("reason = %q", dis.Reason)
	}
	sdis := ts.log.WaitFor(t, "server disconnect", isKind(KindDisconnect)).(DisconnectEvent)
	if sdis.Reason != "client left" {
		t.Errorf("server saw %q, want client left (the half-close)", sdis.Reason)
	}
}

// Streamed UTF-8 text is re-encoded to the wire encoding; a character the
// encoding lacks stops the stream with an error naming it.
func TestClientStreamTranscodes(t *testing.T) {
	t.Parallel()
	gbk := mustCodec(t, "gbk")
	ts := startServer(t, "127.0.0.1", ServerOptions{Codec: gbk})
	// A slow reader that splits a character across reads.
	in := &chunkReader{chunks: [][]byte{[]byte("你"), []byte("好\xe4"), []byte("\xb8\x96")}} // 你好世
	if _, _, err := runClient(t, ClientOptions{Target: target(t, ts.addr), Input: in, Codec: gbk}); err != nil {
		t.Fatal(err)
	}
	ts.log.WaitFor(t, "disconnect", isKind(KindDisconnect))
	want, _ := gbk.Encode("你好世")
	if _, got := ts.log.stream("in"); !bytes.Equal(got, want) {
		t.Errorf("server got % x, want % x", got, want)
	}

	_, _, err := runClient(t, ClientOptions{Target: target(t, ts.addr), Input: strings.NewReader("ok 😀"), Codec: gbk})
	if ee, ok := errors.AsType[*wire.EncodeError](err); !ok || ee.Offset != 3 || !strings.Contains(err.Error(), "'😀' (U+1F600) at byte 3 cannot be encoded in gbk") {
		t.Errorf("unencodable input: %v", err)
	}
}

type chunkReader struct{ chunks [][]byte }

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.chunks) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.chunks[0])
	r.chunks = r.chunks[1:]
	return n, nil
}

// --file sends the file byte-exact, then half-closes.
func TestClientFileByteExact(t *testing.T) {
	t.Parallel()
	data := make([]byte, 8<<20+123)
	rand.Read(data)
	path := filepath.Join(t.TempDir(), "data.bin")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(path)
	defer f.Close()
	ts := startServer(t, "127.0.0.1", ServerOptions{Mode: ModeEcho})
	sum, log, err := runClient(t, ClientOptions{Target: target(t, ts.addr), File: f})
	if err != nil {
		t.Fatal(err)
	}
	if _, got := log.stream("in"); !bytes.Equal(got, data) || sum.BytesOut != int64(len(data)) {
		t.Errorf("echo of the file: %d bytes back, %d sent; want %d byte-exact", len(got), sum.BytesOut, len(data))
	}
}

func TestClientConnectRefused(t *testing.T) {
	t.Parallel()
	port := netaddr.Port(testnet.FreePort(t))
	_, _, err := runClient(t, ClientOptions{Target: netaddr.HostPort{Host: mustHost(t, "127.0.0.1"), Port: port}, Send: []byte("x")})
	var ce *ConnectError
	if !errors.As(err, &ce) || !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("connect to a closed port: %v, want *ConnectError wrapping ECONNREFUSED", err)
	}
}

// A listener whose accept queue is full drops SYNs: the connect times out
// after --timeout, on loopback.
func TestClientConnectTimeout(t *testing.T) {
	t.Parallel()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fd)
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, _ := syscall.Getsockname(fd)
	addr := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(sa.(*syscall.SockaddrInet4).Port))
	// Fill the queue (never accepted).
	for range 2 {
		c, err := net.DialTimeout("tcp", addr.String(), 300*time.Millisecond)
		if err == nil {
			defer c.Close()
		}
	}
	start := time.Now()
	_, _, err = runClient(t, ClientOptions{Target: target(t, addr.String()), Timeout: 400 * time.Millisecond, Send: []byte("x")})
	var ce *ConnectError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "no answer within 400ms (--timeout)") {
		t.Fatalf("connect to a full queue: %v", err)
	}
	if d := time.Since(start); d < 400*time.Millisecond || d > 5*time.Second {
		t.Errorf("gave up after %v, want about 400ms", d)
	}
}

// --source binds the local address.
func TestClientSource(t *testing.T) {
	t.Parallel()
	ts := startServer(t, "127.0.0.1", ServerOptions{})
	_, log, err := runClient(t, ClientOptions{Target: target(t, ts.addr), Source: netip.MustParseAddrPort("127.0.0.2:0"), Send: []byte("x"), Wait: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	con := log.WaitFor(t, "connect", isKind(KindConnect)).(ConnectEvent)
	if !strings.HasPrefix(con.Local, "127.0.0.2:") {
		t.Errorf("connected from %s, want 127.0.0.2", con.Local)
	}
	sc := ts.log.WaitFor(t, "server connect", isKind(KindConnect)).(ConnectEvent)
	if sc.Remote != con.Local {
		t.Errorf("server saw %s, client says %s", sc.Remote, con.Local)
	}
	_, _, err = runClient(t, ClientOptions{Target: target(t, ts.addr), Source: netip.MustParseAddrPort("[::1]:0"), Family: netaddr.IPv4, Send: []byte("x")})
	if err == nil || !strings.Contains(err.Error(), "--source ::1 is an IPv6 address") {
		t.Errorf("IPv6 source with -4: %v", err)
	}
}

// A server that resets the connection: the client says so (exit 1 in the
// CLI), after reporting what it got.
func TestClientResetByServer(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		io.ReadFull(c, make([]byte, 1))
		c.Write([]byte("bye"))
		c.(*net.TCPConn).SetLinger(0) // RST instead of FIN
		c.Close()
	}()
	sum, _, err := runClient(t, ClientOptions{Target: target(t, ln.Addr().String()), Send: []byte("x"), Wait: 0})
	var se *SessionError
	if !errors.As(err, &se) || se.Op != "receive" || !strings.Contains(err.Error(), "reset") {
		t.Errorf("reset: %v", err)
	}
	if sum.BytesOut != 1 {
		t.Errorf("summary = %+v", sum)
	}
}

// --info: buffer sizes and TCP_INFO of the live connection.
func TestClientInfo(t *testing.T) {
	t.Parallel()
	ts := startServer(t, "127.0.0.1", ServerOptions{Mode: ModeEcho})
	sum, _, err := runClient(t, ClientOptions{Target: target(t, ts.addr), Send: []byte("hello"), Wait: 100 * time.Millisecond, Info: true})
	if err != nil {
		t.Fatal(err)
	}
	si := sum.Socket
	if si == nil || si.Error != "" || si.SndBuf <= 0 || si.RcvBuf <= 0 || si.TCP == nil {
		t.Fatalf("socket info = %+v", si)
	}
	if si.TCP.State != "ESTAB" || si.TCP.RTT <= 0 || si.TCP.SndCwnd == 0 || si.TCP.SndMSS == 0 {
		t.Errorf("tcp_info = %+v", *si.TCP)
	}
	if !strings.HasPrefix(si.Remote, "127.0.0.1:") {
		t.Errorf("remote = %s", si.Remote)
	}
}

// Cancelling (Ctrl-C) ends the session cleanly, and a server closing while
// input is still open (a pipe that never ends) ends it too; no goroutine
// is left once the input ends.
func TestClientInterruptAndServerClose(t *testing.T) {
	base := numGoroutines()
	ts := startServer(t, "127.0.0.1", ServerOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	log := newEventLog()
	done := make(chan error, 1)
	go func() {
		_, err := RunClient(ctx, ClientOptions{Target: target(t, ts.addr), Send: []byte("x")}, log.Emit)
		done <- err
	}()
	ts.log.WaitFor(t, "data", isKind(KindData))
	cancel()
	if err := <-done; err != nil {
		t.Errorf("interrupted client: %v", err)
	}
	if dis := log.WaitFor(t, "disconnect", isKind(KindDisconnect)).(DisconnectEvent); dis.Reason != "interrupted" {
		t.Errorf("reason = %q", dis.Reason)
	}

	// A server that closes while the user's terminal input stays open.
	once := startServer(t, "127.0.0.1", ServerOptions{IdleTimeout: 100 * time.Millisecond})
	pr, pw := io.Pipe()
	start := time.Now()
	_, log2, err := runClient(t, ClientOptions{Target: target(t, once.addr), Input: pr, Interactive: true})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("client took %v to notice the server closed", d)
	}
	if dis := log2.WaitFor(t, "disconnect", isKind(KindDisconnect)).(DisconnectEvent); dis.Reason != "server closed the connection" {
		t.Errorf("reason = %q", dis.Reason)
	}
	pw.Close() // the input ends: the abandoned sender ends with it
	ts.stop(t)
	once.stop(t)
	settleGoroutines(t, base, 5*time.Second)
}

// A server that half-closes at once (it has nothing to say) but reads on:
// piped input is still sent to the end, as nc does.
func TestClientKeepsSendingAfterServerHalfClose(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan []byte, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- nil
			return
		}
		defer c.Close()
		c.(*net.TCPConn).CloseWrite()
		b, _ := io.ReadAll(c)
		got <- b
	}()
	data := randomText(t, 2<<20)
	pr, pw := io.Pipe()
	go func() {
		time.Sleep(200 * time.Millisecond) // after the server's FIN arrived
		pw.Write(data)
		pw.Close()
	}()
	sum, _, err := runClient(t, ClientOptions{Target: target(t, ln.Addr().String()), Input: pr})
	if err != nil {
		t.Fatal(err)
	}
	if b := <-got; !bytes.Equal(b, data) || sum.BytesOut != int64(len(data)) {
		t.Errorf("server read %d bytes, client sent %d; want %d", len(b), sum.BytesOut, len(data))
	}
}
