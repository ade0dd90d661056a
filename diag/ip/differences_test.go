package ip_test

import (
	"net/netip"
	"strings"

	"netdiag/diag/ip"
	"netdiag/diag/netaddr"
)

// difference is a deliberate disagreement with Python's ipaddress (3.11):
// the oracle test accepts a mismatch in one of fields only when applies
// says the case is this difference, and fails if a difference is never
// seen (so the list cannot go stale). Each one is also listed, by name, in
// the README's "Differences from Python's ipaddress" table.
type difference struct {
	name    string
	fields  []string // the compared fields it explains
	applies func(c oracleCase, m mismatch) bool
	why     string
}

// differences is the allow-list.
var differences = []difference{
	{
		name:   "prefix-length-leading-zero",
		fields: []string{"verdict"},
		applies: func(c oracleCase, _ mismatch) bool {
			return pythonOnly(c) && bitsPart(c.in, func(b string) bool { return len(b) > 1 && b[0] == '0' && isDigits(b) })
		},
		why: `Python reads "/08" as /8; netdiag rejects leading zeros in prefix lengths as it does in octets`,
	},
	{
		name:   "netmask-after-slash",
		fields: []string{"verdict"},
		applies: func(c oracleCase, _ mismatch) bool {
			return pythonOnly(c) && bitsPart(c.in, func(b string) bool { return strings.Contains(b, ".") })
		},
		why: `Python accepts "10.0.0.0/255.0.0.0" and the host mask "/0.0.0.255"; netdiag wants a length and says which one`,
	},
	{
		name:   "zone-characters",
		fields: []string{"verdict"},
		applies: func(c oracleCase, _ mismatch) bool {
			_, zone, ok := strings.Cut(c.in, "%")
			return ok && pythonOnly(c) && strings.IndexFunc(zone, func(r rune) bool {
				return r <= ' ' || r >= 0x7f || strings.ContainsRune("%/:[]", r)
			}) >= 0
		},
		why: "Python accepts any zone text, white space, control characters and non-ASCII included; netdiag accepts printable ASCII except % / : [ ] (interface names and numbers)",
	},
	{
		name:    "ipv4-mapped-text",
		fields:  []string{"compressed", "network", "broadcast", "first_host", "last_host"},
		applies: func(_ oracleCase, m mismatch) bool { return sameMappedAddr(m.ours, m.python) },
		why:     "RFC 5952 section 5: IPv4-mapped addresses are written ::ffff:192.0.2.1; Python 3.11 writes ::ffff:c000:201 (3.13 changed to the RFC's form)",
	},
	{
		name:    "zone-in-expanded-form",
		fields:  []string{"exploded", "reverse_pointer"},
		applies: func(c oracleCase, _ mismatch) bool { return strings.Contains(c.ours.Address, "%") },
		why:     "Python 3.11 raises on .exploded and .reverse_pointer of an address with a zone; netdiag gives both without the zone",
	},
	{
		name:    "ietf-protocol-assignments",
		fields:  []string{"is_global", "is_private"},
		applies: func(c oracleCase, _ mismatch) bool { return inAny(c.addr(), "192.0.0.0/24") },
		why:     "the registry makes all of 192.0.0.0/24 non-global except 192.0.0.9 and .10; Python 3.11 lists only 192.0.0.0/29 and 192.0.0.170/31",
	},
	{
		name:    "6a44-relay",
		fields:  []string{"is_global", "is_private"},
		applies: func(c oracleCase, _ mismatch) bool { return inAny(c.addr(), "192.88.99.2/32") },
		why:     "192.88.99.2 (6a44 relay anycast, RFC 6751) is not globally reachable; Python 3.11 does not list it",
	},
	{
		name:    "shared-address-space",
		fields:  []string{"is_private"},
		applies: func(c oracleCase, _ mismatch) bool { return inAny(c.addr(), "100.64.0.0/10") },
		why:     "Python 3.11 calls 100.64.0.0/10 neither private nor global; netdiag reports shared, not globally reachable (is_private is compared with not global)",
	},
	{
		name:    "ipv4-mapped-reachability",
		fields:  []string{"is_global", "is_private"},
		applies: func(c oracleCase, _ mismatch) bool { return inAny(c.addr(), "::ffff:0:0/96") },
		why:     "the registry makes ::ffff:0:0/96 not globally reachable; Python 3.11 answers for the IPv4 address inside (netdiag shows that address and its own block separately)",
	},
	{
		name:   "newer-registry-entries",
		fields: []string{"is_global", "is_private"},
		applies: func(c oracleCase, _ mismatch) bool {
			return inAny(c.addr(), "64:ff9b:1::/48", "100:0:0:1::/64", "3fff::/20", "5f00::/16")
		},
		why: "entries added after Python 3.11's table (RFC 8215, 9780, 9637, 9602) are not globally reachable",
	},
	{
		name:   "ietf-assignments-exceptions",
		fields: []string{"is_global", "is_private"},
		applies: func(c oracleCase, _ mismatch) bool {
			return inAny(c.addr(), "2001::/32", "2001:1::1/128", "2001:1::2/128", "2001:1::3/128", "2001:3::/32",
				"2001:4:112::/48", "2001:20::/28", "2001:30::/28")
		},
		why: "inside 2001::/23 the registry makes TEREDO (N/A, counted as global), PCP, TURN and DNS-SD anycast, AMT, AS112-v6, ORCHIDv2 and DETs globally reachable; Python 3.11 treats all of 2001::/23 as private",
	},
	{
		name:   "multicast-scope",
		fields: []string{"is_global", "is_private"},
		applies: func(c oracleCase, _ mismatch) bool {
			p := c.ours.Properties
			return p != nil && p.Multicast && !p.Global
		},
		why: "multicast is global only with global scope: not IPv6 scopes below 0xe (RFC 7346), IPv4 224.0.0.0/24 or 239.0.0.0/8; Python 3.11 calls all multicast global",
	},
	{
		name:    "site-local-reserved",
		fields:  []string{"is_reserved"},
		applies: func(c oracleCase, _ mismatch) bool { return inAny(c.addr(), "fec0::/10") },
		why:     `the IANA IPv6 address space registry lists fec0::/10 as "Reserved by IETF" (deprecated site-local, RFC 3879); Python 3.11 does not count it as reserved`,
	},
}

