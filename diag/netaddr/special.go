package netaddr

import (
	"fmt"
	"net/netip"
	"slices"
)

// Tri is one cell of the IANA special-purpose registries: True, False, N/A,
// or blank for a terminated entry.
type Tri int8

// The registry cell values.
const (
	Blank Tri = iota // terminated entries have no attributes
	False
	True
	NA // "N/A": the answer depends on the embedded address (6to4, Teredo)
)

// String returns "True", "False", "N/A" or "".
func (t Tri) String() string {
	return [...]string{"", "False", "True", "N/A"}[t]
}

// MarshalJSON encodes True and False as booleans and N/A and blank as null.
func (t Tri) MarshalJSON() ([]byte, error) {
	switch t {
	case True:
		return []byte("true"), nil
	case False:
		return []byte("false"), nil
	}
	return []byte("null"), nil
}

// UnmarshalJSON reads what MarshalJSON writes; null reads as NA.
func (t *Tri) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case "true":
		*t = True
	case "false":
		*t = False
	case "null":
		*t = NA
	default:
		return fmt.Errorf("registry cell %s: want true, false or null", b)
	}
	return nil
}

// SpecialBlock is one entry of the IANA IPv4 or IPv6 Special-Purpose Address
// Registry (RFC 6890 and the RFCs that added entries since), as published by
// IANA in 2025.
type SpecialBlock struct {
	Prefix             netip.Prefix
	Block              string // the prefix as IANA writes it ("::ffff:0:0/96")
	Name               string
	RFC                string // the defining RFCs, "RFC 1918"
	Allocated          string // "1996-02"
	Terminated         string // "" unless the allocation ended ("2015-03")
	Source             Tri    // valid as a source address beyond the link
	Destination        Tri    // valid as a destination address beyond the link
	Forwardable        Tri    // routers may forward it between interfaces
	GloballyReachable  Tri    // forwardable beyond an administrative domain
	ReservedByProtocol Tri    // IP itself treats it specially
	tag                tag    // which Properties flag the block sets
}

// tag is the Properties flag a registry row implies.
type tag uint8

const (
	tagNone tag = iota
	tagUnspecified
	tagLoopback
	tagPrivate
	tagLinkLocal
	tagDocumentation
	tagShared
	tagBenchmarking
)

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }

// row builds a registry row; attrs is the five attribute cells in registry
// order: Source, Destination, Forwardable, Globally Reachable,
// Reserved-by-Protocol.
func row(prefix, name, rfc, allocated string, attrs [5]Tri, t tag) SpecialBlock {
	return SpecialBlock{Prefix: pfx(prefix), Block: prefix, Name: name, RFC: rfc, Allocated: allocated,
		Source: attrs[0], Destination: attrs[1], Forwardable: attrs[2], GloballyReachable: attrs[3], ReservedByProtocol: attrs[4], tag: t}
}

// terminated builds a row whose allocation ended; it has no attributes.
func terminated(prefix, name, rfc, allocated, ended string) SpecialBlock {
	return SpecialBlock{Prefix: pfx(prefix), Block: prefix, Name: name, RFC: rfc, Allocated: allocated, Terminated: ended}
}

// Shorthands for the attribute cells in the tables below.
const (
	tr = True
	fa = False
)

