package netaddr

import "net/netip"

// Properties are the yes/no facts netdiag reports about an address, derived
// from the IANA special-purpose registries (SpecialBlock) and address-space
// registries (SpaceBlock). They describe the address itself: an
// IPv4-mapped IPv6 address has the properties of ::ffff:0:0/96, not of the
// IPv4 address inside it (see EmbeddedIPv4).
type Properties struct {
	Unspecified   bool `json:"unspecified"`    // 0.0.0.0, ::
	Loopback      bool `json:"loopback"`       // 127.0.0.0/8, ::1
	Private       bool `json:"private"`        // RFC 1918 private-use, or unique-local fc00::/7
	LinkLocal     bool `json:"link_local"`     // 169.254.0.0/16, fe80::/10
	Multicast     bool `json:"multicast"`      // 224.0.0.0/4, ff00::/8
	Documentation bool `json:"documentation"`  // TEST-NET-1/2/3, 2001:db8::/32, 3fff::/20
	Shared        bool `json:"shared"`         // 100.64.0.0/10, carrier-grade NAT (RFC 6598)
	Benchmarking  bool `json:"benchmarking"`   // 198.18.0.0/15, 2001:2::/48
	Reserved      bool `json:"reserved"`       // 240.0.0.0/4, IPv6 space "Reserved by IETF"
	Global        bool `json:"global"`         // globally reachable per the special-purpose registries
	GlobalUnicast bool `json:"global_unicast"` // Global and not multicast
}

// AddrProperties classifies a (its zone is ignored).
//
// Global follows the "Globally Reachable" column of the most specific
// special-purpose registry entry that has one (a terminated entry defers to
// the block around it); an address in no entry is global, and so is one
// whose entry says N/A (6to4 and Teredo, whose reachability depends on the
// IPv4 address inside). Multicast, which the registries leave out, is
// global unless its scope is smaller: IPv6 scopes other than global
// (RFC 7346), IPv4 224.0.0.0/24 (link-local, RFC 5771) and 239.0.0.0/8
// (administratively scoped, RFC 2365).
func AddrProperties(a netip.Addr) Properties {
	var p Properties
	if !a.IsValid() {
		return p
	}
	global := Blank
	for _, b := range specialChain(a) {
		switch b.tag {
		case tagUnspecified:
			p.Unspecified = true
		case tagLoopback:
			p.Loopback = true
		case tagPrivate:
			p.Private = true
		case tagLinkLocal:
			p.LinkLocal = true
		case tagDocumentation:
			p.Documentation = true
		case tagShared:
			p.Shared = true
		case tagBenchmarking:
			p.Benchmarking = true
		}
		if global == Blank {
			global = b.GloballyReachable
		}
	}
	if s, ok := LookupSpace(a); ok {
		p.Multicast = s.Multicast
		p.Reserved = s.Reserved
	}
	p.Global = global != False
	if p.Multicast {
		p.Global = multicastGlobal(a)
	}
	p.GlobalUnicast = p.Global && !p.Multicast // 255.255.255.255 is not global
	return p
}

var (
	v4LocalMulticast = netip.MustParsePrefix("224.0.0.0/24")
	v4AdminScoped    = netip.MustParsePrefix("239.0.0.0/8")
)

// multicastGlobal reports whether multicast address a has global scope.
func multicastGlobal(a netip.Addr) bool {
	a = a.WithZone("")
	if a.Is4() {
		return !v4LocalMulticast.Contains(a) && !v4AdminScoped.Contains(a)
	}
	return a.As16()[1]&0x0f == 0xe
}
