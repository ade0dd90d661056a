package netaddr

// This file is the fast path for filtering millions of lines: validators
// over bytes that never allocate. They accept exactly what ParseAddr and
// ParsePrefix accept (FuzzValidMatchesParse checks it); use the parsers when
// the value or the reason is needed.

// ValidAddrOrPrefix reports whether b is an address ParseAddr accepts or, if
// it contains a "/", a prefix ParsePrefix accepts. It does not allocate.
func ValidAddrOrPrefix(b []byte) bool {
	colon := false
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case ':':
			colon = true
		case '/':
			return validPrefix(b[:i], b[i+1:], colon)
		}
	}
	if colon {
		return validIPv6Zone(b)
	}
	return validIPv4(b)
}

// ValidAddr reports whether ParseAddr accepts b. It does not allocate.
func ValidAddr(b []byte) bool {
	for i := 0; i < len(b); i++ {
		if b[i] == ':' {
			return validIPv6Zone(b)
		}
	}
	return validIPv4(b)
}

// validPrefix checks an address without zone and a prefix length.
func validPrefix(addr, bits []byte, v6 bool) bool {
	maxBits := 32
	if v6 {
		maxBits = 128
		if !validIPv6(addr) {
			return false
		}
	} else if !validIPv4(addr) {
		return false
	}
	if len(bits) == 0 || len(bits) > 3 || (bits[0] == '0' && len(bits) > 1) {
		return false
	}
	n := 0
	for _, c := range bits {
		if c < '0' || c > '9' {
			return false
		}
		n = n*10 + int(c-'0')
	}
	return n <= maxBits
}

// validIPv4 checks strict dotted decimal: four parts, 0-255, no leading
// zeros.
func validIPv4(b []byte) bool {
	dots, digits, v := 0, 0, 0
	for _, c := range b {
		if c == '.' {
			if digits == 0 || dots == 3 {
				return false
			}
			dots, digits, v = dots+1, 0, 0
			continue
		}
		if c < '0' || c > '9' || (digits > 0 && v == 0) {
			return false
		}
		v = v*10 + int(c-'0')
		digits++
		if v > 255 {
			return false
		}
	}
	return dots == 3 && digits > 0
}

// validIPv6Zone checks an IPv6 address with an optional zone.
func validIPv6Zone(b []byte) bool {
	for i, c := range b {
		if c != '%' {
			continue
		}
		zone := b[i+1:]
		if len(zone) == 0 {
			return false
		}
		for _, z := range zone {
			if !zoneByte(z) {
				return false
			}
		}
		return validIPv6(b[:i])
	}
	return validIPv6(b)
}

// validIPv6 checks an IPv6 address without zone, in any RFC 4291 form. It
// follows net/netip's parser: groups of 1-4 hex digits, at most one "::"
// standing for at least one zero group, an optional embedded IPv4 address in
// the last 32 bits.
func validIPv6(s []byte) bool {
	ellipsis := false
	if len(s) >= 2 && s[0] == ':' && s[1] == ':' {
		ellipsis = true
		s = s[2:]
		if len(s) == 0 {
			return true
		}
	}
	fields := 0 // 16-bit fields seen
	for {
		n := 0
		for n < len(s) && hexVal(s[n]) >= 0 {
			n++
			if n > 4 {
				return false
			}
		}
		if n < len(s) && s[n] == '.' {
			// Embedded IPv4: the rest must be one, in the last 32 bits.
			if (!ellipsis && fields != 6) || fields > 6 {
				return false
			}
			if !validIPv4(s) {
				return false
			}
			fields += 2
			s = nil
			break
		}
		if n == 0 {
			return false
		}
		fields++
		s = s[n:]
		if len(s) == 0 {
			break
		}
		if s[0] != ':' || len(s) == 1 {
			return false
		}
		s = s[1:]
		if s[0] == ':' {
			if ellipsis {
				return false
			}
			ellipsis = true
			s = s[1:]
			if len(s) == 0 {
				break
			}
		}
		if fields == 8 {
			return false
		}
	}
	if ellipsis {
		return fields < 8
	}
	return fields == 8
}