// sameMappedAddr reports whether x and y (addresses, or prefixes) are the
// same IPv4-mapped address or prefix written two ways.
func sameMappedAddr(x, y string) bool {
	xa, xb, _ := strings.Cut(x, "/")
	ya, yb, _ := strings.Cut(y, "/")
	a, err1 := netip.ParseAddr(xa)
	b, err2 := netip.ParseAddr(ya)
	return err1 == nil && err2 == nil && a == b && a.Is4In6() && xb == yb
}

// pythonOnly reports whether Python accepts c.in and netdiag does not.
func pythonOnly(c oracleCase) bool { return c.py.Valid && !c.ours.Valid }

// bitsPart reports whether in has a "/" and f holds for what follows it.
func bitsPart(in string, f func(string) bool) bool {
	_, bits, ok := strings.Cut(in, "/")
	return ok && f(bits)
}

func isDigits(s string) bool { return s != "" && strings.Trim(s, "0123456789") == "" }

// inAny reports whether a is in one of the prefixes.
func inAny(a netip.Addr, prefixes ...string) bool {
	for _, p := range prefixes {
		if netip.MustParsePrefix(p).Contains(a.WithZone("")) {
			return true
		}
	}
	return false
}

// oracleCase is one input with both answers.
type oracleCase struct {
	in   string
	ours ip.Info
	py   pyResult
}

// addr returns the address netdiag parsed (the zero Addr if none).
func (c oracleCase) addr() netip.Addr {
	a, _ := netaddr.ParseAddr(c.ours.Address)
	return a
}
