package netaddr

import (
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"
)

// Port is a TCP or UDP port number, 0-65535.
type Port uint16

// MaxPort is the highest port number.
const MaxPort Port = 65535

// String returns the decimal port number.
func (p Port) String() string { return strconv.Itoa(int(p)) }

// PortClass is a port's class in one of the two classic classifications.
type PortClass string

// The classic two-way split and IANA's three ranges (RFC 6335 section 6).
const (
	ClassWellKnown PortClass = "well-known" // 0-1023 (classic split)
	ClassDynamic   PortClass = "dynamic"    // 1024-65535 (classic split)
	IANASystem     PortClass = "system"     // IANA System Ports, 0-1023
	IANAUser       PortClass = "user"       // IANA User (Registered) Ports, 1024-49151
	IANADynamic    PortClass = "dynamic"    // IANA Dynamic (Private) Ports, 49152-65535
)

// Class returns the classic two-way class: well-known (0-1023) or dynamic
// (1024-65535).
func (p Port) Class() PortClass {
	if p <= 1023 {
		return ClassWellKnown
	}
	return ClassDynamic
}

// IANARange returns the IANA range (RFC 6335): system 0-1023, user
// (registered) 1024-49151, dynamic (private) 49152-65535.
func (p Port) IANARange() PortClass {
	switch {
	case p <= 1023:
		return IANASystem
	case p <= 49151:
		return IANAUser
	}
	return IANADynamic
}

// ParsePort parses a decimal port number (0-65535, no sign, no leading zero)
// or a TCP service name from the embedded services table ("ssh").
func ParsePort(s string) (Port, error) {
	fail := func(format string, args ...any) (Port, error) {
		return 0, &ParseError{Kind: "port", Input: s, Reason: fmt.Sprintf(format, args...)}
	}
	if s == "" {
		return fail("empty")
	}
	if s[0] == '-' || s[0] == '+' {
		return fail("ports are 0-65535; a sign is not allowed")
	}
	if s[0] >= '0' && s[0] <= '9' {
		for _, c := range s {
			if c < '0' || c > '9' {
				return fail("%q is not a number", s)
			}
		}
		if len(s) > 1 && s[0] == '0' {
			return fail("leading zero")
		}
		v, err := strconv.ParseUint(s, 10, 32)
		if err != nil || v > uint64(MaxPort) {
			return fail("out of range; ports are 0-65535")
		}
		return Port(v), nil
	}
	if p, ok := LookupService(strings.ToLower(s), "tcp"); ok {
		return p, nil
	}
	if p, ok := LookupService(strings.ToLower(s), "udp"); ok {
		return p, nil
	}
	return fail("not a port number or a known service name")
}

// PortRange is an inclusive range of ports, First <= Last.
type PortRange struct {
	First, Last Port
}

// Len returns the number of ports in r.
func (r PortRange) Len() int { return int(r.Last) - int(r.First) + 1 }

// String returns "N" or "N-M".
func (r PortRange) String() string {
	if r.First == r.Last {
		return r.First.String()
	}
	return r.First.String() + "-" + r.Last.String()
}

// PortList is a set of ports kept as sorted, merged ranges. The zero value
// is the empty list.
type PortList struct {
	ranges []PortRange
}

// AllPorts is the list "-" stands for: 1-65535.
func AllPorts() PortList { return PortList{ranges: []PortRange{{1, MaxPort}}} }

// NewPortList returns the list holding the given ranges, sorted and merged.
func NewPortList(ranges ...PortRange) PortList {
	rs := slices.Clone(ranges)
	slices.SortFunc(rs, func(a, b PortRange) int { return int(a.First) - int(b.First) })
	var out []PortRange
	for _, r := range rs {
		if n := len(out); n > 0 && int(r.First) <= int(out[n-1].Last)+1 {
			out[n-1].Last = max(out[n-1].Last, r.Last)
			continue
		}
		out = append(out, r)
	}
	return PortList{ranges: out}
}

// ParsePortList parses a comma-separated list of ports, ranges and service
// names: "80", "1-1024", "22,80,443,8000-8100", "ssh,http", and "-" for all
// ports 1-65535. Duplicates and overlaps are merged.
func ParsePortList(s string) (PortList, error) {
	fail := func(format string, args ...any) (PortList, error) {
		return PortList{}, &ParseError{Kind: "port list", Input: s, Reason: fmt.Sprintf(format, args...)}
	}
	if s == "" {
		return fail("empty")
	}
	if s == "-" {
		return AllPorts(), nil
	}
	var ranges []PortRange
	for i, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			return fail("empty item %d (two commas in a row, or a leading or trailing comma)", i+1)
		}
		if item == "-" {
			ranges = append(ranges, AllPorts().ranges...)
			continue
		}
		if p, err := ParsePort(item); err == nil { // a number, or a name, which may hold a hyphen ("http-alt")
			ranges = append(ranges, PortRange{p, p})
			continue
		}
		lo, hi, isRange := strings.Cut(item, "-")
		if isRange && lo == "" {
			if _, err := strconv.Atoi(hi); err == nil {
				return fail("%q: negative port, or a range without its start; ports are 0-65535", item)
			}
			return fail("%q: range without its start", item)
		}
		if isRange && hi == "" {
			return fail("%q: range without its end (write %s-65535, or - for all ports)", item, lo)
		}
		if !isRange {
			p, err := ParsePort(item)
			if err != nil {
				return fail("%s", err.(*ParseError).Error()[len("invalid "):])
			}
			ranges = append(ranges, PortRange{p, p})
			continue
		}
		first, err := ParsePort(lo)
		if err != nil {
			return fail("range %q: start %s", item, err.(*ParseError).Reason)
		}
		last, err := ParsePort(hi)
		if err != nil {
			return fail("range %q: end %s", item, err.(*ParseError).Reason)
		}
		if first > last {
			return fail("range %q is reversed (start > end); write %s-%s", item, hi, lo)
		}
		ranges = append(ranges, PortRange{first, last})
	}
	return NewPortList(ranges...), nil
}

// Len returns how many ports l holds.
func (l PortList) Len() int {
	n := 0
	for _, r := range l.ranges {
		n += r.Len()
	}
	return n
}

// Ranges returns l's sorted, merged ranges. The caller must not modify them.
func (l PortList) Ranges() []PortRange { return l.ranges }

// Contains reports whether p is in l.
func (l PortList) Contains(p Port) bool {
	i, _ := slices.BinarySearchFunc(l.ranges, p, func(r PortRange, p Port) int {
		switch {
		case r.Last < p:
			return -1
		case r.First > p:
			return 1
		}
		return 0
	})
	return i < len(l.ranges) && l.ranges[i].First <= p && p <= l.ranges[i].Last
}

// All yields every port in l in ascending order.
func (l PortList) All() iter.Seq[Port] {
	return func(yield func(Port) bool) {
		for _, r := range l.ranges {
			for p := int(r.First); p <= int(r.Last); p++ {
				if !yield(Port(p)) {
					return
				}
			}
		}
	}
}

// String formats l as a canonical list ("22,80,8000-8100") that ParsePortList
// reads back to the same list; the full range prints as "1-65535".
func (l PortList) String() string {
	parts := make([]string, len(l.ranges))
	for i, r := range l.ranges {
		parts[i] = r.String()
	}
	return strings.Join(parts, ",")
}
