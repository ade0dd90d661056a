package netaddr_test

import (
	"encoding/json"
	"net/netip"
	"testing"

	"netdiag/diag/netaddr"
)

func TestSpecialRegistryIsWellFormed(t *testing.T) {
	t.Parallel()
	blocks := netaddr.SpecialBlocks()
	if len(blocks) != 26+25 {
		t.Errorf("%d registry rows, want 26 IPv4 (192.0.0.170/32 and .171/32 as two) + 25 IPv6", len(blocks))
	}
	seen := map[netip.Prefix]bool{}
	sawV6 := false
	for _, b := range blocks {
		switch {
		case b.Prefix != b.Prefix.Masked():
			t.Errorf("%v: not a network prefix", b.Prefix)
		case seen[b.Prefix]:
			t.Errorf("%v: listed twice", b.Prefix)
		case b.Prefix.Addr().Is4() && sawV6:
			t.Errorf("%v: IPv4 row after the IPv6 rows", b.Prefix)
		case b.Name == "" || b.RFC == "" || b.Allocated == "" || netip.MustParsePrefix(b.Block) != b.Prefix:
			t.Errorf("%v: incomplete row %+v", b.Prefix, b)
		}
		seen[b.Prefix] = true
		sawV6 = sawV6 || b.Prefix.Addr().Is6()
		cells := []netaddr.Tri{b.Source, b.Destination, b.Forwardable, b.GloballyReachable, b.ReservedByProtocol}
		for _, c := range cells {
			if (c == netaddr.Blank) != (b.Terminated != "") {
				t.Errorf("%v: cells %v, terminated %q: only terminated rows have blank cells", b.Prefix, cells, b.Terminated)
				break
			}
		}
	}
}

func TestLookupSpecial(t *testing.T) {
	t.Parallel()
	tests := []struct{ addr, prefix, name string }{
		{"0.0.0.0", "0.0.0.0/32", `"This host on this network"`},
		{"0.1.2.3", "0.0.0.0/8", `"This network"`},
		{"10.1.2.3", "10.0.0.0/8", "Private-Use"},
		{"100.64.0.1", "100.64.0.0/10", "Shared Address Space"},
		{"192.0.0.9", "192.0.0.9/32", "Port Control Protocol Anycast"},
		{"192.0.0.100", "192.0.0.0/24", "IETF Protocol Assignments"},
		{"192.0.0.171", "192.0.0.171/32", "NAT64/DNS64 Discovery"},
		{"192.88.99.1", "192.88.99.0/24", "Deprecated (6to4 Relay Anycast)"},
		{"255.255.255.255", "255.255.255.255/32", "Limited Broadcast"},
		{"::ffff:192.0.2.1", "::ffff:0:0/96", "IPv4-mapped Address"},
		{"2001:0:4136:e378:8000:63bf:3fff:fdd2", "2001::/32", "TEREDO"},
		{"2001:1::3", "2001:1::3/128", "DNS-SD Service Registration Protocol Anycast"},
		{"2001:5::1", "2001::/23", "IETF Protocol Assignments"},
		{"2001:db8::1", "2001:db8::/32", "Documentation"},
		{"fe80::1%eth0", "fe80::/10", "Link-Local Unicast"},
	}
	for _, tt := range tests {
		b, ok := netaddr.LookupSpecial(netip.MustParseAddr(tt.addr))
		if !ok || b.Block != tt.prefix || b.Prefix != netip.MustParsePrefix(tt.prefix) || b.Name != tt.name {
			t.Errorf("LookupSpecial(%s) = %v %q, %v; want %s %q", tt.addr, b.Prefix, b.Name, ok, tt.prefix, tt.name)
		}
	}
	for _, a := range []string{"8.8.8.8", "2606:4700::1111", "224.0.0.1", "ff02::1"} {
		if b, ok := netaddr.LookupSpecial(netip.MustParseAddr(a)); ok {
			t.Errorf("LookupSpecial(%s) = %v, want none", a, b.Prefix)
		}
	}
}

