package tcp

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"netdiag/diag/netaddr"
	"netdiag/diag/sockets"
	"netdiag/diag/wire"
	"netdiag/internal/testnet"
)

// The textbook programs, in Python: a client that sends a GBK greeting and
// reads 1024 bytes, and a threaded server that answers every chunk with
// "ok, 问题正在处理中...". The encoding is a parameter so UTF-8 runs too.
const (
	textbookGreeting = "你好服务端,我是客户端小黑!"
	textbookReply    = "ok, 问题正在处理中..."

	pyClient = `
import socket, sys
host, port, enc = sys.argv[1], int(sys.argv[2]), sys.argv[3]
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
client = socket.socket(fam, socket.SOCK_STREAM)
client.connect((host, port))
client.send("你好服务端,我是客户端小黑!".encode(enc))
data = client.recv(1024)
print(data.hex())
client.close()
`
	pyServer = `
import socket, sys, threading
host, enc = sys.argv[1], sys.argv[2]
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
server = socket.socket(fam, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind((host, 0))
server.listen(128)
print(server.getsockname()[1], flush=True)
lock = threading.Lock()
def serve(conn, addr):
    while True:
        data = conn.recv(1024)
        if not data:
            break
        with lock:
            print(data.hex(), flush=True)
        conn.send("ok, 问题正在处理中...".encode(enc))
    conn.close()
while True:
    conn, addr = server.accept()
    threading.Thread(target=serve, args=(conn, addr), daemon=True).start()
`
)

// eachInterop runs f as a parallel subtest for IPv4 and IPv6, GBK and
// UTF-8, failing at once if the peer tool is missing.
func eachInterop(t *testing.T, tool string, f func(t *testing.T, host string, codec wire.Codec)) {
	t.Parallel()
	testnet.RequireTools(t, tool)
	for _, host := range []string{"127.0.0.1", "::1"} {
		for _, enc := range []string{"gbk", "utf-8"} {
			t.Run(host+"/"+enc, func(t *testing.T) {
				t.Parallel()
				f(t, host, mustCodec(t, enc))
			})
		}
	}
}

// The Python client talks to our server: it gets the reply byte-exact in
// its encoding, and our server decodes the greeting.
func TestInteropPythonClientOurServer(t *testing.T) {
	eachInterop(t, "python3", func(t *testing.T, host string, codec wire.Codec) {
		reply, _ := codec.Encode(textbookReply)
		ts := startServer(t, host, ServerOptions{Mode: ModeReply, Reply: reply, Codec: codec})
		_, port, _ := net.SplitHostPort(ts.addr)
		res := testnet.Run(t, 20*time.Second, "", "python3", "-c", pyClient, host, port, codec.Name())
		if res.Code != 0 {
			t.Fatalf("python client: exit %d\n%s", res.Code, res.Stderr)
		}
		if got := strings.TrimSpace(res.Stdout); got != hex.EncodeToString(reply) {
			t.Errorf("python received %s, want %x", got, reply)
		}
		ts.log.WaitFor(t, "disconnect", isKind(KindDisconnect))
		evs, raws := ts.log.data("in")
		greeting, _ := codec.Encode(textbookGreeting)
		if len(evs) != 1 || evs[0].Text.String() != textbookGreeting || !bytes.Equal(raws[0], greeting) {
			t.Errorf("server data = %+v", evs)
		}
	})
}

// Our client talks to the Python threaded server, several clients at once.
func TestInteropOurClientPythonServer(t *testing.T) {
	eachInterop(t, "python3", func(t *testing.T, host string, codec wire.Codec) {
		py := startPeer(t, "python3", "-c", pyServer, host, codec.Name())
		port := strings.TrimSpace(py.line(t))
		greeting, _ := codec.Encode(textbookGreeting)
		reply, _ := codec.Encode(textbookReply)
		var wg sync.WaitGroup
		for range 3 {
			wg.Go(func() {
				_, log, err := runClient(t, ClientOptions{Target: target(t, net.JoinHostPort(host, port)), Send: greeting, Codec: codec, Wait: 300 * time.Millisecond})
				if err != nil {
					t.Error(err)
					return
				}
				if text, got := log.stream("in"); !bytes.Equal(got, reply) || text != textbookReply {
					t.Errorf("received % x (%q), want % x", got, text, reply)
				}
			})
		}
		wg.Wait()
		for range 3 {
			if got := strings.TrimSpace(py.line(t)); got != hex.EncodeToString(greeting) {
				t.Errorf("python server received %s, want %x", got, greeting)
			}
		}
	})
}

// OpenBSD nc as the client of our echo server: binary data round-trips
// byte-exact; nc -N half-closes at EOF like ours does.
func TestInteropNcClientOurServer(t *testing.T) {
	t.Parallel()
	testnet.RequireTools(t, "nc")
	for _, host := range []string{"127.0.0.1", "::1"} {
		t.Run(host, func(t *testing.T) {
			t.Parallel()
			data := randomText(t, 256<<10)
			ts := startServer(t, host, ServerOptions{Mode: ModeEcho})
			_, port, _ := net.SplitHostPort(ts.addr)
			res := testnet.Run(t, 30*time.Second, string(data), "nc", "-N", host, port)
			if res.Code != 0 || res.Stdout != string(data) {
				t.Fatalf("nc: exit %d, %d bytes back of %d\n%s", res.Code, len(res.Stdout), len(data), res.Stderr)
			}
		})
	}
}

