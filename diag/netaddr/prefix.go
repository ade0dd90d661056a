package netaddr

import (
	"fmt"
	"math/big"
	"net/netip"
	"strings"
)

// ParsePrefix parses "ADDR/BITS": a strict address (as ParseAddr, without a
// zone) and a decimal prefix length without leading zeros, 0-32 for IPv4 and
// 0-128 for IPv6. A prefix with host bits set ("10.0.0.1/8") is accepted and
// returned as written; HostBitsSet and HostBitsWarning tell the caller, who
// should warn. Netmask notation ("/255.0.0.0") is rejected with the
// equivalent length in the reason.
func ParsePrefix(s string) (netip.Prefix, error) {
	if p, ok := parsePrefix(s); ok {
		return p, nil
	}
	fail := func(format string, args ...any) (netip.Prefix, error) {
		return netip.Prefix{}, &ParseError{Kind: "prefix", Input: s, Reason: fmt.Sprintf(format, args...)}
	}
	if w := whitespaceProblem(s, "prefix"); w != "" {
		return fail("%s", w)
	}
	addrPart, bitsPart, ok := strings.Cut(s, "/")
	if !ok {
		return fail(`missing "/" and prefix length`)
	}
	if strings.Contains(bitsPart, "/") {
		return fail(`more than one "/"`)
	}
	if addrPart == "" {
		return fail(`missing address before "/"`)
	}
	a, err := ParseAddr(addrPart)
	if err != nil {
		pe := err.(*ParseError)
		return netip.Prefix{}, &ParseError{Kind: "prefix", Input: s, Reason: fmt.Sprintf("address %q: %s", addrPart, pe.Reason), Note: pe.Note}
	}
	if a.Zone() != "" {
		return fail("zone %q is not allowed in a prefix: a prefix names a network, not an interface", "%"+a.Zone())
	}
	if r := prefixLenProblem(a, bitsPart); r != "" {
		return fail("%s", r)
	}
	bits := 0
	for i := 0; i < len(bitsPart); i++ {
		bits = bits*10 + int(bitsPart[i]-'0')
	}
	return netip.PrefixFrom(a, bits), nil
}

// parsePrefix is the grammar of ParsePrefix, without the explanation.
func parsePrefix(s string) (netip.Prefix, bool) {
	i := strings.IndexByte(s, '/')
	if i < 0 {
		return netip.Prefix{}, false
	}
	return prefixFrom(s[:i], s[i+1:])
}

// prefixFrom is parsePrefix on the parts before and after the first "/":
// the length is checked first, being cheap, and then net/netip parses the
// address once. A zone is never part of a prefix, so an address with a "%"
// is refused before netip would parse (and intern) the zone.
func prefixFrom(addrPart, bits string) (netip.Prefix, bool) {
	if bits == "" || len(bits) > 3 || len(bits) > 1 && bits[0] == '0' || !isDecimal(bits) ||
		strings.IndexByte(addrPart, '%') >= 0 {
		return netip.Prefix{}, false
	}
	a, err := netip.ParseAddr(addrPart)
	if err != nil || atoiSmall(bits) > a.BitLen() {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, atoiSmall(bits)), true
}

// prefixLenProblem explains why bits is not a valid prefix length for a, or
// returns "".
func prefixLenProblem(a netip.Addr, bits string) string {
	maxBits := a.BitLen()
	switch {
	case bits == "":
		return `empty prefix length after "/"`
	case strings.ContainsAny(bits, ".:"):
		return maskProblem(a, bits)
	case !isDecimal(bits):
		return fmt.Sprintf("prefix length %q is not a decimal number", bits)
	case len(bits) > 1 && bits[0] == '0':
		return fmt.Sprintf("prefix length %q has a leading zero; write /%s", bits, strings.TrimLeft(bits[:len(bits)-1], "0")+bits[len(bits)-1:])
	case len(bits) > 3 || atoiSmall(bits) > maxBits:
		return fmt.Sprintf("prefix length /%s is out of range for %s (0-%d)", bits, familyName(a), maxBits)
	}
	return ""
}

