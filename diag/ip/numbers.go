package ip

import (
	"encoding/hex"
	"fmt"
	"math/big"
	"net/netip"
	"strings"
)

// Integer returns a as an unsigned integer (the zone is ignored).
func Integer(a netip.Addr) *big.Int {
	return new(big.Int).SetBytes(a.AsSlice())
}

// Hex returns a as 0x and 8 (IPv4) or 32 (IPv6) lower-case hex digits.
func Hex(a netip.Addr) string {
	return "0x" + hex.EncodeToString(a.AsSlice())
}

// Binary returns a's bits: four octets separated by dots for IPv4, eight
// 16-bit groups separated by colons for IPv6.
func Binary(a netip.Addr) string {
	b := a.AsSlice()
	var sb strings.Builder
	for i, x := range b {
		switch {
		case i == 0:
		case a.Is4():
			sb.WriteByte('.')
		case i%2 == 0:
			sb.WriteByte(':')
		}
		for bit := 7; bit >= 0; bit-- {
			sb.WriteByte('0' + x>>bit&1)
		}
	}
	return sb.String()
}

// maskString writes a netmask or wildcard mask: like netip.Addr.String, but
// an IPv6 mask is never written as an IPv4-mapped address
// ("::ffff:ffff:ffff", not "::ffff:255.255.255.255"): it is a bit pattern,
// not an address.
func maskString(a netip.Addr) string {
	if !a.Is4In6() {
		return a.String()
	}
	// Only ::ffff:a.b.c.d: groups 0-4 are zero, group 5 is ffff.
	b := a.As16()
	return fmt.Sprintf("::ffff:%x:%x", uint16(b[12])<<8|uint16(b[13]), uint16(b[14])<<8|uint16(b[15]))
}
