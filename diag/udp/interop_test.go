package udp

import (
	"bytes"
	"context"
	"io"
	"net"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"netdiag/diag/netaddr"
	"netdiag/diag/sockets"
	"netdiag/diag/wire"
	"netdiag/internal/testnet"
)

const (
	greeting = "你好服务端,我是客户端小黑!"
	answer   = "ok, 问题正在处理中..."
)

// eachInterop runs f for IPv4 and IPv6, GBK and UTF-8, failing at once if
// the peer tool is missing.
func eachInterop(t *testing.T, tool string, f func(t *testing.T, host string, codec wire.Codec)) {
	testnet.RequireTools(t, tool)
	for _, host := range []string{"127.0.0.1", "::1"} {
		for _, enc := range []string{"gbk", "utf-8"} {
			t.Run(host+"/"+enc, func(t *testing.T) {
				codec, err := wire.LookupCodec(enc)
				if err != nil {
					t.Fatal(err)
				}
				f(t, host, codec)
			})
		}
	}
}

// process is a peer tool running with its stdin and stdout piped.
type process struct {
	t     *testing.T
	stdin io.WriteCloser
	out   chan []byte // what it printed, read by read by read
	got   []byte
}

// start runs argv; the test's cleanup kills it and waits for it.
func start(t *testing.T, argv ...string) *process {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{t: t, stdin: stdin, out: make(chan []byte, 64)}
	go func() {
		defer close(p.out)
		for {
			buf := make([]byte, 4096)
			n, err := stdout.Read(buf)
			if n > 0 {
				p.out <- buf[:n]
			}
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return p
}

// expect reads the process's output until want has appeared.
func (p *process) expect(want []byte) {
	p.t.Helper()
	deadline := time.After(20 * time.Second) // a safety net, not a timing assertion
	for !bytes.Contains(p.got, want) {
		select {
		case b, ok := <-p.out:
			if !ok {
				p.t.Fatalf("the peer exited; it printed %q, not %q", p.got, want)
			}
			p.got = append(p.got, b...)
		case <-deadline:
			p.t.Fatalf("the peer printed %q, not %q", p.got, want)
		}
	}
}

func (p *process) write(b []byte) {
	p.t.Helper()
	if _, err := p.stdin.Write(b); err != nil {
		p.t.Fatal(err)
	}
}

// freePort returns a UDP port nothing is bound to on host, and a function
// that waits until something is (the peer tool started listening).
func freePort(t *testing.T, host string) (netaddr.Port, func()) {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.ParseIP(host)})
	if err != nil {
		t.Fatal(err)
	}
	port := netaddr.Port(c.LocalAddr().(*net.UDPAddr).Port)
	c.Close()
	return port, func() {
		testnet.WaitUntil(t, 10*time.Second, "a UDP socket on port "+port.String(), func() (bool, error) {
			socks, err := sockets.Bound(port, "udp")
			return len(socks) > 0, err
		})
	}
}

func encode(t *testing.T, c wire.Codec, s string) []byte {
	t.Helper()
	b, err := c.Encode(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// hostport joins host and port as socat and netdiag write it.
func hostport(host string, port netaddr.Port) string {
	return net.JoinHostPort(host, strconv.Itoa(int(port)))
}

// socat and nc -u as clients of netdiag's server: the greeting arrives
// decoded, and the reply reaches them byte for byte.
func TestInteropClientsOfServer(t *testing.T) {
	for _, tool := range []string{"socat", "nc"} {
		t.Run(tool, func(t *testing.T) {
			eachInterop(t, tool, func(t *testing.T, host string, codec wire.Codec) {
				srv := startServer(t, host, ServerOptions{Mode: ModeReply, Reply: encode(t, codec, answer), Codec: codec})
				argv := []string{"nc", "-u", host, strconv.Itoa(int(srv.addr.Port()))}
				if tool == "socat" {
					argv = []string{"socat", "-", "UDP:" + hostport(host, netaddr.Port(srv.addr.Port()))}
				}
				p := start(t, argv...)
				p.write(encode(t, codec, greeting))
				srv.log.WaitFor(t, "the greeting", dataIn(greeting))
				p.expect(encode(t, codec, answer))
			})
		})
	}
}

// netdiag's client against socat's echo server (a child per datagram) and nc -u -l: socat echoes
// every datagram (3 of 3, decoded); nc prints the greeting and what is
// typed into it reaches the client.
func TestInteropClientOfServers(t *testing.T) {
	t.Run("socat", func(t *testing.T) {
		eachInterop(t, "socat", func(t *testing.T, host string, codec wire.Codec) {
			port, listening := freePort(t, host)
			// One child per datagram (fork): a pipe would join datagrams
			// that arrive together into one echo.
			listen := "UDP4-RECVFROM:" + port.String() + ",bind=" + host + ",fork"
			if host == "::1" {
				listen = "UDP6-RECVFROM:" + port.String() + ",bind=[::1],fork"
			}
			start(t, "socat", listen, "PIPE")
			listening()
			hp, _ := netaddr.ParseHostPort(hostport(host, port))
			log := newEventLog()
			sum, err := RunClient(context.Background(), ClientOptions{Target: hp, Codec: codec, Send: encode(t, codec, greeting), Repeat: 3, Wait: time.Minute}, log.Emit)
			if err != nil || sum.Echo == nil || sum.Echo.Echoed != 3 {
				t.Fatalf("%v, summary %+v", err, sum)
			}
			if n := log.Count(dataIn(greeting)); n != 3 {
				t.Errorf("%d echoes decoded as the greeting, want 3", n)
			}
		})
	})
	t.Run("nc", func(t *testing.T) {
		eachInterop(t, "nc", func(t *testing.T, host string, codec wire.Codec) {
			port, listening := freePort(t, host)
			nc := start(t, "nc", "-u", "-l", host, port.String())
			listening()
			hp, _ := netaddr.ParseHostPort(hostport(host, port))
			log := newEventLog()
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() {
				_, err := RunClient(ctx, ClientOptions{Target: hp, Codec: codec, Send: encode(t, codec, greeting), Wait: time.Hour}, log.Emit)
				done <- err
			}()
			nc.expect(encode(t, codec, greeting))
			nc.write(encode(t, codec, answer+"\n"))
			log.WaitFor(t, "the answer", dataIn(answer+"\n"))
			cancel()
			if err := <-done; err != nil {
				t.Error(err)
			}
		})
	})
}
