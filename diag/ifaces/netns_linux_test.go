package ifaces

import (
	"context"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"netdiag/diag/netaddr"
	"netdiag/internal/testnet"
)

// testNet is the network the namespace tests build:
//
//	ns:   lo
//	      veth0 10.77.0.1/24 fd77::1/64 ── veth1 (in peer) 10.77.0.2/24 fd77::2/64
//	      dummy0 (up, mtu 9000): 198.51.100.1/24 brd, 198.51.100.2/24 (secondary),
//	             203.0.113.5/32 label dummy0:vip, 10.99.0.1 peer 10.99.0.2/32,
//	             2001:db8:1::1/64, 2001:db8:2::5/48, fd12:3456::1/64 (ULA),
//	             2001:db8:3::9/64 valid 3600s preferred 1800s
//	      dummy1 (down): 192.0.2.77/24 brd
//	      br0 (up, no carrier) 10.78.0.1/24, port veth2 (up) ── veth3 (down)
//	      default via 10.77.0.2 dev veth0; default via 10.78.0.2 dev br0 metric 100 (linkdown)
//	      default via fd77::2 dev veth0 metric 512
//
// The kernel of the CI machine has no dummy driver; the tests then use ifb,
// the same always-up, NOARP virtual device under another kind name.
type testNet struct {
	ns, peer  string
	dummyKind string
}

func buildTestNet(t *testing.T) testNet {
	t.Helper()
	testnet.RequireTools(t, "ip")
	tn := testNet{ns: testnet.Netns(t, "ifaces"), peer: testnet.Netns(t, "ifacesp")}
	ip := func(args ...string) { testnet.MustRun(t, "ip", append([]string{"-n", tn.ns}, args...)...) }
	// No duplicate address detection: IPv6 addresses are final at once.
	for _, ns := range []string{tn.ns, tn.peer} {
		testnet.MustRun(t, "ip", "netns", "exec", ns, "sysctl", "-qw",
			"net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0")
	}
	ip("link", "add", "veth0", "address", "02:00:00:00:0a:01", "type", "veth",
		"peer", "name", "veth1", "address", "02:00:00:00:0a:02", "netns", tn.peer)
	tn.dummyKind = "dummy"
	dummy0 := []string{"-n", tn.ns, "link", "add", "dummy0", "address", "02:00:00:00:0d:00", "mtu", "9000", "type"}
	if r := testnet.Run(t, 10*time.Second, "", "ip", append(dummy0, "dummy")...); r.Code != 0 {
		tn.dummyKind = "ifb"
		testnet.MustRun(t, "ip", append(dummy0, "ifb")...)
	}
	ip("link", "add", "dummy1", "address", "02:00:00:00:0d:01", "type", tn.dummyKind)
	ip("link", "add", "br0", "address", "02:00:00:00:0b:00", "type", "bridge")
	ip("link", "add", "veth2", "address", "02:00:00:00:0b:01", "type", "veth", "peer", "name", "veth3", "address", "02:00:00:00:0b:02")
	ip("link", "set", "veth2", "master", "br0")

	ip("addr", "add", "10.77.0.1/24", "brd", "+", "dev", "veth0")
	ip("addr", "add", "fd77::1/64", "dev", "veth0", "nodad")
	testnet.MustRun(t, "ip", "-n", tn.peer, "addr", "add", "10.77.0.2/24", "brd", "+", "dev", "veth1")
	testnet.MustRun(t, "ip", "-n", tn.peer, "addr", "add", "fd77::2/64", "dev", "veth1", "nodad")
	for _, a := range [][]string{
		{"198.51.100.1/24", "brd", "+"}, {"198.51.100.2/24"}, {"203.0.113.5/32", "label", "dummy0:vip"},
		{"10.99.0.1", "peer", "10.99.0.2/32"}, {"2001:db8:1::1/64", "nodad"}, {"2001:db8:2::5/48", "nodad"},
		{"fd12:3456::1/64", "nodad"}, {"2001:db8:3::9/64", "nodad", "valid_lft", "3600", "preferred_lft", "1800"},
	} {
		ip(append(append([]string{"addr", "add"}, a...), "dev", "dummy0")...)
	}
	ip("addr", "add", "192.0.2.77/24", "brd", "+", "dev", "dummy1")
	ip("addr", "add", "10.78.0.1/24", "dev", "br0")
	for _, l := range []string{"veth0", "dummy0", "br0", "veth2"} {
		ip("link", "set", l, "up")
	}
	testnet.MustRun(t, "ip", "-n", tn.peer, "link", "set", "veth1", "up")
	ip("route", "add", "default", "via", "10.77.0.2", "dev", "veth0")
	ip("route", "add", "default", "via", "10.78.0.2", "dev", "br0", "metric", "100")
	ip("-6", "route", "add", "default", "via", "fd77::2", "dev", "veth0", "metric", "512")
	return tn
}

