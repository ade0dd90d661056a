package udp

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"netdiag/internal/testnet"
)

// --dont-fragment on a path whose far link has an MTU of 1,280: client ─
// router ─(1280)─ server, in namespaces. The first datagram too large for
// the far link is dropped by the router, which says so (ICMP fragmentation
// needed / packet too big): the client ends with exit 2 and the size that
// fits. From then on the kernel knows the path MTU and the client is told
// at once, before anything is sent. The largest size that fits arrives
// whole. Without --dont-fragment the first datagram too large is lost and
// said to be, and the next arrives in fragments.
func TestDontFragment(t *testing.T) {
	bin := testnet.Binary(t)
	c := testnet.NewChain(t, "10.93", "fd93", testnet.Netns(t, "dfc"), testnet.Netns(t, "dfr"), testnet.Netns(t, "dfs"))
	client, router, server := c.Nodes[0], c.Nodes[1], c.Nodes[2]
	c.IP(router, "link", "set", "l1-a", "mtu", "1280")
	c.IP(server, "link", "set", "l1-b", "mtu", "1280")
	srv := start(t, testnet.InNetns(server, bin, "udp", "server", "-p", "5400", "--json")...)
	srv.expect([]byte(`"type":"listen"`))
	dir := t.TempDir()
	file := func(size int) string {
		name := filepath.Join(dir, fmt.Sprint(size))
		if err := os.WriteFile(name, []byte(strings.Repeat("x", size)), 0o644); err != nil {
			t.Fatal(err)
		}
		return name
	}
	// send sends one datagram of size bytes and waits wait for the
	// router's answer (a safety net: the answer ends the wait).
	send := func(target string, size int, wait string, extra ...string) testnet.Result {
		argv := testnet.InNetns(client, append([]string{bin, "udp", "client", "--file", file(size), "--size", fmt.Sprint(size), "--wait", wait}, extra...)...)
		argv = append(argv, target)
		return testnet.Run(t, 60*time.Second, "", argv[0], argv[1:]...)
	}
	for _, tc := range []struct {
		name, target string
		fit          int
	}{{"IPv4", c.Addr4(1, 2) + ":5400", 1252}, {"IPv6", "[" + c.Addr6(1, 2) + "]:5400", 1232}} {
		t.Run(tc.name, func(t *testing.T) {
			// A small datagram gets through.
			if res := send(tc.target, 10, "0", "--dont-fragment"); res.Code != 0 {
				t.Fatalf("10 bytes: exit %d, %s", res.Code, res.Stderr)
			}
			srv.expect([]byte(`"bytes":10,`))
			want := fmt.Sprintf("at most %d bytes fit (path MTU 1280", tc.fit)
			for _, stage := range []string{"dropped by the router", "known before sending"} {
				res := send(tc.target, 1400, "20s", "--dont-fragment")
				if res.Code != 2 || !strings.Contains(res.Stderr, want) {
					t.Fatalf("%s: exit %d, stderr %q; want exit 2 saying %q", stage, res.Code, res.Stderr, want)
				}
				if dropped := strings.Contains(res.Stderr, "a router dropped"); dropped != (stage == "dropped by the router") {
					t.Errorf("%s: stderr %q", stage, res.Stderr)
				}
				t.Logf("%s: %s", stage, res.Stderr)
			}
			if res := send(tc.target, tc.fit, "0", "--dont-fragment"); res.Code != 0 {
				t.Fatalf("%d bytes: exit %d, %s", tc.fit, res.Code, res.Stderr)
			}
			srv.expect([]byte(fmt.Sprintf(`"bytes":%d,`, tc.fit)))
		})
	}
	// Without --dont-fragment the kernel still sets the bit while it
	// discovers the path MTU: the first datagram too large for the far
	// link is dropped, and said to be, and the run goes on; the next goes
	// out in fragments and arrives whole. To a fresh address, which the
	// kernel has learnt nothing about.
	c.IP(server, "addr", "add", "10.93.1.3/24", "dev", "l1-b")
	cli := start(t, testnet.InNetns(client, bin, "udp", "client", "--json", "--wait", "60s", "10.93.1.3:5400")...)
	cli.expect([]byte(`"type":"start"`))
	line := []byte(strings.Repeat("y", 1399) + "\n")
	cli.write(line)
	cli.expect([]byte(`"op":"recv","error":"a router dropped a datagram larger than the path MTU (ICMP fragmentation needed): path MTU 1280; datagrams over 1252 bytes go out fragmented from now on"`))
	cli.write(line)
	srv.expect([]byte(`"bytes":1400,`))
}
