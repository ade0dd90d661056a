package icmpsock

import (
	"bytes"
	"errors"
	"net/netip"
	"runtime"
	"strings"
	"testing"
	"time"

	"netdiag/internal/testnet"
)

// rejectNetns returns a namespace whose loopback answers pings, where
// ICMP sockets are allowed for every group or not (allowDgram), and where
// echo requests to 10.9.0.9 and fd09::9 are refused by nftables with
// "host unreachable" and "address unreachable".
func rejectNetns(t *testing.T, allowDgram bool) string {
	t.Helper()
	testnet.RequireTools(t, "nft", "sysctl")
	ns := testnet.Netns(t, "icmp")
	in := func(argv ...string) { testnet.MustRun(t, "ip", append([]string{"netns", "exec", ns}, argv...)...) }
	rng := "1 0"
	if allowDgram {
		rng = "0 2147483647"
	}
	in("sysctl", "-qw", "net.ipv4.ping_group_range="+rng)
	in("ip", "link", "add", "v0", "type", "veth", "peer", "name", "v1")
	in("ip", "link", "set", "v0", "up")
	in("ip", "link", "set", "v1", "up")
	in("ip", "addr", "add", "10.9.0.1/24", "dev", "v0")
	in("ip", "addr", "add", "fd09::1/64", "dev", "v0", "nodad")
	in("nft", `add table inet t
add chain inet t out { type filter hook output priority 0; }
add rule inet t out ip daddr 10.9.0.9 icmp type echo-request reject with icmp type host-unreachable
add rule inet t out ip6 daddr fd09::9 icmpv6 type echo-request reject with icmpv6 type addr-unreachable`)
	return ns
}

func openIn(t *testing.T, ns string, cfg Config) (*Conn, error) {
	t.Helper()
	var c *Conn
	err := testnet.DoInNetns(t, ns, func() (err error) {
		c, err = Open(cfg)
		return err
	})
	if c != nil {
		t.Cleanup(func() { c.Close() })
	}
	return c, err
}

// TestConnModes sends echo requests in both socket modes and both
// families to the namespace's loopback and to a destination nftables
// rejects, and checks every field of what comes back.
func TestConnModes(t *testing.T) {
	ns := rejectNetns(t, true)
	data := []byte("netdiag icmpsock test data 0123456789")
	buf := make([]byte, 1<<16)
	for _, mode := range []Mode{Unprivileged, Privileged} {
		for _, v6 := range []bool{false, true} {
			lo, rejected, errText := "127.0.0.1", "10.9.0.9", "Destination Host Unreachable"
			if v6 {
				lo, rejected, errText = "::1", "fd09::9", "Destination unreachable: Address unreachable"
			}
			c, err := openIn(t, ns, Config{Mode: mode, IPv6: v6, RecvBuffer: 1 << 20})
			if err != nil {
				t.Fatalf("%v IPv6=%v: %v", mode, v6, err)
			}
			if c.Mode() != mode {
				t.Errorf("%v IPv6=%v: Mode() = %v", mode, v6, c.Mode())
			}
			for seq := uint16(1); seq <= 3; seq++ {
				sent, err := c.Send(netip.MustParseAddr(lo), seq, data)
				if err != nil {
					t.Fatalf("%v send to %s: %v", mode, lo, err)
				}
				c.SetReadDeadline(time.Now().Add(time.Minute)) // only a hang guard
				p, err := c.Recv(buf)
				received := time.Now()
				if err != nil {
					t.Fatalf("%v recv from %s: %v", mode, lo, err)
				}
				if p.Kind != EchoReply || p.From != netip.MustParseAddr(lo) || p.ID != c.ID() || p.Seq != seq ||
					p.TTL != 64 || p.Len != 8+len(data) || !bytes.Equal(p.Data, data) {
					t.Errorf("%v reply from %s: %+v", mode, lo, p)
				}
				// The kernel stamps the reply between the send and the read.
				if rtt := p.When.Sub(sent); rtt <= 0 || p.When.After(received) {
					t.Errorf("%v reply from %s: round trip %v from the kernel timestamp, which is %v after the read", mode, lo, rtt, p.When.Sub(received))
				}
			}
			// The rejecting rule makes sendto fail too (EPERM); the ICMP
			// error still arrives.
			c.Send(netip.MustParseAddr(rejected), 77, data)
			c.SetReadDeadline(time.Now().Add(time.Minute))
			p, err := c.Recv(buf)
			if err != nil {
				t.Fatalf("%v waiting for the error about %s: %v", mode, rejected, err)
			}
			if p.Kind != ICMPError || p.Seq != 77 || p.Dst != netip.MustParseAddr(rejected) || !p.From.IsValid() || p.Describe() != errText {
				t.Errorf("%v error about %s: %+v (%q)", mode, rejected, p, p.Describe())
			}
			// Nothing more: the read times out (a late stray packet could
			// only be missed, never fail the test).
			c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
			if p, err := c.Recv(buf); !IsTimeout(err) {
				t.Errorf("%v: after the error, Recv = %+v, %v; want a timeout", mode, p, err)
			}
		}
	}
}

// TestAutoMode checks the choice Open makes: the unprivileged socket where
// ping_group_range allows it (even for root), the raw one where not.
func TestAutoMode(t *testing.T) {
	for _, allow := range []bool{true, false} {
		ns := rejectNetns(t, allow)
		for _, v6 := range []bool{false, true} {
			c, err := openIn(t, ns, Config{IPv6: v6})
			if err != nil {
				t.Fatal(err)
			}
			want := Privileged
			if allow {
				want = Unprivileged
			}
			if c.Mode() != want {
				t.Errorf("ping_group_range allows=%v IPv6=%v: Auto chose %v, want %v", allow, v6, c.Mode(), want)
			}
		}
		if !allow {
			_, err := openIn(t, ns, Config{Mode: Unprivileged})
			var perr *PermissionError
			if !errors.As(err, &perr) || perr.Range != "1 0" || perr.RawErr != nil || perr.DgramErr == nil {
				t.Fatalf("forced unprivileged with the sysctl off: %v (%#v)", err, perr)
			}
			for _, want := range []string{`net.ipv4.ping_group_range is "1 0"`, `sudo sysctl -w net.ipv4.ping_group_range="0 2147483647"`, "drop --unprivileged"} {
				if !bytes.Contains([]byte(err.Error()), []byte(want)) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
		}
	}
}

// TestRecvClosed checks that Close ends a blocked Recv with ErrClosed. It
// closes once the receiving goroutine is parked in the poller, as its
// stack shows, not after a pause.
func TestRecvClosed(t *testing.T) {
	testnet.RequireRoot(t)
	c, err := Open(Config{Mode: Privileged})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := c.Recv(make([]byte, 1500))
		done <- err
	}()
	waitParked(t, "icmpsock.(*Conn).recv")
	c.Close()
	select {
	case err := <-done:
		if err != ErrClosed {
			t.Errorf("Recv after Close: %v, want ErrClosed", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("Recv still blocked a minute after Close")
	}
}

// waitParked returns once a goroutine whose stack holds fn waits in the
// network poller.
func waitParked(t *testing.T, fn string) {
	t.Helper()
	buf := make([]byte, 1<<20)
	for range 1 << 20 {
		for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
			if strings.Contains(g, fn) && strings.Contains(g, "internal/poll.runtime_pollWait") {
				return
			}
		}
		runtime.Gosched()
	}
	t.Fatalf("no goroutine in %s ever waited in the poller", fn)
}
