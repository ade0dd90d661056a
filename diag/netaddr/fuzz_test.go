package netaddr_test

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"netdiag/diag/netaddr"
)

// Seeds shared by the fuzzers; testdata/fuzz holds more, including what
// earlier fuzzing runs found.
var fuzzSeeds = []string{
	"", "0.0.0.0", "127.0.0.1", "255.255.255.255", "127.0.0.010", "0x7f.1", "127.1", "192.168.001.010",
	"2130706433", "1.2.3.4.", "1..2.3", "::", "::1", "fe80::1%eth0", "::ffff:192.0.2.1", "1:2:3:4:5:6:7::",
	"::1:2:3:4:5:6:7:8", "1::2::3", "12345::", "::ffff:01.2.3.4", "fe80::1%", "fe80::1%eth0:22",
	"10.0.0.0/8", "10.0.0.1/8", "2001:db8::/32", "10.0.0.0/08", "10.0.0.0/255.0.0.0", "fe80::%eth0/64",
	"[::1]:80", "[fe80::1%eth0]:22", ":9090", "::1:80", "localhost:ssh", "example.com", "a-b.c",
	"80", "1-1024", "22,80,443,8000-8100", "ssh,http", "-", "0-", "80-20", "65536", "-1", "abc", "22,,80",
	"10.0.0.1-10.0.0.50", "10.0.0.1-50", "2001:db8::1-2001:db8::9", " 1.2.3.4", "1.2.3.4\n",
}

func addSeeds(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
}

// FuzzParseAddr: no panics; ParseAddr, ValidAddrOrPrefix and the reference parser
// agree; a parsed address prints back to text that parses to the same
// address; a rejection is a *ParseError with a specific reason.
func FuzzParseAddr(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		checkAgainstReference(t, s)
		a, err := netaddr.ParseAddr(s)
		if err != nil {
			checkRejection(t, s, err)
			return
		}
		for _, text := range []string{a.String(), netaddr.Expanded(a) + zoneSuffix(a)} {
			b, err := netaddr.ParseAddr(text)
			if err != nil || b != a {
				t.Fatalf("ParseAddr(%q) = %v; its form %q parses to %v, %v", s, a, text, b, err)
			}
		}
	})
}

func zoneSuffix(a netip.Addr) string {
	if a.Zone() == "" {
		return ""
	}
	return "%" + a.Zone()
}

// checkRejection checks the shape of a parse error for input s.
func checkRejection(t *testing.T, s string, err error) {
	t.Helper()
	var pe *netaddr.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("%q: error %T %v, want *ParseError", s, err, err)
	}
	if pe.Input != s || pe.Reason == "" || pe.Kind == "" {
		t.Fatalf("%q: incomplete error %+v", s, *pe)
	}
	if strings.HasPrefix(pe.Reason, "not a valid ") {
		t.Fatalf("%q: no specific reason: %v", s, err)
	}
}

// FuzzParsePrefix: ParsePrefix accepts exactly what net/netip's strict
// ParsePrefix accepts, agrees with ValidAddrOrPrefix, round-trips, and
// masks consistently.
func FuzzParsePrefix(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := netaddr.ParsePrefix(s)
		q, nerr := netip.ParsePrefix(s)
		if (err == nil) != (nerr == nil) || err == nil && p != q {
			t.Fatalf("ParsePrefix(%q) = %v, %v; netip says %v, %v", s, p, err, q, nerr)
		}
		if strings.Contains(s, "/") && netaddr.ValidAddrOrPrefix([]byte(s)) != (err == nil) {
			t.Fatalf("ValidAddrOrPrefix(%q) disagrees with ParsePrefix error %v", s, err)
		}
		if err != nil {
			checkRejection(t, s, err)
			return
		}
		if r, err := netaddr.ParsePrefix(p.String()); err != nil || r != p {
			t.Fatalf("ParsePrefix(%q) = %v; reparsing gives %v, %v", s, p, r, err)
		}
		if netaddr.HostBitsSet(p) != (netaddr.HostBitsWarning(p) != "") || netaddr.HostBitsSet(p.Masked()) {
			t.Fatalf("%v: host-bits helpers disagree", p)
		}
		u := netaddr.UsableRange(p)
		if !p.Contains(u.First) || !p.Contains(u.Last) || u.Last.Less(u.First) {
			t.Fatalf("%v: usable range %v outside the prefix", p, u)
		}
	})
}

