package netaddr

import (
	"fmt"
	"net/netip"
	"strings"
)

// ipv4Problem explains why s, which has no ":", "%", "/" or white space, is
// not a strict dotted-decimal IPv4 address. reason names the offending part;
// note, when not empty, says how classic tools read s instead (iputils ping
// through glibc's inet_aton, and Debian's ipcalc), because those readings
// differ and are the reason the form is rejected.
func ipv4Problem(s string) (reason, note string) {
	parts := strings.Split(s, ".")
	if r := ipv4SyntaxProblem(s, parts); r != "" {
		return r, ""
	}
	switch {
	case len(parts) == 1 && isDecimal(s):
		reason = "a bare number is not an IPv4 address; write four decimal parts separated by dots"
	case firstPart(parts, isHexPart) >= 0:
		i := firstPart(parts, isHexPart)
		reason = fmt.Sprintf("part %d %q is hexadecimal; only decimal is allowed", i+1, parts[i])
	case len(parts) < 4:
		reason = fmt.Sprintf("only %d parts; an IPv4 address has 4 (short forms like 127.1 are not accepted)", len(parts))
	case len(parts) > 4:
		reason = fmt.Sprintf("%d parts; an IPv4 address has exactly 4", len(parts))
	case firstPart(parts, hasLeadingZero) >= 0:
		i := firstPart(parts, hasLeadingZero)
		reason = fmt.Sprintf("octet %d %q has a leading zero", i+1, parts[i])
	case firstPart(parts, overByte) >= 0:
		i := firstPart(parts, overByte)
		reason = fmt.Sprintf("octet %d %q is out of range (0-255)", i+1, parts[i])
	default:
		reason = "not a valid IPv4 address"
	}
	return reason, classicNote(s, parts)
}

// ipv4SyntaxProblem reports characters and dots that no reading of s as an
// IPv4 address accepts: letters, punctuation, empty parts.
func ipv4SyntaxProblem(s string, parts []string) string {
	for i, p := range parts {
		if isDecimal(p) || isHexPart(p) || p == "" {
			continue
		}
		last := parts[len(parts)-1]
		switch {
		case ValidHostname(s) != nil:
		case !isDecimal(last) && !isHexPart(last):
			return fmt.Sprintf("not an IP address: %q has the syntax of a host name", s)
		default:
			return fmt.Sprintf("not an IP address, nor a host name: part %d %q is not a number, and a host name's last label is never numeric", i+1, p)
		}
		for j := 0; j < len(p); j++ {
			if p[j] < '0' || p[j] > '9' {
				return fmt.Sprintf("part %d %q has %s; IPv4 parts are decimal numbers 0-255", i+1, p, describeByte(p, j))
			}
		}
	}
	switch {
	case s == ".":
		return "a lone dot is not an address"
	case strings.HasPrefix(s, "."):
		return "leading dot"
	case strings.HasSuffix(s, ".") && !strings.Contains(strings.TrimSuffix(s, "."), ".."):
		return fmt.Sprintf("trailing dot after %q", strings.TrimSuffix(s, "."))
	}
	if i := firstPart(parts, func(p string) bool { return p == "" }); i >= 0 {
		return fmt.Sprintf("empty part %d (two dots in a row)", i+1)
	}
	return ""
}

// firstPart returns the index of the first part for which f is true, or -1.
func firstPart(parts []string, f func(string) bool) int {
	for i, p := range parts {
		if f(p) {
			return i
		}
	}
	return -1
}

// isHexPart reports whether p is written as a C hexadecimal number ("0x7f",
// or a bare "0x").
func isHexPart(p string) bool {
	if len(p) < 2 || p[0] != '0' || (p[1] != 'x' && p[1] != 'X') {
		return false
	}
	for i := 2; i < len(p); i++ {
		if hexVal(p[i]) < 0 {
			return false
		}
	}
	return true
}

func hasLeadingZero(p string) bool { return len(p) > 1 && p[0] == '0' }

func overByte(p string) bool { return len(p) > 3 || p > "255" && len(p) == 3 }

