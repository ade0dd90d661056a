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
// It also knows what an address is: the IANA special-purpose and
// address-space registries as data (LookupSpecial, LookupSpace,
// AddrProperties), the IPv4 address inside IPv4-mapped, 6to4, Teredo and
// NAT64 addresses (EmbeddedIPv4), prefix arithmetic (Netmask, UsableRange,
// ...). ValidAddrOrPrefix judges a line as the parsers do, without building
// an error, for filtering millions of lines: there is one grammar.
//
// Nothing in this package touches the network except Resolve, which is the
// separate, context-aware DNS step.
package netaddr

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"
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
// address in any RFC 4291 text form, with an optional RFC 4007 zone
// ("fe80::1%eth0"). The result keeps the zone; IPv4-mapped IPv6 addresses
// stay IPv6.
//
// A zone is one or more printable ASCII characters other than "%", "/", ":",
// "[" and "]": an interface name or number. Everything else is rejected with
// a *ParseError whose Reason names the offending part.
func ParseAddr(s string) (netip.Addr, error) {
	a, ok := parseAddr(s)
	if !ok {
		return netip.Addr{}, explainAddr(s)
	}
	return a, nil
}

// parseAddr is the grammar of ParseAddr, without the explanation: net/netip
// and the zone rule.
func parseAddr(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	if z := a.Zone(); z != "" {
		for i := 0; i < len(z); i++ {
			if !zoneByte(z[i]) {
				return netip.Addr{}, false
			}
		}
	}
	return a, true
}

// ValidAddrOrPrefix reports whether ParseAddr accepts b or, when b has a
// "/", ParsePrefix does: the same grammar, without building the error for
// an invalid one, and without allocating for a valid one. It looks for "/"
// and "%" once, to call net/netip once on the right part.
func ValidAddrOrPrefix(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	s := unsafe.String(&b[0], len(b)) // read only during the call
	if i := strings.IndexByte(s, '/'); i >= 0 {
		_, ok := prefixFrom(s[:i], s[i+1:])
		return ok
	}
	return validAddr(s)
}

// validAddr reports whether parseAddr accepts s. It splits a zone off
// itself, as netip does at the first "%", so that judging a line does not
// intern the zone (netip.Addr.WithZone): same grammar, less work.
func validAddr(s string) bool {
	i := strings.IndexByte(s, '%')
	if i < 0 {
		_, err := netip.ParseAddr(s)
		return err == nil
	}
	body, zone := s[:i], s[i+1:]
	if zone == "" || strings.IndexByte(body, ':') < 0 {
		return false // netip: an empty zone, or a zone after IPv4
	}
	for i := 0; i < len(zone); i++ {
		if !zoneByte(zone[i]) {
			return false
		}
	}
	_, err := netip.ParseAddr(body)
	return err == nil
}

// zoneProblem returns why z, the zone of address s, is not an acceptable
// zone, or "".
func zoneProblem(s, z string) string {
	if z == "" {
		return `empty zone after "%"`
	}
	if i := strings.LastIndexByte(z, ':'); i >= 0 && isDecimal(z[i+1:]) {
		return fmt.Sprintf("zone %q contains \":\"; to give a port, write [%s]:%s", z, s[:len(s)-len(z)+i], z[i+1:])
	}
	for i := 0; i < len(z); i++ {
		if !zoneByte(z[i]) {
			return fmt.Sprintf("zone %q contains %s; a zone is an interface name or number", z, describeByte(z, i))
		}
	}
	return ""
}

// zoneByte reports whether c may appear in a zone.
func zoneByte(c byte) bool {
	return c > ' ' && c < 0x7f && c != '%' && c != '/' && c != ':' && c != '[' && c != ']'
}

// describeByte names the character at s[i] for an error message: "a space",
// "a tab", `'%'`, the quoted rune, or the byte in hex when it is not UTF-8.
func describeByte(s string, i int) string {
	switch s[i] {
	case ' ':
		return "a space"
	case '\t':
		return "a tab"
	case '\n':
		return "a newline"
	case '\r':
		return "a carriage return"
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	if r == utf8.RuneError && size <= 1 {
		return fmt.Sprintf("byte 0x%02x, which is not UTF-8", s[i])
	}
	return strconv.QuoteRune(r)
}

// isSpace reports whether c is ASCII white space.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// whitespaceProblem returns a reason if s, a what ("address"), has white
// space anywhere, or "".
func whitespaceProblem(s, what string) string {
	for i := 0; i < len(s); i++ {
		if !isSpace(s[i]) {
			continue
		}
		switch {
		case i == 0:
			return "leading whitespace (" + describeByte(s, i) + ")"
		case strings.TrimRight(s, " \t\n\r\v\f") == s[:i]:
			return "trailing whitespace (" + describeByte(s, i) + ")"
		}
		return fmt.Sprintf("whitespace (%s) inside the %s", describeByte(s, i), what)
	}
	return ""
}

// explainAddr returns the reason s is not a valid address. It is only called
// after netip has rejected s, so it never needs to accept anything.
func explainAddr(s string) *ParseError {
	fail := func(kind, reason string) *ParseError {
		return &ParseError{Kind: kind, Input: s, Reason: reason}
	}
	if s == "" {
		return fail("IP address", "empty string")
	}
	if w := whitespaceProblem(s, "address"); w != "" {
		return fail("IP address", w)
	}
	if strings.HasPrefix(s, "[") {
		if i := strings.LastIndex(s, "]"); i > 0 && i < len(s)-1 && s[i+1] == ':' {
			return fail("IP address", fmt.Sprintf("%q is an address with a port; give the address alone: %s", s, s[1:i]))
		}
		return fail("IP address", fmt.Sprintf("brackets are only written around an IPv6 address followed by a port; write %s", strings.Trim(s, "[]")))
	}
	if i := strings.IndexByte(s, '/'); i >= 0 {
		return fail("IP address", fmt.Sprintf("%q is a prefix length; a single address is expected here", s[i:]))
	}
	if host, port, ok := strings.Cut(s, ":"); ok && isDecimal(port) && !strings.Contains(host, "%") && !isHexGroup(host) {
		return fail("IP address", fmt.Sprintf("%q looks like host:port; give the address alone: %s", s, host))
	}
	if strings.Contains(s, ":") {
		return explainIPv6(s)
	}
	if body, zone, ok := strings.Cut(s, "%"); ok {
		if body == "" {
			return fail("IP address", fmt.Sprintf("nothing before the zone %q", "%"+zone))
		}
		return fail("IPv4 address", fmt.Sprintf("zone %q after an IPv4 address; zones are only for IPv6 addresses", "%"+zone))
	}
	reason, note := ipv4Problem(s)
	kind := "IPv4 address"
	if strings.HasPrefix(reason, "not an IP address") {
		kind = "IP address"
	}
	return &ParseError{Kind: kind, Input: s, Reason: reason, Note: note}
}

// isHexGroup reports whether s could be a group of an IPv6 address: 1-4
// hex digits.
func isHexGroup(s string) bool {
	if s == "" || len(s) > 4 {
		return s == ""
	}
	for i := 0; i < len(s); i++ {
		if hexVal(s[i]) < 0 {
			return false
		}
	}
	return true
}

// isDecimal reports whether s is a non-empty string of ASCII digits.
func isDecimal(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Strings returns the addresses' text forms, in order.
func Strings(addrs []netip.Addr) []string {
	s := make([]string, len(addrs))
	for i, a := range addrs {
		s[i] = a.String()
	}
	return s
}