// FuzzValidAddrOrPrefix: the allocation-free validator says yes exactly when
// the parsers do.
func FuzzValidAddrOrPrefix(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s := string(b)
		var err error
		if strings.Contains(s, "/") {
			_, err = netaddr.ParsePrefix(s)
		} else {
			_, err = netaddr.ParseAddr(s)
		}
		if got := netaddr.ValidAddrOrPrefix(b); got != (err == nil) {
			t.Fatalf("ValidAddrOrPrefix(%q) = %v, parser error %v", s, got, err)
		}
	})
}

// FuzzParseHostPort: no panics; a parsed host:port prints back to one that
// parses to the same value.
func FuzzParseHostPort(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		hp, err := netaddr.ParseHostPort(s)
		if err != nil {
			checkRejection(t, s, err)
			return
		}
		back, err := netaddr.ParseHostPort(hp.String())
		if err != nil || back != hp {
			t.Fatalf("ParseHostPort(%q) = %+v; %q parses to %+v, %v", s, hp, hp.String(), back, err)
		}
	})
}

// FuzzParseHost: no panics; round trip; names are valid host names and
// never look like numeric addresses.
func FuzzParseHost(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		h, err := netaddr.ParseHost(s)
		if err != nil {
			checkRejection(t, s, err)
			return
		}
		if h.NeedsDNS() == h.Addr.IsValid() || h.IsZero() {
			t.Fatalf("ParseHost(%q) = %+v: exactly one of Addr and Name must be set", s, h)
		}
		if h.NeedsDNS() && netaddr.ValidHostname(h.Name) != nil {
			t.Fatalf("ParseHost(%q) accepted an invalid name", s)
		}
		back, err := netaddr.ParseHost(h.String())
		if err != nil || back != h {
			t.Fatalf("ParseHost(%q) = %+v; %q parses to %+v, %v", s, h, h.String(), back, err)
		}
	})
}

// FuzzParsePort: no panics; a parsed port prints as its number, which parses
// back to it.
func FuzzParsePort(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := netaddr.ParsePort(s)
		if err != nil {
			checkRejection(t, s, err)
			return
		}
		if back, err := netaddr.ParsePort(p.String()); err != nil || back != p {
			t.Fatalf("ParsePort(%q) = %d; %q parses to %d, %v", s, p, p.String(), back, err)
		}
	})
}

// FuzzParsePortList: no panics; the canonical form parses back to the same
// list; Len, Contains and Ranges agree.
func FuzzParsePortList(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		l, err := netaddr.ParsePortList(s)
		if err != nil {
			checkRejection(t, s, err)
			return
		}
		back, err := netaddr.ParsePortList(l.String())
		if err != nil || back.String() != l.String() {
			t.Fatalf("ParsePortList(%q) = %s; reparsing gives %s, %v", s, l, back, err)
		}
		n := 0
		prev := -2
		for _, r := range l.Ranges() {
			if int(r.First) <= prev+1 || r.Last < r.First {
				t.Fatalf("ParsePortList(%q): ranges %v not sorted, merged and ordered", s, l.Ranges())
			}
			if !l.Contains(r.First) || !l.Contains(r.Last) || (r.First > 0 && l.Contains(r.First-1)) {
				t.Fatalf("ParsePortList(%q): Contains disagrees with range %v", s, r)
			}
			n += r.Len()
			prev = int(r.Last)
		}
		if n != l.Len() || n == 0 {
			t.Fatalf("ParsePortList(%q): Len %d, ranges hold %d", s, l.Len(), n)
		}
	})
}

// FuzzParseTarget: no panics; ranges are ordered and inside their prefix.
func FuzzParseTarget(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		tg, err := netaddr.ParseTarget(s)
		if err != nil {
			checkRejection(t, s, err)
			return
		}
		if !tg.IsSweep() {
			if tg.Host.IsZero() {
				t.Fatalf("ParseTarget(%q): neither host nor sweep", s)
			}
			return
		}
		r := tg.Range
		if r.Last.Less(r.First) || r.First.Is4() != r.Last.Is4() || r.Len() == 0 {
			t.Fatalf("ParseTarget(%q): bad range %v", s, r)
		}
		if tg.Prefix.IsValid() && (!tg.Prefix.Contains(r.First) || !tg.Prefix.Contains(r.Last)) {
			t.Fatalf("ParseTarget(%q): range %v outside prefix %v", s, r, tg.Prefix)
		}
	})
}