// hexVal returns the value of hex digit c, or -1.
func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// classicNote says how iputils ping and ipcalc read s, where that differs
// from rejecting it, or "".
func classicNote(s string, parts []string) string {
	var notes []string
	if a, how, ok := inetAton(s); ok {
		notes = append(notes, fmt.Sprintf("`ping %s` pings %s: inet_aton reads %s", s, a, how))
	} else if i := firstPart(parts, badOctal); i >= 0 {
		notes = append(notes, fmt.Sprintf("inet_aton rejects it (%q is not valid octal), so `ping %s` looks it up in DNS as a host name", parts[i], s))
	}
	if a, ok := ipcalcReading(parts); ok {
		notes = append(notes, fmt.Sprintf("ipcalc reads it as %s", a))
	}
	return strings.Join(notes, "; ")
}

// badOctal reports whether p has a leading zero but digits 8 or 9.
func badOctal(p string) bool {
	return hasLeadingZero(p) && isDecimal(p) && strings.ContainsAny(p, "89")
}

// inetAton reads s as glibc's inet_aton does when getaddrinfo (and so iputils
// ping) is given a numeric host: one to four parts separated by dots, each a
// C integer (0x hexadecimal, leading 0 octal, else decimal), the last part
// filling all remaining bytes ("127.1" is 127.0.0.1). It never validates
// input for netdiag; it only explains what other tools would do. how lists
// the non-decimal readings it applied.
func inetAton(s string) (a netip.Addr, how string, ok bool) {
	var vals []uint64
	var hows []string
	for i := 0; ; {
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			return netip.Addr{}, "", false
		}
		base, j := uint64(10), i
		switch {
		case s[j] == '0' && j+2 < len(s) && (s[j+1] == 'x' || s[j+1] == 'X') && hexVal(s[j+2]) >= 0:
			base, j = 16, j+2
			hows = appendOnce(hows, "0x as hexadecimal")
		case s[j] == '0' && j+1 < len(s) && s[j+1] >= '0' && s[j+1] <= '9':
			base = 8
			hows = appendOnce(hows, "a leading 0 as octal")
		}
		var v uint64
		for ; j < len(s) && hexVal(s[j]) >= 0 && uint64(hexVal(s[j])) < base; j++ {
			v = v*base + uint64(hexVal(s[j]))
			if v > 0xffffffff {
				return netip.Addr{}, "", false
			}
		}
		vals = append(vals, v)
		if j < len(s) && s[j] == '.' {
			if len(vals) > 3 || v > 0xff {
				return netip.Addr{}, "", false
			}
			i = j + 1
			continue
		}
		if j != len(s) {
			return netip.Addr{}, "", false
		}
		break
	}
	n := len(vals)
	last := vals[n-1]
	if last > 0xffffffff>>(8*(n-1)) {
		return netip.Addr{}, "", false
	}
	var u uint32
	for k, v := range vals[:n-1] {
		u |= uint32(v) << (24 - 8*k)
	}
	u |= uint32(last)
	switch {
	case n == 1:
		hows = append(hows, "a single number as all 4 bytes")
	case n < 4:
		hows = append(hows, fmt.Sprintf("the last of %d parts as the remaining %d bytes", n, 5-n))
	}
	if len(hows) == 0 {
		hows = append(hows, "it as decimal")
	}
	return netip.AddrFrom4([4]byte{byte(u >> 24), byte(u >> 16), byte(u >> 8), byte(u)}), strings.Join(hows, ", "), true
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// ipcalcReading reads parts as Debian's ipcalc (0.5) does: four decimal
// parts of at most three digits, leading zeros ignored, each 0-255.
func ipcalcReading(parts []string) (netip.Addr, bool) {
	if len(parts) != 4 {
		return netip.Addr{}, false
	}
	var b [4]byte
	for i, p := range parts {
		if !isDecimal(p) || len(p) > 3 {
			return netip.Addr{}, false
		}
		v := 0
		for j := 0; j < len(p); j++ {
			v = v*10 + int(p[j]-'0')
		}
		if v > 255 {
			return netip.Addr{}, false
		}
		b[i] = byte(v)
	}
	return netip.AddrFrom4(b), true
}