func TestAddrProperties(t *testing.T) {
	t.Parallel()
	// Letters: U unspecified, L loopback, P private, K link-local, M multicast,
	// D documentation, S shared, B benchmarking, R reserved, G global,
	// I global unicast.
	tests := []struct{ addr, want string }{
		{"0.0.0.0", "U"},
		{"0.0.0.1", ""},
		{"127.0.0.1", "L"},
		{"10.0.0.1", "P"},
		{"172.31.255.255", "P"},
		{"172.32.0.0", "GI"},
		{"192.168.1.1", "P"},
		{"169.254.1.1", "K"},
		{"100.64.0.1", "S"},
		{"198.19.0.1", "B"},
		{"192.0.2.1", "D"},
		{"198.51.100.1", "D"},
		{"203.0.113.1", "D"},
		{"192.0.0.8", ""},
		{"192.0.0.9", "GI"},
		{"192.88.99.1", "GI"}, // terminated entry, no block around it
		{"192.88.99.2", ""},
		{"224.0.0.1", "M"},
		{"224.0.1.1", "MG"},
		{"239.1.1.1", "M"},
		{"240.0.0.1", "R"},
		{"255.255.255.255", "R"},
		{"8.8.8.8", "GI"},
		{"::", "UR"},
		{"::1", "LR"},
		{"::2", "RGI"},
		{"::ffff:8.8.8.8", "R"},
		{"64:ff9b::808:808", "RGI"},
		{"64:ff9b:1::1", "R"},
		{"100::1", "R"},
		{"2001:db8::1", "D"},
		{"3fff::1", "D"},
		{"2001:2::1", "B"},
		{"2001::1", "GI"},    // Teredo: N/A counts as global
		{"2001:10::1", ""},   // terminated ORCHID defers to 2001::/23
		{"2001:20::1", "GI"}, // ORCHIDv2
		{"2002:c000:204::", "GI"},
		{"5f00::1", "R"},
		{"fc00::1", "P"},
		{"fd12:3456::1", "P"},
		{"fe80::1%eth0", "K"},
		{"fec0::1", "RGI"},
		{"ff02::1", "M"},
		{"ff0e::1", "MG"},
		{"ff05::1%eth0", "M"},
		{"2606:4700::1111", "GI"},
		{"4000::1", "RGI"},
	}
	for _, tt := range tests {
		p := netaddr.AddrProperties(netip.MustParseAddr(tt.addr))
		flags := []struct {
			on bool
			c  byte
		}{{p.Unspecified, 'U'}, {p.Loopback, 'L'}, {p.Private, 'P'}, {p.LinkLocal, 'K'}, {p.Multicast, 'M'},
			{p.Documentation, 'D'}, {p.Shared, 'S'}, {p.Benchmarking, 'B'}, {p.Reserved, 'R'}, {p.Global, 'G'}, {p.GlobalUnicast, 'I'}}
		got := ""
		for _, f := range flags {
			if f.on {
				got += string(f.c)
			}
		}
		if got != tt.want {
			t.Errorf("AddrProperties(%s) = %q, want %q", tt.addr, got, tt.want)
		}
	}
}

func TestTriJSON(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal([]netaddr.Tri{netaddr.True, netaddr.False, netaddr.NA, netaddr.Blank})
	if err != nil || string(b) != "[true,false,null,null]" {
		t.Errorf("JSON = %s, %v", b, err)
	}
	var back []netaddr.Tri
	if err := json.Unmarshal(b, &back); err != nil || len(back) != 4 || back[0] != netaddr.True || back[1] != netaddr.False || back[2] != netaddr.NA {
		t.Errorf("reading %s back: %v, %v", b, back, err)
	}
	if err := json.Unmarshal([]byte(`["yes"]`), &back); err == nil {
		t.Error(`"yes" read as a cell`)
	}
	if netaddr.NA.String() != "N/A" || netaddr.Blank.String() != "" {
		t.Errorf("String: %q %q", netaddr.NA, netaddr.Blank)
	}
}

func TestLookupSpace(t *testing.T) {
	t.Parallel()
	tests := []struct{ addr, name string }{
		{"224.0.0.251", "Multicast: Local Network Control Block (link-local)"},
		{"239.1.2.3", "Multicast: Administratively Scoped"},
		{"225.1.1.1", "Multicast"},
		{"2001:db8::1", "Global Unicast"},
		{"fec0::1", "Reserved by IETF (deprecated site-local)"},
		{"ff02::1", "Multicast"},
	}
	for _, tt := range tests {
		if b, ok := netaddr.LookupSpace(netip.MustParseAddr(tt.addr)); !ok || b.Name != tt.name {
			t.Errorf("LookupSpace(%s) = %q, %v; want %q", tt.addr, b.Name, ok, tt.name)
		}
	}
	if b, ok := netaddr.LookupSpace(netip.MustParseAddr("8.8.8.8")); ok {
		t.Errorf("LookupSpace(8.8.8.8) = %q, want none", b.Name)
	}
}
