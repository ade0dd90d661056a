package netaddr

import (
	"encoding/binary"
	"fmt"
	"iter"
	"math/big"
	"math/bits"
	"net/netip"
	"strings"
)

// Range is an inclusive range of addresses of one family, First <= Last.
type Range struct {
	First, Last netip.Addr
}

// Len returns the number of addresses in r, saturating at the maximum uint64.
func (r Range) Len() uint64 {
	a, b := new(big.Int).SetBytes(r.First.AsSlice()), new(big.Int).SetBytes(r.Last.AsSlice())
	n := new(big.Int).Sub(b, a)
	n.Add(n, big.NewInt(1))
	if !n.IsUint64() {
		return ^uint64(0)
	}
	return n.Uint64()
}

// All yields every address in r in ascending order.
func (r Range) All() iter.Seq[netip.Addr] {
	return func(yield func(netip.Addr) bool) {
		if !r.First.IsValid() || r.Last.Less(r.First) {
			return
		}
		for a := r.First; ; a = a.Next() {
			if !yield(a) || a == r.Last {
				return
			}
		}
	}
}

// Nth returns the address i places after First (Nth(0) is First), the
// address All yields i-th, without walking to it; false when it is past Last.
func (r Range) Nth(i uint64) (netip.Addr, bool) {
	if !r.First.IsValid() || r.Last.Less(r.First) {
		return netip.Addr{}, false
	}
	var a netip.Addr
	if r.First.Is4() {
		b := r.First.As4()
		v := uint64(binary.BigEndian.Uint32(b[:])) + i
		if i > 1<<32 || v > 1<<32-1 {
			return netip.Addr{}, false
		}
		binary.BigEndian.PutUint32(b[:], uint32(v))
		a = netip.AddrFrom4(b)
	} else {
		b := r.First.As16()
		lo, carry := bits.Add64(binary.BigEndian.Uint64(b[8:]), i, 0)
		hi, over := bits.Add64(binary.BigEndian.Uint64(b[:8]), 0, carry)
		if over != 0 {
			return netip.Addr{}, false
		}
		binary.BigEndian.PutUint64(b[:8], hi)
		binary.BigEndian.PutUint64(b[8:], lo)
		a = netip.AddrFrom16(b).WithZone(r.First.Zone())
	}
	if r.Last.Less(a) {
		return netip.Addr{}, false
	}
	return a, true
}

// String returns "FIRST-LAST".
func (r Range) String() string { return r.First.String() + "-" + r.Last.String() }

// HostRange returns the addresses of p that a sweep should probe, as fping -g
// does: for IPv4 prefixes shorter than /31 the network and broadcast
// addresses are left out; /31, /32 and all IPv6 prefixes are taken whole.
func HostRange(p netip.Prefix) Range {
	p = p.Masked()
	first := p.Addr()
	last := LastAddr(p)
	if p.Addr().Is4() && p.Bits() < 31 {
		first, last = first.Next(), last.Prev()
	}
	return Range{First: first, Last: last}
}

// LastAddr returns the highest address in p (the IPv4 broadcast address).
func LastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// Target is one item of a ping or scan target list: a single address, a
// name to resolve, a CIDR prefix or an address range.
type Target struct {
	Input  string       // the text as given
	Host   Host         // a single address or a name; zero for prefixes and ranges
	Prefix netip.Prefix // set for "10.0.0.0/24"
	Range  Range        // set for prefixes (their HostRange) and for "A-B" ranges
}

// IsSweep reports whether t stands for several addresses (a prefix or range).
func (t Target) IsSweep() bool { return t.Range.First.IsValid() }

// Count returns how many addresses t stands for (1 for a host).
func (t Target) Count() uint64 {
	if t.IsSweep() {
		return t.Range.Len()
	}
	return 1
}

// ParseTarget parses a target: an address, a host name, a prefix
// ("10.0.0.0/24", probing its hosts as HostRange says), or a range
// ("10.0.0.1-10.0.0.50", or "10.0.0.1-50" with the last IPv4 octet only).
func ParseTarget(s string) (Target, error) {
	if strings.Contains(s, "/") {
		p, err := ParsePrefix(s)
		if err != nil {
			return Target{}, err
		}
		return Target{Input: s, Prefix: p.Masked(), Range: HostRange(p)}, nil
	}
	if lo, hi, ok := strings.Cut(s, "-"); ok && (strings.Contains(lo, ":") || looksLikeIPv4(lo)) {
		r, err := ParseRange(s, lo, hi)
		if err != nil {
			return Target{}, err
		}
		return Target{Input: s, Range: r}, nil
	}
	h, err := ParseHost(s)
	if err != nil {
		return Target{}, err
	}
	return Target{Input: s, Host: h}, nil
}

// ParseRange parses the two halves of an address range "LO-HI"; s is the
// whole input, for errors. HI may be a full address of the same family or,
// for IPv4, just the last octet.
func ParseRange(s, lo, hi string) (Range, error) {
	fail := func(format string, args ...any) (Range, error) {
		return Range{}, &ParseError{Kind: "address range", Input: s, Reason: fmt.Sprintf(format, args...)}
	}
	first, err := ParseAddr(lo)
	if err != nil {
		return fail("start: %s", err.(*ParseError).Reason)
	}
	var last netip.Addr
	if first.Is4() && isDecimal(hi) {
		b := first.As4()
		octet, err := ParseAddr(fmt.Sprintf("%d.%d.%d.%s", b[0], b[1], b[2], hi))
		if err != nil {
			return fail("end octet %q is not a number 0-255 without leading zeros", hi)
		}
		last = octet
	} else {
		last, err = ParseAddr(hi)
		if err != nil {
			return fail("end: %s", err.(*ParseError).Reason)
		}
	}
	if first.Zone() != "" || last.Zone() != "" {
		return fail("zones are not allowed in ranges")
	}
	if first.Is4() != last.Is4() {
		return fail("start and end are of different families")
	}
	if last.Less(first) {
		return fail("end %s is before start %s", last, first)
	}
	return Range{First: first, Last: last}, nil
}
