package udp

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/netip"
	"testing"
	"time"

	"netdiag/diag/netaddr"
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
	const n = 150 // well within the default receive buffer
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
