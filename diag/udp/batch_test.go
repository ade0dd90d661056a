package udp

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"netdiag/diag/netaddr"
	"netdiag/internal/testnet"
)

// A --file goes out in batches (the last one short) and each datagram is
// its own: 1,000 datagrams of 100 bytes, each with its number, echoed in
// order and matched one by one, the counts exact at both ends. The 4 MiB
// buffers hold them all however late either reader runs.
func TestFileBatches(t *testing.T) {
	for _, host := range []string{"127.0.0.1", "::1"} {
		t.Run(host, func(t *testing.T) {
			const n, size = 1000, 100
			if n%sendBatch == 0 {
				t.Fatal("the last batch must be short")
			}
			var data bytes.Buffer
			for i := range n {
				fmt.Fprintf(&data, "%-*d", size, i)
			}
			srv := startServer(t, host, ServerOptions{Mode: ModeEcho})
			var got []DataEvent
			sum, err := RunClient(context.Background(), ClientOptions{Target: srv.target(t), File: bytes.NewReader(data.Bytes()), Size: size, Wait: time.Minute},
				func(ev Event) {
					if d, ok := ev.(*DataEvent); ok {
						got = append(got, *d)
					}
				})
			if err != nil {
				t.Fatal(err)
			}
			if sum.Sent != n || sum.BytesOut != n*size || sum.Echo == nil || sum.Echo.Echoed != n || sum.Echo.Lost != 0 || sum.Echo.Duplicates != 0 {
				t.Fatalf("summary %+v, echo %+v", sum, sum.Echo)
			}
			if ss := srv.stop(); ss.Received != n || ss.Sent != n {
				t.Fatalf("server received %d, sent %d of %d", ss.Received, ss.Sent, n)
			}
			for i, d := range got {
				if d.Echo != uint64(i+1) || d.Bytes != size {
					t.Fatalf("reply %d: echo of %d, %d bytes", i+1, d.Echo, d.Bytes)
				}
			}
		})
	}
}

// Datagrams queued when the server is told to stop are still taken and
// counted: the summary holds what the system received before Ctrl-C.
func TestServerTakesQueuedAtStop(t *testing.T) {
	h, err := netaddr.ParseHost("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Listen(context.Background(), ListenOptions{Host: h})
	if err != nil {
		t.Fatal(err)
	}
	srvAddr := c.LocalAddr().(*net.UDPAddr).AddrPort()
	const n = 50 // well within the default receive buffer (~200 KB; a small datagram takes ~1.3 KB of it)
	p := dialPeer(t, srvAddr)
	for i := range n {
		p.send(fmt.Sprintf("queued %d", i))
	}
	// Nothing has read them yet; the context is done before Serve starts,
	// and the read deadline Ctrl-C sets has passed already.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c.SetReadDeadline(longAgo)
	log := newEventLog()
	sum, err := Serve(ctx, c, ServerOptions{}, log.Emit)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Received != n || len(sum.Peers) != 1 || sum.Peers[0].In != n {
		t.Fatalf("summary: %d received, peers %+v; want %d from one peer", sum.Received, sum.Peers, n)
	}
	want := netip.MustParseAddrPort(p.local())
	i := 0
	for _, ev := range log.All() {
		d, ok := ev.(DataEvent)
		if !ok {
			continue
		}
		if d.Text.String() != fmt.Sprintf("queued %d", i) || d.Remote != want.String() || d.Seq != uint64(i+1) {
			t.Fatalf("datagram %d: %q from %s, #%d", i, d.Text.String(), d.Remote, d.Seq)
		}
		i++
	}
	if i != n {
		t.Fatalf("%d data events, want %d", i, n)
	}
}

// A --file of 10,000 small datagrams takes a few system calls, not one
// per datagram, as strace counts them: sendmmsg of messages the kernel
// cuts into datagrams (UDP_SEGMENT), and no sendto or sendmsg.
func TestFileSyscalls(t *testing.T) {
	testnet.RequireTools(t, "strace")
	const n, size = 10000, 64
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, bytes.Repeat([]byte("x"), n*size), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, "127.0.0.1", ServerOptions{Mode: ModeDiscard})
	trace := filepath.Join(t.TempDir(), "trace")
	res := testnet.Run(t, 60*time.Second, "", "strace", "-f", "-e", "trace=sendmmsg,sendmsg,sendto,setsockopt", "-o", trace,
		testnet.Binary(t), "udp", "client", "--json", "--wait", "0", "--file", path, "--size", fmt.Sprint(size), srv.addr.String())
	if res.Code != 0 {
		t.Fatalf("exit %d: %s", res.Code, res.Stderr)
	}
	if want := fmt.Sprintf(`"datagrams_out":%d,`, n); !strings.Contains(res.Stdout, want) {
		t.Fatalf("summary lacks %s:\n%s", want, res.Stdout)
	}
	tr, _ := os.ReadFile(trace)
	calls := func(name string) int {
		return len(regexp.MustCompile(`(?m)^\d+\s+`+name+`\(`).FindAll(tr, -1))
	}
	if mm, one := calls("sendmmsg"), calls("sendmsg")+calls("sendto"); mm == 0 || mm > n/500 || one > 0 {
		t.Errorf("%d sendmmsg calls (want 1 to %d), %d sendmsg or sendto (want 0):\n%.3000s", mm, n/500, one, tr)
	}
	// Whole or split by strace -f ("… 4 <unfinished …>" then "<…
	// resumed>) = 0"); the 4,096-byte messages sendmmsg took say it worked.
	if !bytes.Contains(tr, []byte("SOL_UDP, UDP_SEGMENT, [64], 4")) || !bytes.Contains(tr, []byte("iov_len=4096")) {
		t.Errorf("segmentation offload not set for 64-byte datagrams:\n%.3000s", tr)
	}
	if got := srv.stop().Received; got == 0 || got > n {
		t.Errorf("server received %d of %d", got, n)
	}
}

// Every datagram --send reports is reported before its echo: 300 sent
// back to back to an echo server, each echo after its "sent" event.
func TestSentBeforeEcho(t *testing.T) {
	srv := startServer(t, "127.0.0.1", ServerOptions{Mode: ModeEcho})
	reported := map[uint64]bool{}
	var early []uint64
	var mu sync.Mutex
	sum, err := RunClient(context.Background(), ClientOptions{Target: srv.target(t), Send: []byte("ping"), Repeat: 300, Wait: time.Minute},
		func(ev Event) {
			mu.Lock()
			defer mu.Unlock()
			d, ok := ev.(*DataEvent)
			switch {
			case !ok:
			case d.Dir == "out":
				reported[d.Seq] = true
			case d.Echo != 0 && !reported[d.Echo]:
				early = append(early, d.Echo)
			}
		})
	if err != nil || sum.Echo == nil || sum.Echo.Echoed != 300 {
		t.Fatalf("%v, %+v", err, sum.Echo)
	}
	if len(early) > 0 {
		t.Errorf("echoes reported before their datagram: %v", early)
	}
}