// specialBlocks is the two registries, IPv4 first, in registry order.
// Source: https://www.iana.org/assignments/iana-ipv4-special-registry and
// https://www.iana.org/assignments/iana-ipv6-special-registry (2025).
var specialBlocks = []SpecialBlock{
	row("0.0.0.0/8", `"This network"`, "RFC 791 §3.2", "1981-09", [5]Tri{tr, fa, fa, fa, tr}, tagNone),
	row("0.0.0.0/32", `"This host on this network"`, "RFC 1122 §3.2.1.3", "1981-09", [5]Tri{tr, fa, fa, fa, tr}, tagUnspecified),
	row("10.0.0.0/8", "Private-Use", "RFC 1918", "1996-02", [5]Tri{tr, tr, tr, fa, fa}, tagPrivate),
	row("100.64.0.0/10", "Shared Address Space", "RFC 6598", "2012-04", [5]Tri{tr, tr, tr, fa, fa}, tagShared),
	row("127.0.0.0/8", "Loopback", "RFC 1122 §3.2.1.3", "1981-09", [5]Tri{fa, fa, fa, fa, tr}, tagLoopback),
	row("169.254.0.0/16", "Link Local", "RFC 3927", "2005-05", [5]Tri{tr, tr, fa, fa, tr}, tagLinkLocal),
	row("172.16.0.0/12", "Private-Use", "RFC 1918", "1996-02", [5]Tri{tr, tr, tr, fa, fa}, tagPrivate),
	row("192.0.0.0/24", "IETF Protocol Assignments", "RFC 6890 §2.1", "2010-01", [5]Tri{fa, fa, fa, fa, fa}, tagNone),
	row("192.0.0.0/29", "IPv4 Service Continuity Prefix", "RFC 7335", "2011-06", [5]Tri{tr, tr, tr, fa, fa}, tagNone),
	row("192.0.0.8/32", "IPv4 dummy address", "RFC 7600", "2015-03", [5]Tri{tr, fa, fa, fa, fa}, tagNone),
	row("192.0.0.9/32", "Port Control Protocol Anycast", "RFC 7723", "2015-10", [5]Tri{tr, tr, tr, tr, fa}, tagNone),
	row("192.0.0.10/32", "Traversal Using Relays around NAT Anycast", "RFC 8155", "2017-02", [5]Tri{tr, tr, tr, tr, fa}, tagNone),
	row("192.0.0.170/32", "NAT64/DNS64 Discovery", "RFC 8880, RFC 7050 §2.2", "2013-02", [5]Tri{fa, fa, fa, fa, tr}, tagNone),
	row("192.0.0.171/32", "NAT64/DNS64 Discovery", "RFC 8880, RFC 7050 §2.2", "2013-02", [5]Tri{fa, fa, fa, fa, tr}, tagNone),
	row("192.0.2.0/24", "Documentation (TEST-NET-1)", "RFC 5737", "2010-01", [5]Tri{fa, fa, fa, fa, fa}, tagDocumentation),
	row("192.31.196.0/24", "AS112-v4", "RFC 7535", "2014-12", [5]Tri{tr, tr, tr, tr, fa}, tagNone),
	row("192.52.193.0/24", "AMT", "RFC 7450", "2014-12", [5]Tri{tr, tr, tr, tr, fa}, tagNone),
	terminated("192.88.99.0/24", "Deprecated (6to4 Relay Anycast)", "RFC 7526", "2001-06", "2015-03"),
	row("192.88.99.2/32", "6a44-relay anycast address", "RFC 6751", "2012-10", [5]Tri{tr, tr, tr, fa, fa}, tagNone),
	row("192.168.0.0/16", "Private-Use", "RFC 1918", "1996-02", [5]Tri{tr, tr, tr, fa, fa}, tagPrivate),
	row("192.175.48.0/24", "Direct Delegation AS112 Service", "RFC 7534", "1996-01", [5]Tri{tr, tr, tr, tr, fa}, tagNone),
	row("198.18.0.0/15", "Benchmarking", "RFC 2544", "1999-03", [5]Tri{tr, tr, tr, fa, fa}, tagBenchmarking),
	row("198.51.100.0/24", "Documentation (TEST-NET-2)", "RFC 5737", "2010-01", [5]Tri{fa, fa, fa, fa, fa}, tagDocumentation),
	row("203.0.113.0/24", "Documentation (TEST-NET-3)", "RFC 5737", "2010-01", [5]Tri{fa, fa, fa, fa, fa}, tagDocumentation),
	row("240.0.0.0/4", "Reserved", "RFC 1112 §4", "1989-08", [5]Tri{fa, fa, fa, fa, tr}, tagNone),
	row("255.255.255.255/32", "Limited Broadcast", "RFC 8190, RFC 919 §7", "1984-10", [5]Tri{fa, tr, fa, fa, tr}, tagNone),

	row("::1/128", "Loopback Address", "RFC 4291", "2006-02", [5]Tri{fa, fa, fa, fa, tr}, tagLoopback),
	row("::/128", "Unspecified Address", "RFC 4291", "2006-02", [5]Tri{tr, fa, fa, fa, tr}, tagUnspecified),
	row("::ffff:0:0/96", "IPv4-mapped Address", "RFC 4291", "2006-02", [5]Tri{fa, fa, fa, fa, tr}, tagNone),
	row("64:ff9b::/96", "IPv4-IPv6 Translat.", "RFC 6052", "2010-10", [5]Tri{tr, tr, tr, tr, fa}, tagNone),
	row("64:ff9b:1::/48", "IPv4-IPv6 Translat.", "RFC 8215", "2017-06", [5]Tri{tr, tr, tr, fa, fa}, tagNone),
	row("100::/64", "Discard-Only Address Block", "RFC 6666", "2012-06", [5]Tri{tr, tr, tr, fa, fa}, tagNone),
	row("100:0:0:1::/64", "Dummy IPv6 Prefix", "RFC 9780", "2025-04", [5]Tri{tr, fa, fa, fa, fa}, tagNone),
	row("2001::/23", "IETF Protocol Assignments", "RFC 2928", "2000-09", [5]Tri{fa, fa, fa, fa, fa}, tagNone),
	row("2001::/32", "TEREDO", "RFC 4380, RFC 8190", "2006-01", [5]Tri{tr, tr, tr, NA, fa}, tagNone),
	row("2001:1::1/128", "Port Control Protocol Anycast", "RFC 7723", "2015-10", [5]Tri{tr, tr, tr, tr, fa}, tagNone),
	row("2001:1::2/128", "Traversal Using Relays around NAT Anycast", "RFC 8155", "2017-02", [5]Tri{tr, tr, tr, tr, fa}, tagNone),
	row("2001:1::3/128", "DNS-SD Service Registration Protocol Anycast", "RFC 9665", "2024-04", [5]Tri{tr, tr, tr, tr, fa}, tagNone),
	row("2001:2::/48", "Benchmarking", "RFC 5180", "2008-04", [5]Tri{tr, tr, tr, fa, fa}, tagBenchmarking),
	row("2001:3::/32", "AMT", "RFC 7450", "2014-12", [5]Tri{tr, tr, tr, tr, fa}, tagNone),
	row("2001:4:112::/48", "AS112-v6", "RFC 7535", "2014-12", [5]Tri{tr, tr, tr, tr, fa}, tagNone),
	terminated("2001:10::/28", "Deprecated (previously ORCHID)", "RFC 4843", "2007-03", "2014-03"),
	row("2001:20::/28", "ORCHIDv2", "RFC 7343", "2014-07", [5]Tri{tr, tr, tr, tr, fa}, tagNone),
	row("2001:30::/28", "Drone Remote ID Protocol Entity Tags (DETs) Prefix", "RFC 9374", "2022-12", [5]Tri{tr, tr, tr, tr, fa}, tagNone),
	row("2001:db8::/32", "Documentation", "RFC 3849", "2004-07", [5]Tri{fa, fa, fa, fa, fa}, tagDocumentation),
	row("2002::/16", "6to4", "RFC 3056", "2001-02", [5]Tri{tr, tr, tr, NA, fa}, tagNone),
	row("2620:4f:8000::/48", "Direct Delegation AS112 Service", "RFC 7534", "2011-05", [5]Tri{tr, tr, tr, tr, fa}, tagNone),
	row("3fff::/20", "Documentation", "RFC 9637", "2024-07", [5]Tri{fa, fa, fa, fa, fa}, tagDocumentation),
	row("5f00::/16", "Segment Routing (SRv6) SIDs", "RFC 9602", "2024-04", [5]Tri{tr, tr, tr, fa, fa}, tagNone),
	row("fc00::/7", "Unique-Local", "RFC 4193, RFC 8190", "2005-10", [5]Tri{tr, tr, tr, fa, fa}, tagPrivate),
	row("fe80::/10", "Link-Local Unicast", "RFC 4291", "2006-02", [5]Tri{tr, tr, fa, fa, tr}, tagLinkLocal),
}

