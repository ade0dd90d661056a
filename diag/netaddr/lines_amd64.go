package netaddr

import (
	"math/bits"
	"unsafe"

	"golang.org/x/sys/cpu"
)

// On amd64 with AVX-512, lines are judged from bit masks: classifyLines
// (lines_amd64.s) loads each line into one 64-byte register and writes a
// mask per character class, and lineMasks.valid checks the grammar with bit
// operations on those masks. FuzzScanLines checks that it agrees with
// ValidAddrOrPrefix.
func init() {
	if cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasBMI1 && cpu.X86.HasBMI2 {
		scanFast = scanLinesAVX512
	}
}

// lineMasks describes one line of at most 63 bytes before its "\n": bit i
// of each mask stands for byte i of the line.
type lineMasks struct {
	nl    uint64 // index of the "\n"
	colon uint64 // ':'
	dot   uint64 // '.'
	slash uint64 // '/'
	pct   uint64 // '%'
	dec   uint64 // decimal digits
	hex   uint64 // hex digits, decimal ones included
	zero  uint64 // '0'
	big   uint64 // digits that start a number over 255 if three digits long
	zone  uint64 // bytes a zone may hold (zoneByte)
}

// classifyLines is implemented in lines_amd64.s.
//
//go:noescape
func classifyLines(p *byte, n int, recs *lineMasks, max int) int

// scanLinesAVX512 is scanFast on CPUs with AVX-512 BW.
func scanLinesAVX512(b []byte, out []LineVerdict) (lines, used int) {
	var recs [64]lineMasks
	for lines < len(out) && used < len(b) {
		want := min(len(recs), len(out)-lines)
		k := classifyLines(unsafe.SliceData(b[used:]), len(b)-used, &recs[0], want)
		for i := range recs[:k] {
			n := uint(recs[i].nl)
			t := n
			if n > 0 && b[used+int(n)-1] == '\r' {
				t--
			}
			out[lines] = LineVerdict{Len: int(n) + 1, Valid: recs[i].valid(b[used:], t)}
			lines, used = lines+1, used+int(n)+1
		}
		if k < want {
			break
		}
	}
	return lines, used
}

// valid reports whether b[:t], the text of the line m describes, is an
// address or prefix.
func (m *lineMasks) valid(b []byte, t uint) bool {
	all := uint64(1)<<t - 1
	e := uint(bits.TrailingZeros64((m.slash|m.pct)&all | 1<<t)) // the address is b[:e]
	ok, maxBits := false, 32
	if m.colon&(1<<e-1) == 0 {
		ok = m.ipv4(0, e)
	} else {
		ok, maxBits = m.ipv6(e), 128
	}
	switch {
	case !ok || e == t:
		return ok
	case m.slash>>e&1 != 0: // 1-3 digits, no leading zero, at most maxBits
		return scanBits(b[:t], int(e)+1, maxBits) == int(t)
	}
	// A zone: IPv6 only, not empty.
	rest := all &^ (uint64(1)<<(e+1) - 1)
	return maxBits == 128 && rest != 0 && rest&^m.zone == 0
}

// ipv4 reports whether bytes lo to hi (exclusive) are strict dotted
// decimal: digits and exactly three dots, every part 1-3 digits without a
// leading zero and at most 255.
func (m *lineMasks) ipv4(lo, hi uint) bool {
	r := (uint64(1)<<hi - 1) &^ (uint64(1)<<lo - 1)
	dot, dec := m.dot&r, m.dec&r
	starts := dec &^ (dec << 1) // first digit of each part
	bad := (dot | dec) ^ r |
		dot&(1<<lo|1<<(hi-1)) | dot&(dot>>1) | // empty parts
		dec&(dec>>1)&(dec>>2)&(dec>>3) | // four digits
		m.zero&starts&(dec>>1) | // a leading zero
		starts&(dec>>1)&(dec>>2)&m.big // three digits over 255
	return bad == 0 && bits.OnesCount64(dot) == 3
}

// ipv6 reports whether bytes 0 to e (exclusive) are an IPv6 address, as
// scanIPv6 reads them: groups of 1-4 hex digits separated by ":", at most
// one "::" standing for at least one zero group, and optionally IPv4 in
// the last 32 bits.
func (m *lineMasks) ipv6(e uint) bool {
	all := uint64(1)<<e - 1
	colon, dot, hex := m.colon&all, m.dot&all, m.hex&all
	bad := (colon | dot | hex) ^ all
	fields, groupsEnd := 0, e // where the groups end: at the IPv4 part, if any
	if dot != 0 {
		groupsEnd = uint(64 - bits.LeadingZeros64(colon))
		if bad|dot&(1<<groupsEnd-1) != 0 || !m.ipv4(groupsEnd, e) {
			return false
		}
		fields = 2
	}
	g := uint64(1)<<groupsEnd - 1
	colon, hex = colon&g, hex&g
	double := colon & (colon >> 1)                  // where "::" starts
	single := colon &^ (colon << 1) &^ (colon >> 1) // a lone ":" needs a group each side
	bad |= double&(colon>>2) | double&(double-1) |  // ":::", two "::"
		single&1 | single&(1<<(e-1)) | // ":" first or last
		hex&(hex>>1)&(hex>>2)&(hex>>3)&(hex>>4) // five hex digits
	// Eight fields (an IPv4 part is two) without "::", at most seven with.
	fields += bits.OnesCount64(hex &^ (hex << 1))
	if double == 0 {
		return bad == 0 && fields == 8
	}
	return bad == 0 && fields <= 7
}
