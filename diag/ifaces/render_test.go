package ifaces

import (
	"bytes"
	"net/netip"
	"runtime"
	"strings"
	"testing"

	"netdiag/diag/netaddr"
	"netdiag/diag/render"
)

// sampleResult is a Result as Gather would return it for a small host.
func sampleResult() *Result {
	u := func(v uint32) *uint32 { return &v }
	res := &Result{
		Interfaces: []Interface{
			{Index: 1, Name: "lo", AltNames: []string{}, LinkType: "loopback", Flags: []string{"UP", "LOOPBACK", "RUNNING", "LOWER_UP"},
				AdminUp: true, Carrier: true, OperState: "unknown", MTU: 65536, HardwareAddr: "00:00:00:00:00:00",
				Addresses: []Address{
					{Address: netip.MustParseAddr("127.0.0.1"), PrefixLen: 8, Family: "ipv4", Scope: "host", Flags: []string{}},
					{Address: netip.MustParseAddr("::1"), PrefixLen: 128, Family: "ipv6", Scope: "host", Flags: []string{}},
				},
				Counters: &Counters{RX: RXCounters{Packets: 43, Bytes: 4369}, TX: TXCounters{Packets: 43, Bytes: 4369}}},
			{Index: 4, Name: "eth0", AltNames: []string{"enp0s3"}, Kind: "veth", LinkType: "ether",
				Flags: []string{"UP", "BROADCAST", "RUNNING", "MULTICAST", "LOWER_UP"}, AdminUp: true, Carrier: true,
				OperState: "up", MTU: 1500, HardwareAddr: "02:fc:00:00:00:01", Master: "br0",
				Addresses: []Address{
					{Address: netip.MustParseAddr("192.0.2.2"), PrefixLen: 24, Family: "ipv4", Scope: "global",
						Broadcast: netip.MustParseAddr("192.0.2.255"), Flags: []string{}},
					{Address: netip.MustParseAddr("10.0.0.1"), PrefixLen: 32, Family: "ipv4", Scope: "global",
						Peer: netip.MustParseAddr("10.0.0.2"), Label: "eth0:p", Flags: []string{}},
					{Address: netip.MustParseAddr("fd00::2"), PrefixLen: 64, Family: "ipv6", Scope: "global", ULA: true,
						Flags: []string{"nodad", "dynamic"}, ValidLifetime: u(3600), PreferredLifetime: u(1800)},
					{Address: netip.MustParseAddr("fe80::1"), PrefixLen: 64, Family: "ipv6", Scope: "link", Flags: []string{}},
				},
				Counters: &Counters{
					RX: RXCounters{Packets: 1939, Bytes: 35057143, Errors: 1, Dropped: 2, FIFOErrors: 3, FrameErrors: 4},
					TX: TXCounters{Packets: 1602, Bytes: 173526, Errors: 5, Dropped: 6, FIFOErrors: 7, CarrierErrors: 8, Collisions: 9},
				}},
			{Index: 5, Name: "wg0", AltNames: []string{}, Kind: "wireguard", LinkType: "none", Flags: []string{"UP", "POINTOPOINT", "NOARP"},
				AdminUp: true, OperState: "unknown", MTU: 1420, Addresses: []Address{}},
		},
		DefaultRoutes: []Route{
			{Family: "ipv4", Gateway: netip.MustParseAddr("192.0.2.1"), Interface: "eth0", Index: 4, Protocol: "dhcp", Metric: 100},
			{Family: "ipv4", Interface: "wg0", Index: 5, Protocol: "static", Metric: 200, Source: netip.MustParseAddr("192.0.2.2"), LinkDown: true},
			{Family: "ipv6", Gateway: netip.MustParseAddr("fe80::1"), Interface: "eth0", Index: 4, Protocol: "ra", Metric: 1024},
		},
	}
	res.markDefaultSources()
	return res
}

