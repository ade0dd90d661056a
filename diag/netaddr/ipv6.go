package netaddr

import (
	"fmt"
	"net/netip"
	"strings"
)

// explainIPv6 explains why s, which contains a colon and no white space,
// brackets or "/", is not a valid IPv6 address with an optional zone.
func explainIPv6(s string) *ParseError {
	fail := func(format string, args ...any) *ParseError {
		return &ParseError{Kind: "IPv6 address", Input: s, Reason: fmt.Sprintf(format, args...)}
	}
	body, zone, hasZone := strings.Cut(s, "%")
	if hasZone && !strings.Contains(body, ":") {
		return &ParseError{Kind: "IPv4 address", Input: s, Reason: fmt.Sprintf("zone %q after an IPv4 address; zones are only for IPv6 addresses", "%"+zone)}
	}
	if body == "" {
		return fail("nothing before the zone %q", "%"+zone)
	}
	if r := ipv6Problem(body); r != "" {
		return fail("%s", r)
	}
	if hasZone {
		return fail("%s", zoneProblem(s, zone))
	}
	return fail("not a valid IPv6 address")
}

// ipv6Problem explains why body (no zone) is not a valid IPv6 address, or
// returns "" if it is one.
func ipv6Problem(body string) string {
	if i := strings.Index(body, ":::"); i >= 0 {
		return `":::" (three colons in a row); "::" stands for one run of zero groups`
	}
	if n := strings.Count(body, "::"); n > 1 {
		return fmt.Sprintf(`"::" appears %d times; it may stand for only one run of zero groups`, n)
	}
	compressed := strings.Contains(body, "::")
	if strings.HasPrefix(body, ":") && !strings.HasPrefix(body, "::") {
		return `starts with a single ":"; write "::" to compress leading zero groups`
	}
	if strings.HasSuffix(body, ":") && !strings.HasSuffix(body, "::") {
		return `ends with a single ":"; write "::" to compress trailing zero groups`
	}
	groups := strings.Split(body, ":")
	n := 0 // 16-bit groups so far
	for i, g := range groups {
		switch {
		case g == "":
			continue
		case strings.Contains(g, "."):
			if i != len(groups)-1 {
				return fmt.Sprintf("embedded IPv4 %q must be the last 32 bits, after the hex groups", g)
			}
			if !validIPv4Text(g) {
				r, _ := ipv4Problem(g)
				return fmt.Sprintf("embedded IPv4 %q: %s", g, r)
			}
			n += 2
			continue
		}
		for j := 0; j < len(g); j++ {
			if hexVal(g[j]) < 0 {
				return fmt.Sprintf("group %d %q has %s; groups are hex digits 0-9 a-f", n+1, g, describeByte(g, j))
			}
		}
		if len(g) > 4 {
			return fmt.Sprintf("group %d %q has %d hex digits; at most 4", n+1, g, len(g))
		}
		n++
	}
	embedded := strings.Contains(groups[len(groups)-1], ".")
	switch {
	case !compressed && n < 8:
		return fmt.Sprintf("only %d groups of 16 bits%s; an IPv6 address has 8, or \"::\" for a run of zero groups", n, v4Suffix(embedded))
	case n > 8:
		return fmt.Sprintf("%d groups of 16 bits%s; an IPv6 address has 8", n, v4Suffix(embedded))
	case compressed && n == 8:
		return `"::" must stand for at least one zero group, but the other groups already make 8`
	}
	return ""
}

// v4Suffix says that the embedded IPv4 address was counted as two groups.
func v4Suffix(embedded bool) string {
	if embedded {
		return " (counting the embedded IPv4 as 2)"
	}
	return ""
}

// validIPv4Text reports whether s is a strict dotted-decimal IPv4 address.
func validIPv4Text(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is4()
}
