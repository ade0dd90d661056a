package netaddr

import (
	"encoding/binary"
	"math/bits"
)

// This file is the fast path for filtering millions of lines: a scanner
// over bytes that never allocates and looks at each byte once. It accepts
// exactly what ParseAddr and ParsePrefix accept (FuzzValidAddrOrPrefix and
// FuzzParseAddr check it); use the parsers when the value or the reason is
// needed.

// hexDigit maps a byte to its value as a hex digit, or 0xff; decDigit does
// the same for decimal digits.
var hexDigit, decDigit = func() (h, d [256]byte) {
	for i := range h {
		h[i], d[i] = 0xff, 0xff
	}
	for c := '0'; c <= '9'; c++ {
		h[c], d[c] = byte(c-'0'), byte(c-'0')
	}
	for c := 'a'; c <= 'f'; c++ {
		h[c] = byte(c-'a') + 10
		h[c-'a'+'A'] = byte(c-'a') + 10
	}
	return h, d
}()

// zoneOK marks the bytes a zone may hold (see zoneByte).
var zoneOK = func() (t [256]bool) {
	for c := range t {
		t[c] = zoneByte(byte(c))
	}
	return t
}()

// ValidAddrOrPrefix reports whether b is an address ParseAddr accepts or, if
// it contains a "/", a prefix ParsePrefix accepts. It does not allocate.
func ValidAddrOrPrefix(b []byte) bool {
	return ScanAddrOrPrefix(b) == len(b)
}

// ValidAddr reports whether ParseAddr accepts b. It does not allocate.
func ValidAddr(b []byte) bool {
	n := ScanAddrOrPrefix(b)
	if n != len(b) {
		return false
	}
	for _, c := range b {
		if c == '/' {
			return false
		}
	}
	return true
}

// ScanAddrOrPrefix reads an address or prefix at the start of b, as
// ValidAddrOrPrefix accepts them, and returns its length, or -1 if b does
// not start with one. It stops at the first byte that cannot continue the
// address (end of b, a newline, a space...): the caller decides whether that
// byte may end it, so a line filter needs no separate search for the end of
// each valid line. ValidAddrOrPrefix(b) is ScanAddrOrPrefix(b) == len(b).
func ScanAddrOrPrefix(b []byte) int {
	// The first byte that is not a decimal digit decides the family: "."
	// can only be IPv4 (IPv6 starts with a group and a colon), anything
	// else can only be IPv6.
	v4 := len(b) > 1 && decDigit[b[0]] != 0xff && (b[1] == '.' ||
		len(b) > 2 && decDigit[b[1]] != 0xff && (b[2] == '.' ||
			len(b) > 3 && decDigit[b[2]] != 0xff && b[3] == '.'))
	end, maxBits, zone := 0, 32, false
	if v4 {
		end = scanIPv4(b, 0)
	} else {
		end, zone = scanIPv6(b)
		maxBits = 128
	}
	if end < 0 || end == len(b) || b[end] != '/' {
		return end
	}
	if zone {
		return -1 // a prefix names a network, not an interface
	}
	return scanBits(b, end+1, maxBits)
}

// digitRun returns how many decimal digits (at most 4) start at b[i:].
func digitRun(b []byte, i int) int {
	n := i
	for n < len(b) && n < i+4 && decDigit[b[n]] != 0xff {
		n++
	}
	return n - i
}

// hexRun returns how many hex digits (at most 5) start at b[i:]. With five
// bytes to look at it does not branch on the count.
func hexRun(b []byte, i int) int {
	if i+5 <= len(b) {
		c := b[i : i+5 : i+5]
		m := uint32(hexDigit[c[0]]>>7) | uint32(hexDigit[c[1]]>>7)<<1 | uint32(hexDigit[c[2]]>>7)<<2 |
			uint32(hexDigit[c[3]]>>7)<<3 | uint32(hexDigit[c[4]]>>7)<<4 | 1<<5
		return bits.TrailingZeros32(m)
	}
	n := i
	for n < len(b) && n < i+5 && hexDigit[b[n]] != 0xff {
		n++
	}
	return n - i
}

// decimal returns the value of the n (1-3) decimal digits at b[i:], or
// 1000 if they have a leading zero.
func decimal(b []byte, i, n int) int {
	switch n {
	case 1:
		return int(b[i] - '0')
	case 2:
		if b[i] == '0' {
			return 1000
		}
		return int(b[i]-'0')*10 + int(b[i+1]-'0')
	}
	if b[i] == '0' {
		return 1000
	}
	return int(b[i]-'0')*100 + int(b[i+1]-'0')*10 + int(b[i+2]-'0')
}

