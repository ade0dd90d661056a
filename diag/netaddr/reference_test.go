package netaddr_test

import (
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"netdiag/diag/netaddr"
	"netdiag/internal/addrgen"
)

// refAddr is the reference parser's result.
type refAddr struct {
	b    [16]byte
	is4  bool
	zone string
}

// refParseAddr is a slow, obviously-correct reading of the address syntax
// netaddr documents, written from the RFCs without net/netip: strict dotted
// decimal IPv4; IPv6 as eight groups of 1-4 hex digits, one "::" for one or
// more zero groups, an optional dotted-decimal IPv4 in the last 32 bits and
// an optional zone of printable ASCII other than % / : [ ].
func refParseAddr(s string) (refAddr, bool) {
	if !strings.Contains(s, ":") {
		v4, ok := refIPv4(s)
		var r refAddr
		copy(r.b[12:], v4[:])
		r.is4 = true
		return r, ok
	}
	body, zone, hasZone := strings.Cut(s, "%")
	if hasZone {
		if zone == "" {
			return refAddr{}, false
		}
		for _, c := range []byte(zone) {
			if c <= ' ' || c >= 0x7f || strings.IndexByte("%/:[]", c) >= 0 {
				return refAddr{}, false
			}
		}
	}
	var groups []uint16
	parseGroups := func(s string) ([]uint16, bool) {
		if s == "" {
			return nil, true
		}
		var out []uint16
		fields := strings.Split(s, ":")
		for i, f := range fields {
			if i == len(fields)-1 && strings.Contains(f, ".") {
				v4, ok := refIPv4(f)
				if !ok {
					return nil, false
				}
				out = append(out, uint16(v4[0])<<8|uint16(v4[1]), uint16(v4[2])<<8|uint16(v4[3]))
				continue
			}
			if len(f) < 1 || len(f) > 4 {
				return nil, false
			}
			v, err := strconv.ParseUint(f, 16, 16)
			if err != nil || strings.ContainsAny(f, "+-_xX") {
				return nil, false
			}
			out = append(out, uint16(v))
		}
		return out, true
	}
	switch halves := strings.Split(body, "::"); len(halves) {
	case 1:
		g, ok := parseGroups(body)
		if !ok || len(g) != 8 {
			return refAddr{}, false
		}
		groups = g
	case 2:
		left, ok1 := parseGroups(halves[0])
		right, ok2 := parseGroups(halves[1])
		if !ok1 || !ok2 || len(left)+len(right) > 7 || strings.Contains(halves[0], ".") {
			return refAddr{}, false
		}
		groups = append(append(left, make([]uint16, 8-len(left)-len(right))...), right...)
	default:
		return refAddr{}, false
	}
	var r refAddr
	for i, g := range groups {
		r.b[2*i], r.b[2*i+1] = byte(g>>8), byte(g)
	}
	r.zone = zone
	return r, true
}

// refIPv4 reads strict dotted decimal.
func refIPv4(s string) ([4]byte, bool) {
	var b [4]byte
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return b, false
	}
	for i, p := range parts {
		if p == "" || len(p) > 3 || (len(p) > 1 && p[0] == '0') || strings.Trim(p, "0123456789") != "" {
			return b, false
		}
		v, _ := strconv.Atoi(p)
		if v > 255 {
			return b, false
		}
		b[i] = byte(v)
	}
	return b, true
}

// checkAgainstReference compares ParseAddr, ValidAddrOrPrefix (for inputs
// without "/") and the reference on s.
func checkAgainstReference(t *testing.T, s string) {
	t.Helper()
	a, err := netaddr.ParseAddr(s)
	ref, refOK := refParseAddr(s)
	if (err == nil) != refOK {
		t.Fatalf("ParseAddr(%q) error %v, reference says valid=%v", s, err, refOK)
	}
	if !strings.Contains(s, "/") && netaddr.ValidAddrOrPrefix([]byte(s)) != refOK {
		t.Fatalf("ValidAddrOrPrefix(%q) = %v, reference says %v", s, !refOK, refOK)
	}
	if err != nil {
		return
	}
	want := netip.AddrFrom16(ref.b).WithZone(ref.zone)
	if ref.is4 {
		want = netip.AddrFrom4([4]byte(ref.b[12:]))
	}
	if a != want {
		t.Fatalf("ParseAddr(%q) = %v, reference says %v", s, a, want)
	}
}

func TestParseAddrMatchesReference(t *testing.T) {
	t.Parallel()
	g := addrgen.New(1)
	const n = 200000
	valid := 0
	for range n {
		s := g.Next()
		if !strings.Contains(s, "/") {
			checkAgainstReference(t, s)
			if _, err := netaddr.ParseAddr(s); err == nil {
				valid++
			}
		}
	}
	// The generator is meant to produce both in quantity; if it stops
	// doing so this test has stopped testing.
	if valid < n/5 || valid > n*4/5 {
		t.Errorf("%d of %d generated strings valid; the generator is off balance", valid, n)
	}
}

// TestEveryRejectionHasAReason checks that no rejected string falls through
// to the generic "not a valid ... address" reason.
func TestEveryRejectionHasAReason(t *testing.T) {
	t.Parallel()
	g := addrgen.New(2)
	for range 200000 {
		s := g.Next()
		for _, err := range []error{errOf(netaddr.ParseAddr(s)), errOf(netaddr.ParsePrefix(s))} {
			if err != nil && strings.Contains(err.Error(), ": not a valid ") {
				t.Fatalf("no specific reason: %v", err)
			}
		}
	}
}

func errOf[T any](_ T, err error) error { return err }

// BenchmarkValidAddrOrPrefix measures the fast validator on generated
// lines (the mix bench/ip.sh uses).
func BenchmarkValidAddrOrPrefix(b *testing.B) {
	g := addrgen.New(1)
	g.SingleLine = true
	lines := make([][]byte, 100000)
	size := 0
	for i := range lines {
		lines[i] = []byte(g.Next())
		size += len(lines[i]) + 1
	}
	b.SetBytes(int64(size))
	for b.Loop() {
		for _, l := range lines {
			netaddr.ValidAddrOrPrefix(l)
		}
	}
}
