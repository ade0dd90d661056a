package netaddr

import (
	"net/netip"
	"testing"
)

// TestRangeNth checks Nth against All, address by address, across byte
// and word carries, and past the end.
func TestRangeNth(t *testing.T) {
	for _, tc := range []struct{ first, last string }{
		{"10.0.0.250", "10.0.1.5"},
		{"255.255.255.250", "255.255.255.255"},
		{"fe80::fffe%eth0", "fe80::1:3%eth0"},
		{"::ffff:ffff:ffff:fffe", "::1:0:0:0:2"},
		{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffd", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
	} {
		r := Range{netip.MustParseAddr(tc.first), netip.MustParseAddr(tc.last)}
		var i uint64
		for want := range r.All() {
			if got, ok := r.Nth(i); !ok || got != want {
				t.Errorf("%s: Nth(%d) = %v, %v; want %v", r, i, got, ok, want)
			}
			i++
		}
		for _, past := range []uint64{i, i + 1, 1 << 32, 1<<64 - 1} {
			if got, ok := r.Nth(past); ok {
				t.Errorf("%s: Nth(%d) = %v past the end (%d addresses)", r, past, got, i)
			}
		}
	}
	if _, ok := (Range{}).Nth(0); ok {
		t.Error("the zero Range has an address")
	}
}