// SpecialBlocks returns a copy of both special-purpose registries, IPv4
// first, in registry order.
func SpecialBlocks() []SpecialBlock { return slices.Clone(specialBlocks) }

// specialChain returns the registry rows containing a, most specific first.
func specialChain(a netip.Addr) []SpecialBlock {
	a = a.WithZone("")
	var out []SpecialBlock
	for _, b := range specialBlocks {
		if b.Prefix.Contains(a) {
			out = append(out, b)
		}
	}
	slices.SortStableFunc(out, func(x, y SpecialBlock) int { return y.Prefix.Bits() - x.Prefix.Bits() })
	return out
}

// LookupSpecial returns the most specific special-purpose registry entry
// containing a (zones are ignored), and false if a is in none.
func LookupSpecial(a netip.Addr) (SpecialBlock, bool) {
	if c := specialChain(a); len(c) > 0 {
		return c[0], true
	}
	return SpecialBlock{}, false
}

// SpaceBlock is an entry of the IANA IPv4 or IPv6 address-space registries
// that matters for classifying an address: multicast blocks, and the space
// reserved for future use or by the IETF.
type SpaceBlock struct {
	Prefix    netip.Prefix
	Block     string // the prefix as IANA writes it
	Name      string
	RFC       string
	Reserved  bool // reserved for future use / by the IETF, not allocated
	Multicast bool
}

