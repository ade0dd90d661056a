// Package netaddr is netdiag's one address package: the only code that parses
// IP addresses, prefixes, address ranges, host names, host:port pairs and port
// lists. Everything is parsed once, at the edge, into values (netip.Addr,
// netip.Prefix, Host, HostPort, Port, PortList) that the rest of netdiag passes
// around.
//
// Parsing is strict. IPv4 is dotted decimal only: the inet_aton forms that
// classic tools accept (127.1, 0x7f.1, 010.1.1.1) are rejected with a reason,
// because tools disagree on what they mean. IPv6 accepts every RFC 4291 text
// form, with an optional RFC 4007 zone. Errors are *ParseError values that quote
// the input and say why it was rejected.
//
// Nothing in this package touches the network except Resolve, which is the
// separate, context-aware DNS step.
package netaddr

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// ParseError describes input that could not be parsed: what was expected
// (Kind, e.g. "IPv4 address"), the input, why it was rejected and, for forms
// that classic tools read differently, a Note saying how.
type ParseError struct {
	Kind   string // what was being parsed: "IP address", "IPv6 address", "prefix", "port", ...
	Input  string // the text as given
	Reason string // why it is invalid, naming the offending part
	Note   string // optional: how other tools would read it
}

// Error formats the error as `invalid KIND "INPUT": REASON (NOTE)`.
func (e *ParseError) Error() string {
	s := fmt.Sprintf("invalid %s %q: %s", e.Kind, e.Input, e.Reason)
	if e.Note != "" {
		s += " (" + e.Note + ")"
	}
	return s
}

// Family selects an address family; the zero value accepts both.
type Family int

// The address families.
const (
	AnyFamily Family = iota // IPv4 or IPv6
	IPv4                    // IPv4 only (-4)
	IPv6                    // IPv6 only (-6)
)

// String returns "any", "IPv4" or "IPv6".
func (f Family) String() string {
	switch f {
	case IPv4:
		return "IPv4"
	case IPv6:
		return "IPv6"
	}
	return "any"
}

// Matches reports whether a belongs to f. IPv4-mapped IPv6 addresses count as
// IPv6, as they do on the wire.
func (f Family) Matches(a netip.Addr) bool {
	switch f {
	case IPv4:
		return a.Is4()
	case IPv6:
		return a.Is6()
	}
	return a.IsValid()
}

// ParseAddr parses an IPv4 address in strict dotted-decimal form or an IPv6
// address in any RFC 4291 text form with an optional zone ("fe80::1%eth0").
// The result keeps the zone; IPv4-mapped IPv6 addresses stay IPv6.
func ParseAddr(s string) (netip.Addr, error) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a, nil
	}
	return netip.Addr{}, explainAddr(s)
}

// ParsePrefix parses "ADDR/BITS". A prefix with host bits set
// ("10.0.0.1/8") is accepted and returned as written; HostBitsSet and
// Prefix.Masked tell the caller, who should warn. Zones are rejected: a prefix
// names a network, not an interface.
func ParsePrefix(s string) (netip.Prefix, error) {
	addrPart, bitsPart, ok := strings.Cut(s, "/")
	if !ok {
		return netip.Prefix{}, &ParseError{Kind: "prefix", Input: s, Reason: `missing "/" and prefix length`}
	}
	a, err := ParseAddr(addrPart)
	if err != nil {
		pe := err.(*ParseError)
		return netip.Prefix{}, &ParseError{Kind: "prefix", Input: s, Reason: "address part: " + pe.Reason, Note: pe.Note}
	}
	if a.Zone() != "" {
		return netip.Prefix{}, &ParseError{Kind: "prefix", Input: s, Reason: fmt.Sprintf("zone %q not allowed in a prefix", a.Zone())}
	}
	maxBits := a.BitLen()
	if bitsPart == "" {
		return netip.Prefix{}, &ParseError{Kind: "prefix", Input: s, Reason: "empty prefix length after /"}
	}
	for _, c := range bitsPart {
		if c < '0' || c > '9' {
			return netip.Prefix{}, &ParseError{Kind: "prefix", Input: s, Reason: fmt.Sprintf("prefix length %q is not a decimal number (netmask notation like /255.0.0.0 is not accepted; use /8)", bitsPart)}
		}
	}
	if len(bitsPart) > 1 && bitsPart[0] == '0' {
		return netip.Prefix{}, &ParseError{Kind: "prefix", Input: s, Reason: fmt.Sprintf("prefix length %q has a leading zero", bitsPart)}
	}
	bits, err := strconv.Atoi(bitsPart)
	if err != nil || bits > maxBits {
		return netip.Prefix{}, &ParseError{Kind: "prefix", Input: s, Reason: fmt.Sprintf("prefix length /%s is out of range for %s (0-%d)", bitsPart, familyName(a), maxBits)}
	}
	return netip.PrefixFrom(a, bits), nil
}

