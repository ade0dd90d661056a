// Package addrgen generates tricky IP address and prefix strings, valid and
// invalid, from a seed: the input for netdiag's reference and oracle tests
// and for bench/ip.sh. The same seed always gives the same strings.
//
// Valid strings cover every RFC 4291 text form (full, any "::" placement,
// upper and lower case, leading zeros in groups, embedded IPv4, zones) and
// lean towards the special-purpose blocks and prefix-length edges. Invalid
// strings are valid ones mutated the ways people and programs get addresses
// wrong: leading zeros, short and hex forms, extra or missing groups, a
// second "::", bad embedded IPv4, bad zones, white space, netmask
// notation...
package addrgen

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
)

// Gen generates strings. It is not safe for concurrent use.
type Gen struct {
	r *rand.Rand
	// SingleLine keeps newlines and carriage returns out of the strings, so
	// each fits on one line of a file.
	SingleLine bool
}

// New returns a generator for seed.
func New(seed uint64) *Gen {
	return &Gen{r: rand.New(rand.NewPCG(seed, 0x6e6574646961670a))}
}

// interesting are prefixes whose addresses get more than their share: the
// special-purpose blocks and their neighbours, multicast, reserved space.
var interesting = []string{
	"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
	"192.0.0.0/24", "192.0.0.0/29", "192.0.0.8/29", "192.0.0.168/29", "192.0.2.0/24", "192.31.196.0/24",
	"192.52.193.0/24", "192.88.99.0/24", "192.168.0.0/16", "192.175.48.0/24", "198.18.0.0/15",
	"198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4", "255.255.255.0/24",
	"::/120", "::ffff:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "100:0:0:1::/64",
	"2001::/23", "2001::/32", "2001:1::/125", "2001:2::/48", "2001:3::/32", "2001:4:112::/48",
	"2001:10::/28", "2001:20::/28", "2001:30::/28", "2001:db8::/32", "2002::/16", "2620:4f:8000::/48",
	"3fff::/20", "5f00::/16", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8", "4000::/3", "2000::/3",
}