// maskProblem explains a mask written as an address after the "/".
func maskProblem(a netip.Addr, mask string) string {
	m, err := netip.ParseAddr(mask)
	if err != nil || m.Zone() != "" || m.Is4() != a.Is4() {
		return fmt.Sprintf("prefix length %q is not a decimal number", mask)
	}
	if n, ok := contiguousOnes(m, false); ok {
		return fmt.Sprintf("%q is netmask notation; write /%d", "/"+mask, n)
	}
	if n, ok := contiguousOnes(m, true); ok {
		return fmt.Sprintf("%q is a wildcard (host) mask; write /%d", "/"+mask, n)
	}
	return fmt.Sprintf("%q is neither a prefix length nor a contiguous netmask", "/"+mask)
}

// contiguousOnes reports whether m (inverted when invert is set) is a run of
// ones followed by zeros, and how many ones.
func contiguousOnes(m netip.Addr, invert bool) (int, bool) {
	n, zero := 0, false
	for _, b := range m.AsSlice() {
		if invert {
			b = ^b
		}
		for i := 7; i >= 0; i-- {
			one := b&(1<<i) != 0
			if one && zero {
				return 0, false
			}
			if one {
				n++
			} else {
				zero = true
			}
		}
	}
	return n, true
}

func atoiSmall(s string) int {
	n := 0
	for i := 0; i < len(s) && i < 4; i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func familyName(a netip.Addr) string {
	if a.Is4() {
		return "IPv4"
	}
	return "IPv6"
}

// HostBitsSet reports whether p has bits set after its prefix length, as in
// 10.0.0.1/8; p.Masked() is then the network the user probably meant.
func HostBitsSet(p netip.Prefix) bool {
	return p.IsValid() && p.Addr() != p.Masked().Addr()
}

// HostBitsWarning returns the warning to show for a prefix with host bits
// set ("host bits set: 10.0.0.1/8 is inside network 10.0.0.0/8"), or "".
func HostBitsWarning(p netip.Prefix) string {
	if !HostBitsSet(p) {
		return ""
	}
	return fmt.Sprintf("host bits set: %s is inside network %s", p, p.Masked())
}

// Netmask returns p's netmask as an address: 255.255.255.0 for a /24,
// ffff:ffff:ffff:ffff:: for a /64.
func Netmask(p netip.Prefix) netip.Addr {
	b := make([]byte, p.Addr().BitLen()/8)
	for i := 0; i < p.Bits(); i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// Wildcard returns p's wildcard (host) mask, the inverse of its netmask:
// 0.0.0.255 for a /24, as Cisco ACLs write it.
func Wildcard(p netip.Prefix) netip.Addr {
	b := Netmask(p).AsSlice()
	for i := range b {
		b[i] = ^b[i]
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// PrefixSize returns the number of addresses in p, 2^(bits-length).
func PrefixSize(p netip.Prefix) *big.Int {
	return new(big.Int).Lsh(big.NewInt(1), uint(p.Addr().BitLen()-p.Bits()))
}

// UsableRange returns the host addresses of p as ipcalc, sipcalc and
// Python's ipaddress count them: for IPv4 all but the network and broadcast
// addresses, except that a /31 (RFC 3021 point-to-point link) has two usable
// addresses and a /32 one; for IPv6 all but the all-zeros Subnet-Router
// anycast address (RFC 4291 section 2.6.1) — IPv6 has no broadcast — except
// that a /127 (RFC 6164) has two and a /128 one. Compare HostRange, which is
// what a ping sweep probes.
func UsableRange(p netip.Prefix) Range {
	p = p.Masked()
	first, last := p.Addr(), LastAddr(p)
	switch tail := p.Addr().BitLen() - p.Bits(); {
	case tail <= 1:
	case p.Addr().Is4():
		first, last = first.Next(), last.Prev()
	default:
		first = first.Next()
	}
	return Range{First: first, Last: last}
}