// scanIPv4 reads strict dotted decimal at b[i:] and returns the index just
// after it, or -1. Each part is read by the SWAR code of octet, repeated
// here so that the loop makes no calls.
func scanIPv4(b []byte, i int) int {
	for part := 0; part < 4; part++ {
		if part > 0 {
			if i >= len(b) || b[i] != '.' {
				return -1
			}
			i++
		}
		var n int
		var v uint32
		if i+4 <= len(b) {
			x := binary.LittleEndian.Uint32(b[i:])
			non := (^((x | 0x80808080) - 0x30303030) | (x&0x7f7f7f7f + 0x46464646) | x) & 0x80808080
			n = bits.TrailingZeros32(non) >> 3
			d := x - 0x30303030
			v = d&0xff*mul0[n] + d>>8&0xff*mul1[n] + d>>16&0xff*mul2[n]
			if n > 1 && d&0xff == 0 || n > 3 {
				return -1
			}
		} else {
			n, v = octetSlow(b, i)
		}
		if n == 0 || v > 255 {
			return -1
		}
		i += n
	}
	return i
}

// Multipliers for the digits of a 1-3 digit number, by digit count.
var mul0, mul1, mul2 = [5]uint32{0, 1, 10, 100, 0}, [5]uint32{0, 0, 1, 10, 0}, [5]uint32{0, 0, 0, 1, 0}

// octet reads a decimal number of 1-3 digits at b[i:] and returns how many
// digits it has (0 if none or more than 3) and its value (1000 if it has a
// leading zero). With four bytes to read it works on all four at once
// (SWAR), without a branch on the digit count.
func octet(b []byte, i int) (int, uint32) {
	if i < 0 || i+4 > len(b) {
		return octetSlow(b, i)
	}
	x := binary.LittleEndian.Uint32(b[i:])
	lt := (x | 0x80808080) - 0x30303030 // high bit clear where byte < '0'
	gt := (x & 0x7f7f7f7f) + 0x46464646 // high bit set where byte&0x7f > '9'
	non := (^lt | gt | x) & 0x80808080  // high bit set where byte is no digit
	n := bits.TrailingZeros32(non) >> 3 // leading digits, 0-4
	d := x - 0x30303030                 // digit values, right in the first n bytes
	v := d&0xff*mul0[n] + d>>8&0xff*mul1[n] + d>>16&0xff*mul2[n]
	if n > 1 && d&0xff == 0 {
		v = 1000
	}
	return n &^ (n >> 2 << 2), v // 4 digits is too many: 0
}

// octetSlow is octet near the end of b.
func octetSlow(b []byte, i int) (int, uint32) {
	n := digitRun(b, i)
	if n == 0 || n > 3 {
		return 0, 0
	}
	return n, uint32(decimal(b, i, n))
}

// scanBits reads a prefix length of at most maxBits at b[i:] and returns the
// index just after it, or -1.
func scanBits(b []byte, i, maxBits int) int {
	n, v := octet(b, i)
	if n == 0 || v > uint32(maxBits) {
		return -1
	}
	return i + n
}

// scanIPv6 reads an IPv6 address (RFC 4291 text form, optional zone) at the
// start of b and returns the index just after it, or -1, and whether it had
// a zone. It follows net/netip's parser: groups of 1-4 hex digits, at most
// one "::" standing for at least one zero group, an optional embedded IPv4
// address in the last 32 bits, a zone of zoneByte bytes after "%".
func scanIPv6(b []byte) (end int, zone bool) {
	i, fields := 0, 0
	ellipsis := len(b) >= 2 && b[0] == ':' && b[1] == ':'
	afterDouble := ellipsis // just read "::", so the address may end here
	if ellipsis {
		i = 2
	}
	for {
		// Expect a group (or, right after "::", the end).
		n := hexRun(b, i)
		if i+n < len(b) && b[i+n] == '.' {
			// Embedded IPv4: last, in the last 32 bits.
			if ellipsis && fields > 5 || !ellipsis && fields != 6 {
				return -1, false
			}
			if i = scanIPv4(b, i); i < 0 {
				return -1, false
			}
			fields += 2
			break
		}
		if n == 0 {
			if !afterDouble {
				return -1, false
			}
			break
		}
		if n > 4 {
			return -1, false
		}
		fields++
		i += n
		// After a group: ":" or "::" continues, anything else ends.
		if i >= len(b) || b[i] != ':' {
			break
		}
		if fields == 8 {
			return -1, false
		}
		if i+1 < len(b) && b[i+1] == ':' {
			if ellipsis {
				return -1, false
			}
			ellipsis, afterDouble = true, true
			i += 2
		} else {
			afterDouble = false
			i++
		}
	}
	if ellipsis && fields > 7 || !ellipsis && fields != 8 {
		return -1, false
	}
	if i < len(b) && b[i] == '%' {
		j := i + 1
		for j < len(b) && zoneOK[b[j]] {
			j++
		}
		if j == i+1 {
			return -1, false // empty zone
		}
		return j, true
	}
	return i, false
}