var interestingPrefixes = func() []netip.Prefix {
	out := make([]netip.Prefix, len(interesting))
	for i, s := range interesting {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}()

// Addr returns a random address: half from an interesting block, the rest
// uniform over IPv4 or IPv6.
func (g *Gen) Addr() netip.Addr {
	r := g.r
	switch r.IntN(4) {
	case 0:
		var b [4]byte
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		return netip.AddrFrom4(b)
	case 1:
		var b [16]byte
		for i := range b {
			if r.IntN(3) > 0 { // plenty of zero bytes, so "::" has runs to compress
				b[i] = byte(r.IntN(256))
			}
		}
		return netip.AddrFrom16(b)
	}
	p := interestingPrefixes[r.IntN(len(interestingPrefixes))]
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		if r.IntN(2) == 0 {
			b[i/8] |= 0x80 >> (i % 8)
		}
	}
	if r.IntN(4) == 0 { // the first or last address of the block
		for i := p.Bits(); i < len(b)*8; i++ {
			b[i/8] &^= 0x80 >> (i % 8)
			if r.IntN(2) == 0 {
				b[i/8] |= 0x80 >> (i % 8)
			}
		}
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// Valid returns a valid address or prefix in a random text form.
func (g *Gen) Valid() string {
	a := g.Addr()
	if g.r.IntN(3) == 0 {
		return g.text(a, false) + "/" + fmt.Sprint(g.bits(a))
	}
	return g.text(a, g.r.IntN(8) == 0)
}

// bits returns a prefix length for a, favouring the edges.
func (g *Gen) bits(a netip.Addr) int {
	edges := []int{0, 1, 8, 16, 24, 30, 31, 32}
	if a.Is6() {
		edges = []int{0, 1, 16, 32, 48, 64, 96, 120, 126, 127, 128}
	}
	if g.r.IntN(2) == 0 {
		return edges[g.r.IntN(len(edges))]
	}
	return g.r.IntN(a.BitLen() + 1)
}

// text writes a in one of its valid text forms, with a zone if zone is set
// and a is IPv6.
func (g *Gen) text(a netip.Addr, zone bool) string {
	if a.Is4() {
		return a.String()
	}
	r := g.r
	b := a.As16()
	var groups [8]string
	for i := range groups {
		v := uint16(b[2*i])<<8 | uint16(b[2*i+1])
		switch r.IntN(4) {
		case 0:
			groups[i] = fmt.Sprintf("%04x", v)
		case 1:
			groups[i] = fmt.Sprintf("%X", v)
		default:
			groups[i] = fmt.Sprintf("%x", v)
		}
	}
	n := 8
	tail := ""
	if r.IntN(5) == 0 || (a.Is4In6() && r.IntN(2) == 0) {
		n = 6
		tail = netip.AddrFrom4([4]byte(b[12:16])).String()
	}
	// Compress a random run of zero groups (not only the longest).
	var runs [][2]int
	for i := 0; i < n; i++ {
		for j := i; j < n && b[2*j] == 0 && b[2*j+1] == 0; j++ {
			runs = append(runs, [2]int{i, j + 1})
		}
	}
	parts := groups[:n]
	var s string
	if len(runs) > 0 && r.IntN(5) > 0 {
		run := runs[r.IntN(len(runs))]
		s = strings.Join(parts[:run[0]], ":") + "::" + strings.Join(parts[run[1]:], ":")
		if tail != "" {
			if run[1] < n {
				s += ":"
			}
			s += tail
		}
	} else {
		s = strings.Join(parts, ":")
		if tail != "" {
			s += ":" + tail
		}
	}
	if zone {
		s += "%" + []string{"eth0", "1", "en0", "br-lan.10", "wlp2s0", "lo"}[r.IntN(6)]
	}
	return s
}

// Next returns the next string: about half valid, half mutated.
func (g *Gen) Next() string {
	s := g.Valid()
	if g.r.IntN(2) == 0 {
		return s
	}
	for range 1 + g.r.IntN(2) {
		s = g.mutate(s)
	}
	return s
}

// mutate breaks s in one of the typical ways (or, by chance, leaves it
// valid).
func (g *Gen) mutate(s string) string {
	r := g.r
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	switch r.IntN(16) {
	case 0: // leading zero on a part
		return replacePart(r, s, func(p string) string { return "0" + p })
	case 1: // hex or octal part
		return replacePart(r, s, func(p string) string { return pick("0x", "0X", "0") + p })
	case 2: // an out-of-range part
		return replacePart(r, s, func(string) string { return pick("256", "999", "1000", "65536", "12345", "fffff", "-1") })
	case 3: // drop a part (short forms, missing groups)
		return dropPart(r, s)
	case 4: // an extra part
		sep := pick(".", ":")
		return s + sep + pick("1", "0", "ffff", "00")
	case 5: // dots and colons in odd places
		return insertAt(r, s, pick(".", "..", ":", "::", ":::"))
	case 6: // trailing or leading separator
		if r.IntN(2) == 0 {
			return s + pick(".", ":", "::", "/", "%")
		}
		return pick(".", ":", "::", "/") + s
	case 7: // white space
		ws := pick(" ", "\t", " \t", "\u00a0")
		if !g.SingleLine {
			ws = pick(ws, "\n", "\r")
		}
		switch r.IntN(3) {
		case 0:
			return ws + s
		case 1:
			return s + ws
		}
		return insertAt(r, s, ws)
	case 8: // a zone, good or bad
		return s + "%" + pick("eth0", "", "%", "a b", "eth0:1", "é", "[0]", "x/1", "25", "lo")
	case 9: // a prefix length, good or bad
		return s + "/" + pick("0", "8", "08", "24", "32", "33", "64", "128", "129", "0128", "", "-1", "x", "255.255.255.0", "0.0.0.255", "255.0.255.0", "ffff::", "1/2")
	case 10: // an embedded IPv4 tail
		return s + pick(":1.2.3.4", ":01.2.3.4", ":1.2.3", ":256.1.1.1", "::1.2.3.4", ":1.2.3.4.5")
	case 11: // brackets
		return pick("[", "") + s + pick("]", "]:80", "")
	case 12: // a random character from the address alphabet and friends
		return insertAt(r, s, pick("g", "G", "x", "-", "+", "_", "٣", "١", "Ａ", "z", "0", "f", "1"))
	case 13: // delete a character
		if s == "" {
			return s
		}
		i := r.IntN(len(s))
		return s[:i] + s[i+1:]
	case 14: // a known troublemaker
		return pick("127.1", "0x7f.1", "127.0.0.010", "192.168.001.010", "2130706433", "::ffff:1.2.3.4",
			"::1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "1::2::3", "fe80::1%eth0", "::", "0.0.0.0", "", ".", ":",
			"1.2.3.4.", "1..2.3", "localhost", "::ffff:0.0.0.0", "2001:0:4136:e378:8000:63bf:3fff:fdd2")
	}
	return strings.ToUpper(s)
}

// partSpans returns the [start, end) byte ranges of s's parts between "."
// and ":" separators.
func partSpans(s string) [][2]int {
	var out [][2]int
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '.' || s[i] == ':' {
			if i > start {
				out = append(out, [2]int{start, i})
			}
			start = i + 1
		}
	}
	return out
}

func replacePart(r *rand.Rand, s string, f func(string) string) string {
	spans := partSpans(s)
	if len(spans) == 0 {
		return s
	}
	sp := spans[r.IntN(len(spans))]
	return s[:sp[0]] + f(s[sp[0]:sp[1]]) + s[sp[1]:]
}

func dropPart(r *rand.Rand, s string) string {
	spans := partSpans(s)
	if len(spans) == 0 {
		return s
	}
	sp := spans[r.IntN(len(spans))]
	end := sp[1]
	if end < len(s) {
		end++ // the separator after it
	}
	return s[:sp[0]] + s[end:]
}

func insertAt(r *rand.Rand, s, x string) string {
	i := r.IntN(len(s) + 1)
	return s[:i] + x + s[i:]
}