func TestPrintFull(t *testing.T) {
	var buf bytes.Buffer
	if err := Print(render.New(&buf, false), sampleResult(), Full); err != nil {
		t.Fatal(err)
	}
	want := `1: lo  state UNKNOWN  mtu 65536  <UP,LOOPBACK,RUNNING,LOWER_UP>
    loopback  00:00:00:00:00:00
    inet      127.0.0.1/8          scope host
    inet6     ::1/128              scope host
    RX  packets 43  bytes 4369 (4.3 KiB)  errors 0  dropped 0  overruns 0  frame 0
    TX  packets 43  bytes 4369 (4.3 KiB)  errors 0  dropped 0  overruns 0  carrier 0  collisions 0

4: eth0 (veth)  state UP  mtu 1500  <UP,BROADCAST,RUNNING,MULTICAST,LOWER_UP>
    ether  02:fc:00:00:00:01                                        master br0  altname enp0s3
    inet   192.0.2.2/24       brd 192.0.2.255   scope global
    inet   10.0.0.1           peer 10.0.0.2/32  scope global        label eth0:p
    inet6  fd00::2/64                           scope global (ULA)  nodad dynamic valid 3600s preferred 1800s
    inet6  fe80::1/64                           scope link
    RX  packets 1939  bytes 35057143 (33.4 MiB)  errors 1  dropped 2  overruns 3  frame 4
    TX  packets 1602  bytes 173526 (169.5 KiB)   errors 5  dropped 6  overruns 7  carrier 8  collisions 9

5: wg0 (wireguard)  state UNKNOWN (no carrier)  mtu 1420  <UP,POINTOPOINT,NOARP>
    none  -
    RX/TX  counters not available on ` + runtime.GOOS + `

Default routes:
    IPv4  via 192.0.2.1  dev eth0  metric 100   proto dhcp
    IPv4  via -          dev wg0   metric 200   proto static  src 192.0.2.2  linkdown
    IPv6  via fe80::1    dev eth0  metric 1024  proto ra
`
	if got := buf.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestPrintBrief(t *testing.T) {
	var buf bytes.Buffer
	if err := Print(render.New(&buf, false), sampleResult(), Brief); err != nil {
		t.Fatal(err)
	}
	want := `lo    UNKNOWN  127.0.0.1/8 ::1/128
eth0  UP       192.0.2.2/24 10.0.0.1 peer 10.0.0.2/32 fd00::2/64 fe80::1/64
wg0   UNKNOWN
`
	if got := buf.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestPrintRoutesUnavailableAndNone(t *testing.T) {
	for _, c := range []struct {
		res  *Result
		want string
	}{
		{&Result{}, "Default routes: not available on " + runtime.GOOS + "\n"},
		{&Result{DefaultRoutes: []Route{}}, "Default routes: none\n"},
		{&Result{DefaultRoutes: []Route{}, filtered: true}, "Default routes: none via the interfaces and family shown\n"},
	} {
		var buf bytes.Buffer
		if err := Print(render.New(&buf, false), c.res, Full); err != nil {
			t.Fatal(err)
		}
		if buf.String() != c.want {
			t.Errorf("got %q, want %q", buf.String(), c.want)
		}
	}
}

// TestPrimary checks which address is the default source: the route's
// preferred source when set, else the first usable global address of the
// route's family on its interface (not secondary, temporary, deprecated).
func TestPrimary(t *testing.T) {
	res := sampleResult()
	rt, a, ok := res.Primary(netaddr.IPv4)
	if !ok || rt.Interface != "eth0" || a.Address != netip.MustParseAddr("192.0.2.2") {
		t.Errorf("IPv4 primary = %+v %+v %v, want 192.0.2.2 on eth0", rt, a, ok)
	}
	rt, a, ok = res.Primary(netaddr.IPv6)
	if !ok || rt.Interface != "eth0" || a.Address != netip.MustParseAddr("fd00::2") {
		t.Errorf("IPv6 primary = %+v %+v %v, want fd00::2 on eth0", rt, a, ok)
	}
	marked := 0
	for _, ifc := range res.Interfaces {
		for _, a := range ifc.Addresses {
			if a.DefaultSource {
				marked++
			}
		}
	}
	if marked != 2 {
		t.Errorf("%d addresses marked default_source, want 2", marked)
	}

	eth0 := &res.Interfaces[1]
	eth0.Addresses[0].Flags = []string{"deprecated"}
	eth0.Addresses[2].Flags = []string{"temporary"}
	if _, a, ok := res.Primary(netaddr.IPv4); !ok || a.Address != netip.MustParseAddr("10.0.0.1") {
		t.Errorf("with 192.0.2.2 deprecated the IPv4 primary is %v %v, want 10.0.0.1", a.Address, ok)
	}
	if _, a, ok := res.Primary(netaddr.IPv6); ok {
		t.Errorf("with the only global IPv6 address temporary, the primary is %v, want none", a.Address)
	}
	eth0.Addresses[2].Flags = nil
	eth0.Addresses = append(eth0.Addresses, Address{Address: netip.MustParseAddr("2001:db8::2"), PrefixLen: 64, Family: "ipv6", Scope: "global"})
	if _, a, ok := res.Primary(netaddr.IPv6); !ok || a.Address != netip.MustParseAddr("2001:db8::2") {
		t.Errorf("a global address must win over the ULA listed before it, got %v", a.Address)
	}
	res.DefaultRoutes[0].Source = netip.MustParseAddr("192.0.2.2")
	if _, a, ok := res.Primary(netaddr.IPv4); !ok || a.Address != netip.MustParseAddr("192.0.2.2") {
		t.Errorf("the route's src 192.0.2.2 must win, got %v", a.Address)
	}
	if _, _, ok := (&Result{}).Primary(netaddr.IPv4); ok {
		t.Error("no routes, yet a primary address")
	}
}

func TestUnknownNamesError(t *testing.T) {
	e := &UnknownNamesError{Names: []string{"eth9"}, Known: []string{"lo", "eth0"}}
	if got, want := e.Error(), `no interface named "eth9"; interfaces here: lo, eth0`; got != want {
		t.Errorf("%q, want %q", got, want)
	}
	res := sampleResult()
	err := res.filter(Options{Names: []string{"eth0", "nope", "nope", "enp0s3"}})
	if err == nil || !strings.Contains(err.Error(), `no interface named "nope"; interfaces here: lo, eth0, wg0`) {
		t.Errorf("filter error %v", err)
	}
	if len(res.Interfaces) != 1 || res.Interfaces[0].Name != "eth0" {
		t.Errorf("eth0 and its altname enp0s3 should select eth0 once, got %+v", res.Interfaces)
	}
}