// HostBitsSet reports whether p has bits set after its prefix length, as in
// 10.0.0.1/8; p.Masked() is then the network the user probably meant.
func HostBitsSet(p netip.Prefix) bool {
	return p.IsValid() && p.Addr() != p.Masked().Addr()
}

func familyName(a netip.Addr) string {
	if a.Is4() {
		return "IPv4"
	}
	return "IPv6"
}

// explainAddr returns the reason s is not a valid address. It is only called
// after netip has rejected s, so it never needs to accept anything.
func explainAddr(s string) *ParseError {
	if s == "" {
		return &ParseError{Kind: "IP address", Input: s, Reason: "empty string"}
	}
	if strings.TrimSpace(s) != s {
		return &ParseError{Kind: "IP address", Input: s, Reason: "leading or trailing whitespace"}
	}
	if strings.Contains(s, ":") {
		return explainIPv6(s)
	}
	if strings.Contains(s, "%") {
		return &ParseError{Kind: "IPv4 address", Input: s, Reason: "zones (%...) are only allowed on IPv6 addresses"}
	}
	if strings.Contains(s, "/") {
		return &ParseError{Kind: "IP address", Input: s, Reason: "has a prefix length; this wants a single address"}
	}
	return explainIPv4(s, "IPv4 address")
}

// explainIPv4 explains why s is not a strict dotted-decimal IPv4 address.
func explainIPv4(s, kind string) *ParseError {
	fail := func(reason, note string) *ParseError {
		return &ParseError{Kind: kind, Input: s, Reason: reason, Note: note}
	}
	looksNumeric := true
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c == '.' || c == 'x' || c == 'X' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			looksNumeric = false
		}
	}
	if !looksNumeric || !strings.ContainsAny(s, "0123456789") {
		for _, c := range s {
			if !(c >= '0' && c <= '9' || c == '.') {
				return fail(fmt.Sprintf("unexpected character %q; an IPv4 address is four decimal numbers 0-255 separated by dots", c), "")
			}
		}
	}
	if strings.HasSuffix(s, ".") && s != "." {
		return fail("trailing dot", "")
	}
	parts := strings.Split(s, ".")
	for i, p := range parts {
		if p == "" {
			return fail(fmt.Sprintf("empty part %d (two dots in a row or a leading dot)", i+1), "")
		}
	}
	for _, p := range parts {
		if len(p) > 1 && (p[0] == '0') && (p[1] == 'x' || p[1] == 'X') {
			v, err := strconv.ParseUint(p[2:], 16, 32)
			note := "classic tools (inet_aton, iputils ping) read it as hexadecimal"
			if err == nil {
				note = fmt.Sprintf("classic tools (inet_aton, iputils ping) read %s as hexadecimal %d: `ping 0x7f.1` pings 127.0.0.1", p, v)
			}
			return fail(fmt.Sprintf("part %q is hexadecimal; only decimal is allowed", p), note)
		}
	}
	for _, p := range parts {
		for _, c := range p {
			if c < '0' || c > '9' {
				return fail(fmt.Sprintf("part %q is not a decimal number", p), "")
			}
		}
	}
	if len(parts) < 4 {
		return fail(fmt.Sprintf("only %d parts; IPv4 needs 4 (short forms like 127.1 are not accepted)", len(parts)),
			"inet_aton and iputils ping expand short forms: `ping 127.1` pings 127.0.0.1, `ping 10.1` pings 10.0.0.1")
	}
	if len(parts) > 4 {
		return fail(fmt.Sprintf("%d parts; IPv4 has exactly 4", len(parts)), "")
	}
	for _, p := range parts {
		if len(p) > 1 && p[0] == '0' {
			note := "classic tools disagree on leading zeros"
			if oct, err := strconv.ParseUint(p, 8, 32); err == nil {
				dec, _ := strconv.ParseUint(p, 10, 32)
				note = fmt.Sprintf("iputils ping reads %s as octal %d; ipcalc reads it as decimal %d", p, oct, dec)
			} else {
				dec, _ := strconv.ParseUint(p, 10, 32)
				note = fmt.Sprintf("%s is not valid octal, so inet_aton and iputils ping reject it; ipcalc reads it as decimal %d", p, dec)
			}
			return fail(fmt.Sprintf("octet %q has a leading zero", p), note)
		}
	}
	for _, p := range parts {
		if v, err := strconv.ParseUint(p, 10, 64); err != nil || v > 255 {
			return fail(fmt.Sprintf("octet %q is out of range (0-255)", p), "")
		}
	}
	return fail("not a valid IPv4 address", "")
}

