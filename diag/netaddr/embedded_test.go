package netaddr_test

import (
	"net/netip"
	"testing"

	"netdiag/diag/netaddr"
)

func TestEmbeddedIPv4(t *testing.T) {
	t.Parallel()
	tests := []struct{ addr, want string }{
		// RFC 4380 section 4's example.
		{"2001:0000:4136:e378:8000:63bf:3fff:fdd2", "teredo client 192.0.2.45 port 40000 via server 65.54.227.120 (flags 0x8000)"},
		{"::ffff:192.0.2.1", "ipv4-mapped 192.0.2.1"},
		{"::ffff:0.0.0.0", "ipv4-mapped 0.0.0.0"},
		{"2002:c000:0204::1", "6to4 192.0.2.4"},
		{"64:ff9b::192.0.2.33", "nat64 192.0.2.33"},
		{"::ffff:10.1.2.3%eth0", "ipv4-mapped 10.1.2.3"},
	}
	for _, tt := range tests {
		e, ok := netaddr.EmbeddedIPv4(netip.MustParseAddr(tt.addr))
		if !ok || e.String() != tt.want {
			t.Errorf("EmbeddedIPv4(%s) = %q, %v; want %q", tt.addr, e, ok, tt.want)
		}
	}
	for _, a := range []string{"192.0.2.1", "::1", "2001:db8::1", "::192.0.2.1", "64:ff9b:1::1"} {
		if e, ok := netaddr.EmbeddedIPv4(netip.MustParseAddr(a)); ok {
			t.Errorf("EmbeddedIPv4(%s) = %v, want none", a, e)
		}
	}
}

func TestReverseNameAndExpanded(t *testing.T) {
	t.Parallel()
	tests := []struct{ addr, reverse, expanded string }{
		{"127.0.0.1", "1.0.0.127.in-addr.arpa", "127.0.0.1"},
		{"192.0.2.10", "10.2.0.192.in-addr.arpa", "192.0.2.10"},
		{"2001:db8::1", "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", "2001:0db8:0000:0000:0000:0000:0000:0001"},
		{"fe80::1%eth0", "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.e.f.ip6.arpa", "fe80:0000:0000:0000:0000:0000:0000:0001"},
		{"::ffff:1.2.3.4", "4.0.3.0.2.0.1.0.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa", "0000:0000:0000:0000:0000:ffff:0102:0304"},
	}
	for _, tt := range tests {
		a := netip.MustParseAddr(tt.addr)
		if r, e := netaddr.ReverseName(a), netaddr.Expanded(a); r != tt.reverse || e != tt.expanded {
			t.Errorf("%s: reverse %s, expanded %s; want %s, %s", tt.addr, r, e, tt.reverse, tt.expanded)
		}
	}
}