// index returns the interface index iproute2 reports for name in ns.
func (tn testNet) indexes(t *testing.T) map[string]int {
	var links []ipLink
	mustJSON(t, []byte(testnet.MustRun(t, "ip", "-n", tn.ns, "-j", "link")), &links)
	m := map[string]int{}
	for _, l := range links {
		m[l.Name] = l.Index
	}
	return m
}

func addr(s string, scope string, flags ...string) Address {
	p := netip.MustParsePrefix(s)
	a := Address{Address: p.Addr(), PrefixLen: p.Bits(), Family: familyOf(p.Addr()), Scope: scope,
		ULA: isULA(p.Addr()), Flags: append([]string{}, flags...)}
	return a
}

// expected is what netdiag must report for testNet, counters and lifetimes
// aside (they are checked separately).
func (tn testNet) expected(t *testing.T) *Result {
	idx := tn.indexes(t)
	brd := func(a Address, b string) Address { a.Broadcast = netip.MustParseAddr(b); return a }
	src := func(a Address) Address { a.DefaultSource = true; return a }
	veth0 := []Address{
		src(brd(addr("10.77.0.1/24", "global"), "10.77.0.255")),
		src(addr("fd77::1/64", "global", "nodad")),
		addr("fe80::ff:fe00:a01/64", "link"),
	}
	vip := addr("203.0.113.5/32", "global")
	vip.Label = "dummy0:vip"
	ptp := addr("10.99.0.1/32", "global")
	ptp.Peer = netip.MustParseAddr("10.99.0.2")
	dummy0 := []Address{
		// IPv4: the kernel lists primary addresses before secondary ones.
		brd(addr("198.51.100.1/24", "global"), "198.51.100.255"),
		vip, ptp,
		addr("198.51.100.2/24", "global", "secondary"),
		// IPv6: the kernel lists the newest address of a scope first.
		addr("2001:db8:3::9/64", "global", "nodad", "dynamic"),
		addr("fd12:3456::1/64", "global", "nodad"),
		addr("2001:db8:2::5/48", "global", "nodad"),
		addr("2001:db8:1::1/64", "global", "nodad"),
		addr("fe80::ff:fe00:d00/64", "link"),
	}
	ifc := func(name, kind, linkType, mac string, mtu int, oper string, flags []string, addrs ...Address) Interface {
		return Interface{Index: idx[name], Name: name, AltNames: []string{}, Kind: kind, LinkType: linkType,
			Flags: flags, AdminUp: slices.Contains(flags, "UP"), Carrier: slices.Contains(flags, "RUNNING"),
			OperState: oper, MTU: mtu, HardwareAddr: mac, Addresses: append([]Address{}, addrs...)}
	}
	veth2 := ifc("veth2", "veth", "ether", "02:00:00:00:0b:01", 1500, "lowerlayerdown", []string{"UP", "BROADCAST", "MULTICAST"})
	veth2.Master = "br0"
	res := &Result{
		Interfaces: []Interface{
			ifc("lo", "", "loopback", "00:00:00:00:00:00", 65536, "unknown", []string{"UP", "LOOPBACK", "RUNNING", "LOWER_UP"},
				addr("127.0.0.1/8", "host"), addr("::1/128", "host")),
			ifc("veth0", "veth", "ether", "02:00:00:00:0a:01", 1500, "up", []string{"UP", "BROADCAST", "RUNNING", "MULTICAST", "LOWER_UP"}, veth0...),
			ifc("dummy0", tn.dummyKind, "ether", "02:00:00:00:0d:00", 9000, "unknown", []string{"UP", "BROADCAST", "RUNNING", "NOARP", "LOWER_UP"}, dummy0...),
			ifc("dummy1", tn.dummyKind, "ether", "02:00:00:00:0d:01", 1500, "down", []string{"BROADCAST", "NOARP"},
				brd(addr("192.0.2.77/24", "global"), "192.0.2.255")),
			ifc("br0", "bridge", "ether", "02:00:00:00:0b:00", 1500, "down", []string{"UP", "BROADCAST", "MULTICAST"},
				addr("10.78.0.1/24", "global")),
			ifc("veth3", "veth", "ether", "02:00:00:00:0b:02", 1500, "down", []string{"BROADCAST", "MULTICAST"}),
			veth2,
		},
		DefaultRoutes: []Route{
			{Family: "ipv4", Gateway: netip.MustParseAddr("10.77.0.2"), Interface: "veth0", Index: idx["veth0"], Protocol: "boot"},
			{Family: "ipv4", Gateway: netip.MustParseAddr("10.78.0.2"), Interface: "br0", Index: idx["br0"], Metric: 100, Protocol: "boot", LinkDown: true},
			{Family: "ipv6", Gateway: netip.MustParseAddr("fd77::2"), Interface: "veth0", Index: idx["veth0"], Metric: 512, Protocol: "boot"},
		},
	}
	slices.SortFunc(res.Interfaces, func(a, b Interface) int { return a.Index - b.Index })
	return res
}