func space(prefix, name, rfc string, reserved, multicast bool) SpaceBlock {
	return SpaceBlock{Prefix: pfx(prefix), Block: prefix, Name: name, RFC: rfc, Reserved: reserved, Multicast: multicast}
}

// spaceBlocks holds the IPv4 multicast blocks (RFC 5771) and the reserved
// class E space, and the IANA IPv6 Address Space registry
// (https://www.iana.org/assignments/ipv6-address-space).
var spaceBlocks = []SpaceBlock{
	space("224.0.0.0/4", "Multicast", "RFC 5771", false, true),
	space("224.0.0.0/24", "Multicast: Local Network Control Block (link-local)", "RFC 5771", false, true),
	space("224.0.1.0/24", "Multicast: Internetwork Control Block", "RFC 5771", false, true),
	space("232.0.0.0/8", "Multicast: Source-Specific Multicast Block", "RFC 4607", false, true),
	space("233.0.0.0/8", "Multicast: GLOP Block", "RFC 3180", false, true),
	space("233.252.0.0/14", "Multicast: AD-HOC Block III (233.252.0.0/24 is documentation)", "RFC 5771, RFC 6676", false, true),
	space("234.0.0.0/8", "Multicast: Unicast-Prefix-based", "RFC 6034", false, true),
	space("239.0.0.0/8", "Multicast: Administratively Scoped", "RFC 2365", false, true),
	space("240.0.0.0/4", "Reserved for future use (class E)", "RFC 1112", true, false),

	space("::/8", "Reserved by IETF", "RFC 4291", true, false),
	space("100::/8", "Reserved by IETF", "RFC 4291", true, false),
	space("200::/7", "Reserved by IETF", "RFC 4048", true, false),
	space("400::/6", "Reserved by IETF", "RFC 4291", true, false),
	space("800::/5", "Reserved by IETF", "RFC 4291", true, false),
	space("1000::/4", "Reserved by IETF", "RFC 4291", true, false),
	space("2000::/3", "Global Unicast", "RFC 4291", false, false),
	space("4000::/3", "Reserved by IETF", "RFC 4291", true, false),
	space("6000::/3", "Reserved by IETF", "RFC 4291", true, false),
	space("8000::/3", "Reserved by IETF", "RFC 4291", true, false),
	space("a000::/3", "Reserved by IETF", "RFC 4291", true, false),
	space("c000::/3", "Reserved by IETF", "RFC 4291", true, false),
	space("e000::/4", "Reserved by IETF", "RFC 4291", true, false),
	space("f000::/5", "Reserved by IETF", "RFC 4291", true, false),
	space("f800::/6", "Reserved by IETF", "RFC 4291", true, false),
	space("fc00::/7", "Unique Local Unicast", "RFC 4193", false, false),
	space("fe00::/9", "Reserved by IETF", "RFC 4291", true, false),
	space("fe80::/10", "Link-Scoped Unicast", "RFC 4291", false, false),
	space("fec0::/10", "Reserved by IETF (deprecated site-local)", "RFC 3879", true, false),
	space("ff00::/8", "Multicast", "RFC 4291", false, true),
}

// SpaceBlocks returns a copy of the address-space table.
func SpaceBlocks() []SpaceBlock { return slices.Clone(spaceBlocks) }

// LookupSpace returns the most specific address-space entry containing a,
// and false if there is none (most of IPv4 unicast).
func LookupSpace(a netip.Addr) (SpaceBlock, bool) {
	a = a.WithZone("")
	best, ok := SpaceBlock{}, false
	for _, b := range spaceBlocks {
		if b.Prefix.Contains(a) && (!ok || b.Prefix.Bits() > best.Prefix.Bits()) {
			best, ok = b, true
		}
	}
	return best, ok
}
