package netaddr

import (
	"fmt"
	"net/netip"
	"strings"
)

// The kinds of IPv4 address an IPv6 address can carry.
const (
	EmbedMapped = "ipv4-mapped" // ::ffff:0:0/96 (RFC 4291 §2.5.5.2)
	Embed6to4   = "6to4"        // 2002::/16 (RFC 3056)
	EmbedTeredo = "teredo"      // 2001::/32 (RFC 4380)
	EmbedNAT64  = "nat64"       // 64:ff9b::/96, the well-known prefix (RFC 6052)
)

// Embedded is an IPv4 address carried inside an IPv6 address.
type Embedded struct {
	Kind string     `json:"kind"` // one of the Embed* constants
	IPv4 netip.Addr `json:"ipv4"` // the IPv4 address; for Teredo, the client's public address
	// Teredo only (RFC 4380 §4): the server, and the client's UDP port and
	// flags. The client address and port are stored inverted ("obfuscated");
	// these are the real values.
	Server netip.Addr `json:"server,omitzero"`
	Port   uint16     `json:"port,omitempty"`
	Flags  uint16     `json:"flags,omitempty"`
}

// String describes e: "ipv4-mapped 192.0.2.1", "teredo client 1.2.3.4 port
// 40000 via server 65.54.227.120".
func (e Embedded) String() string {
	if e.Kind == EmbedTeredo {
		return fmt.Sprintf("teredo client %s port %d via server %s (flags 0x%04x)", e.IPv4, e.Port, e.Server, e.Flags)
	}
	return e.Kind + " " + e.IPv4.String()
}

var nat64WellKnown = netip.MustParsePrefix("64:ff9b::/96")

// EmbeddedIPv4 returns the IPv4 address that a carries, if a is an
// IPv4-mapped, 6to4, Teredo or NAT64 well-known-prefix address.
func EmbeddedIPv4(a netip.Addr) (Embedded, bool) {
	if !a.Is6() {
		return Embedded{}, false
	}
	b := a.As16()
	v4 := func(i int) netip.Addr { return netip.AddrFrom4([4]byte(b[i : i+4])) }
	switch {
	case a.Is4In6():
		return Embedded{Kind: EmbedMapped, IPv4: a.Unmap()}, true
	case b[0] == 0x20 && b[1] == 0x02:
		return Embedded{Kind: Embed6to4, IPv4: v4(2)}, true
	case b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0:
		client := [4]byte{^b[12], ^b[13], ^b[14], ^b[15]}
		return Embedded{
			Kind:   EmbedTeredo,
			IPv4:   netip.AddrFrom4(client),
			Server: v4(4),
			Flags:  uint16(b[8])<<8 | uint16(b[9]),
			Port:   ^(uint16(b[10])<<8 | uint16(b[11])),
		}, true
	case nat64WellKnown.Contains(a.WithZone("")):
		return Embedded{Kind: EmbedNAT64, IPv4: v4(12)}, true
	}
	return Embedded{}, false
}

// ReverseName returns the reverse-DNS name of a, without the trailing dot:
// "1.0.0.127.in-addr.arpa", or 32 nibbles and "ip6.arpa" for IPv6. The zone
// is never part of it.
func ReverseName(a netip.Addr) string {
	var sb strings.Builder
	if a.Is4() {
		b := a.As4()
		fmt.Fprintf(&sb, "%d.%d.%d.%d.in-addr.arpa", b[3], b[2], b[1], b[0])
		return sb.String()
	}
	const hexDigits = "0123456789abcdef"
	b := a.As16()
	sb.Grow(72)
	for i := 15; i >= 0; i-- {
		sb.WriteByte(hexDigits[b[i]&0xf])
		sb.WriteByte('.')
		sb.WriteByte(hexDigits[b[i]>>4])
		sb.WriteByte('.')
	}
	sb.WriteString("ip6.arpa")
	return sb.String()
}

// Expanded returns a in full: IPv4 in dotted decimal, IPv6 as eight groups
// of four hex digits with no "::" and without the zone.
func Expanded(a netip.Addr) string {
	if a.Is4() {
		return a.String()
	}
	return a.WithZone("").StringExpanded()
}