// withoutVolatile returns a copy of res without counters and lifetimes,
// with the dynamic address's lifetimes checked against what was set.
func withoutVolatile(t *testing.T, res *Result) *Result {
	t.Helper()
	out := *res
	out.Interfaces = slices.Clone(res.Interfaces)
	for i := range out.Interfaces {
		ifc := &out.Interfaces[i]
		ifc.Counters = nil
		ifc.Addresses = slices.Clone(ifc.Addresses)
		for k := range ifc.Addresses {
			a := &ifc.Addresses[k]
			if a.Address == netip.MustParseAddr("2001:db8:3::9") {
				if a.ValidLifetime == nil || *a.ValidLifetime > 3600 || *a.ValidLifetime < 3500 ||
					a.PreferredLifetime == nil || *a.PreferredLifetime > 1800 || *a.PreferredLifetime < 1700 {
					t.Errorf("2001:db8:3::9 lifetimes valid %v preferred %v, want about 3600 and 1800", a.ValidLifetime, a.PreferredLifetime)
				}
			} else if a.ValidLifetime != nil || a.PreferredLifetime != nil {
				t.Errorf("%s lifetimes valid %v preferred %v, want forever (null)", a.Address, a.ValidLifetime, a.PreferredLifetime)
			}
			a.ValidLifetime, a.PreferredLifetime = nil, nil
		}
	}
	return &out
}

// TestNetnsExact builds testNet and requires "netdiag ifaces --json", run in
// the namespace, to report every field exactly; counters must be present
// and zero for the interfaces that never carried traffic.
func TestNetnsExact(t *testing.T) {
	tn := buildTestNet(t)
	bin := testnet.Binary(t)
	got := runJSON(t, tn.ns, []string{bin})
	want := tn.expected(t)
	for _, ifc := range got.Interfaces {
		if ifc.Counters == nil {
			t.Errorf("%s: no counters", ifc.Name)
		} else if (ifc.Name == "dummy1" || ifc.Name == "veth3") && *ifc.Counters != (Counters{}) {
			t.Errorf("%s never was up, yet counters are %+v", ifc.Name, *ifc.Counters)
		}
	}
	diffResults(t, withoutVolatile(t, got), want)
}