// explainIPv6 explains why s (which contains a colon) is not a valid IPv6
// address.
func explainIPv6(s string) *ParseError {
	fail := func(format string, args ...any) *ParseError {
		return &ParseError{Kind: "IPv6 address", Input: s, Reason: fmt.Sprintf(format, args...)}
	}
	body, zone, hasZone := strings.Cut(s, "%")
	if hasZone {
		if zone == "" {
			return fail("empty zone after %%")
		}
		if _, err := netip.ParseAddr(body); err == nil {
			if strings.Contains(body, ".") && !strings.Contains(body, ":") {
				return fail("zones are only allowed on IPv6 addresses")
			}
			return fail("invalid zone %q", zone)
		}
	}
	if strings.HasPrefix(body, "[") || strings.HasSuffix(body, "]") {
		return fail("brackets are only used around an IPv6 address followed by a port; write the address without them")
	}
	if strings.Contains(body, "/") {
		return fail("has a prefix length; this wants a single address")
	}
	if strings.Count(body, "::") > 1 {
		return fail(`"::" appears more than once; it may stand for one run of zero groups only`)
	}
	if strings.Contains(body, ":::") {
		return fail(`":::" is not valid; "::" may stand for one run of zero groups`)
	}
	groups := strings.Split(body, ":")
	hasDouble := strings.Contains(body, "::")
	if !hasDouble && strings.HasPrefix(body, ":") {
		return fail(`leading single ":"; use "::" to compress leading zero groups`)
	}
	if !hasDouble && strings.HasSuffix(body, ":") {
		return fail(`trailing single ":"; use "::" to compress trailing zero groups`)
	}
	nGroups := 0
	for i, g := range groups {
		if g == "" {
			continue
		}
		if strings.Contains(g, ".") {
			if i != len(groups)-1 {
				return fail("embedded IPv4 %q must be the last 32 bits", g)
			}
			if _, err := netip.ParseAddr(g); err != nil || !strings.Contains(g, ".") {
				pe := explainIPv4(g, "IPv4")
				return fail("bad embedded IPv4 %q: %s", g, pe.Reason)
			}
			nGroups += 2
			continue
		}
		if len(g) > 4 {
			return fail("group %q has more than 4 hex digits", g)
		}
		for _, c := range g {
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return fail("group %q has non-hex character %q", g, c)
			}
		}
		nGroups++
	}
	if nGroups > 8 || (hasDouble && nGroups > 7) {
		return fail("too many groups (%d); an IPv6 address has 8 groups of 16 bits", nGroups)
	}
	if !hasDouble && nGroups < 8 {
		return fail("too few groups (%d of 8) and no \"::\" to stand for the rest", nGroups)
	}
	if hasZone {
		return fail("invalid zone %q", zone)
	}
	return fail("not a valid IPv6 address")
}