// Our client to a listening nc: what we stream (UTF-8 text re-encoded to
// GBK, or raw) arrives byte-exact on nc's stdout, and what nc sends (its
// stdin) arrives byte-exact here.
func TestInteropOurClientNcServer(t *testing.T) {
	eachInterop(t, "nc", func(t *testing.T, host string, codec wire.Codec) {
		toNc, _ := codec.Encode(strings.Repeat(textbookGreeting+"\n", 200))
		fromNc, _ := codec.Encode(strings.Repeat(textbookReply+"\n", 200))
		port := netaddr.Port(testnet.FreePort(t))
		stdinFile := filepath.Join(t.TempDir(), "nc-stdin")
		os.WriteFile(stdinFile, fromNc, 0o600)
		f, _ := os.Open(stdinFile)
		defer f.Close()
		nc := exec.Command("nc", "-N", "-l", host, port.String())
		nc.Stdin = f
		var ncOut bytes.Buffer
		nc.Stdout = &ncOut
		if err := nc.Start(); err != nil {
			t.Fatal(err)
		}
		waitListening(t, port)
		in := strings.NewReader(strings.Repeat(textbookGreeting+"\n", 200)) // UTF-8, re-encoded on the way
		_, log, err := runClient(t, ClientOptions{Target: target(t, net.JoinHostPort(host, port.String())), Input: in, Codec: codec})
		if err != nil {
			t.Fatal(err)
		}
		if err := waitProcess(nc, 10*time.Second); err != nil {
			t.Fatalf("nc: %v", err)
		}
		if !bytes.Equal(ncOut.Bytes(), toNc) {
			t.Errorf("nc received %d bytes, want the %d we sent, byte-exact", ncOut.Len(), len(toNc))
		}
		text, got := log.stream("in")
		if !bytes.Equal(got, fromNc) {
			t.Errorf("we received %d bytes from nc, want %d byte-exact", len(got), len(fromNc))
		}
		if text != strings.Repeat(textbookReply+"\n", 200) {
			t.Errorf("decoded text differs (a character split between reads shown broken?)")
		}
	})
}

// socat as the client of our server (echo), and our client against a
// socat echo server, IPv4 and IPv6, GBK and UTF-8.
func TestInteropSocat(t *testing.T) {
	eachInterop(t, "socat", func(t *testing.T, host string, codec wire.Codec) {
		text, _ := codec.Encode(strings.Repeat(textbookGreeting, 500))
		sockAddr := func(port string) string {
			if strings.Contains(host, ":") {
				return "TCP6:[" + host + "]:" + port
			}
			return "TCP4:" + host + ":" + port
		}

		// socat -> our server.
		ts := startServer(t, host, ServerOptions{Mode: ModeEcho, Codec: codec})
		_, port, _ := net.SplitHostPort(ts.addr)
		res := testnet.Run(t, 30*time.Second, string(text), "socat", "-t", "5", "-", sockAddr(port))
		if res.Code != 0 || res.Stdout != string(text) {
			t.Fatalf("socat client: exit %d, %d bytes back of %d\n%s", res.Code, len(res.Stdout), len(text), res.Stderr)
		}
		ts.log.WaitFor(t, "disconnect", isKind(KindDisconnect))
		if got, _ := ts.log.stream("in"); got != strings.Repeat(textbookGreeting, 500) {
			t.Errorf("our server decoded the socat stream wrongly")
		}

		// our client -> socat echo server.
		lport := netaddr.Port(testnet.FreePort(t))
		listen := "TCP4-LISTEN:" + lport.String() + ",bind=" + host + ",reuseaddr"
		if strings.Contains(host, ":") {
			listen = "TCP6-LISTEN:" + lport.String() + ",bind=[" + host + "],reuseaddr"
		}
		startPeer(t, "socat", listen, "PIPE")
		waitListening(t, lport)
		_, log, err := runClient(t, ClientOptions{Target: target(t, net.JoinHostPort(host, lport.String())), Send: text, Codec: codec, Wait: 500 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if _, back := log.stream("in"); !bytes.Equal(back, text) {
			t.Errorf("socat echoed %d bytes, want %d byte-exact", len(back), len(text))
		}
	})
}

// peerProc is a peer process killed when the test ends.
type peerProc struct {
	cmd *exec.Cmd
	out *bufio.Reader
}

func startPeer(t testing.TB, name string, args ...string) *peerProc {
	t.Helper()
	cmd := exec.Command(name, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return &peerProc{cmd: cmd, out: bufio.NewReader(stdout)}
}

// line reads one line of the peer's stdout, within 10s.
func (p *peerProc) line(t testing.TB) string {
	t.Helper()
	type result struct {
		s   string
		err error
	}
	ch := make(chan result, 1)
	go func() { s, err := p.out.ReadString('\n'); ch <- result{s, err} }()
	select {
	case r := <-ch:
		if r.err != nil {
			t.Fatalf("%s: reading its output: %v", p.cmd.Path, r.err)
		}
		return r.s
	case <-time.After(10 * time.Second):
		t.Fatalf("%s printed nothing within 10s", p.cmd.Path)
	}
	return ""
}

// waitListening waits until some process listens on the TCP port.
func waitListening(t testing.TB, port netaddr.Port) {
	t.Helper()
	testnet.WaitUntil(t, 10*time.Second, "a listener on port "+port.String(), func() (bool, error) {
		socks, err := sockets.Bound(port, "tcp")
		return len(socks) > 0, err
	})
}

func waitProcess(cmd *exec.Cmd, timeout time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(timeout):
		cmd.Process.Kill()
		<-done
		return fmt.Errorf("still running after %v", timeout)
	}
}

// randomText returns n random bytes (binary, all 256 values).
func randomText(t testing.TB, n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}