// diffResults reports every interface and route that differs.
func diffResults(t *testing.T, got, want *Result) {
	t.Helper()
	if len(got.Interfaces) != len(want.Interfaces) {
		t.Errorf("got %d interfaces, want %d", len(got.Interfaces), len(want.Interfaces))
	}
	for i := range min(len(got.Interfaces), len(want.Interfaces)) {
		g, w := got.Interfaces[i], want.Interfaces[i]
		if !reflect.DeepEqual(g, w) {
			t.Errorf("interface %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
	if !reflect.DeepEqual(got.DefaultRoutes, want.DefaultRoutes) {
		t.Errorf("default routes:\n got %+v\nwant %+v", got.DefaultRoutes, want.DefaultRoutes)
	}
}

// TestNetnsOracle compares netdiag with iproute2 inside the namespace, and
// checks that traffic sent there shows in the counters.
func TestNetnsOracle(t *testing.T) {
	tn := buildTestNet(t)
	bin := testnet.Binary(t)
	testnet.RequireTools(t, "python3")
	res, before, after := gatherBetweenSnapshots(t, tn.ns, func() *Result { return runJSON(t, tn.ns, []string{bin}) })
	for _, d := range compareWithIP(res, before, after) {
		t.Error(d)
	}

	// 50 UDP datagrams of 100 bytes to the veth peer: each leaves veth0 as a
	// 142-byte Ethernet frame.
	const n, frame = 50, 142
	testnet.MustRun(t, "ip", "netns", "exec", tn.ns, "python3", "-c",
		"import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\nfor _ in range(50): s.sendto(b'x'*100,('10.77.0.2',9))")
	res2 := runJSON(t, tn.ns, []string{bin})
	c1, c2 := counters(t, res, "veth0"), counters(t, res2, "veth0")
	if d := c2.TX.Packets - c1.TX.Packets; d < n {
		t.Errorf("veth0 tx packets grew by %d after sending %d datagrams", d, n)
	}
	if d := c2.TX.Bytes - c1.TX.Bytes; d < n*frame {
		t.Errorf("veth0 tx bytes grew by %d after sending %d frames of %d bytes", d, n, frame)
	}
}

func counters(t *testing.T, res *Result, name string) Counters {
	t.Helper()
	for _, ifc := range res.Interfaces {
		if ifc.Name == name && ifc.Counters != nil {
			return *ifc.Counters
		}
	}
	t.Fatalf("no counters for %s", name)
	return Counters{}
}

// TestNetnsUnprivileged runs netdiag as nobody inside the namespace and
// requires the same answer as root, in every view: nothing needs privilege.
func TestNetnsUnprivileged(t *testing.T) {
	tn := buildTestNet(t)
	testnet.RequireTools(t, "setpriv")
	bin := testnet.PublicBinary(t)
	root := []string{bin}
	nobody := testnet.AsNobody(bin)
	id := testnet.AsNobody("id", "-u")
	if r := testnet.Run(t, 10*time.Second, "", id[0], id[1:]...); strings.TrimSpace(r.Stdout) != "65534" {
		t.Fatalf("setpriv did not drop to uid 65534: %q %q", r.Stdout, r.Stderr)
	}
	diffResults(t, withoutVolatile(t, runJSON(t, tn.ns, nobody)), withoutVolatile(t, runJSON(t, tn.ns, root)))
	for _, args := range [][]string{{"--brief"}, {}} {
		want, got := runIfaces(t, tn.ns, root, args...), runIfaces(t, tn.ns, nobody, args...)
		if got.Code != 0 || got.Stderr != "" {
			t.Errorf("as nobody, ifaces %v: exit %d, stderr %q", args, got.Code, got.Stderr)
		}
		if g, w := dropCounterLines(got.Stdout), dropCounterLines(want.Stdout); g != w {
			t.Errorf("ifaces %v as nobody:\n%s\nas root:\n%s", args, g, w)
		}
	}
}

// dropCounterLines removes the RX/TX lines, whose numbers move.
func dropCounterLines(s string) string {
	lines := strings.Split(s, "\n")
	return strings.Join(slices.DeleteFunc(lines, func(l string) bool {
		f := strings.Fields(l)
		return len(f) > 0 && (f[0] == "RX" || f[0] == "TX")
	}), "\n")
}

// TestDefaultRoutesAPI checks the API the check command uses, in the
// namespace: DefaultRoutes lists both IPv4 routes (the link-down one last)
// and the IPv6 one, and Primary names veth0's addresses.
func TestDefaultRoutesAPI(t *testing.T) {
	tn := buildTestNet(t)
	want := tn.expected(t)
	var routes []Route
	var res *Result
	var err1, err2 error
	inNetns(t, tn.ns, func() {
		routes, err1 = DefaultRoutes(context.Background())
		res, err2 = Gather(context.Background(), Options{UpOnly: true})
	})
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if !reflect.DeepEqual(routes, want.DefaultRoutes) {
		t.Errorf("DefaultRoutes:\n got %+v\nwant %+v", routes, want.DefaultRoutes)
	}
	for fam, addr := range map[netaddr.Family]string{netaddr.IPv4: "10.77.0.1", netaddr.IPv6: "fd77::1"} {
		rt, a, ok := res.Primary(fam)
		if !ok || rt.Interface != "veth0" || a.Address != netip.MustParseAddr(addr) {
			t.Errorf("Primary(%v) = %+v, %+v, %v; want %s on veth0", fam, rt, a, ok, addr)
		}
	}
	var usable []string
	for _, ifc := range res.Interfaces {
		if ifc.IsUp() && !ifc.IsLoopback() {
			usable = append(usable, ifc.Name)
		}
	}
	if !slices.Equal(usable, []string{"veth0", "dummy0"}) {
		t.Errorf("up, non-loopback interfaces %v, want veth0 and dummy0", usable)
	}
}
