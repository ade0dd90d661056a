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
// or a service name from the embedded services table ("ssh", matched
// without regard to case; tcp names first, then udp).
func ParsePort(s string) (Port, error) {
	fail := func(format string, args ...any) (Port, error) {
		return 0, &ParseError{Kind: "port", Input: s, Reason: fmt.Sprintf(format, args...)}
	}
	switch {
	case s == "":
		return fail("empty")
	case whitespaceProblem(s, "port") != "":
		return fail("%s", whitespaceProblem(s, "port"))
	case s[0] == '-' || s[0] == '+':
		return fail("ports are 0-65535; a sign is not allowed")
	case s[0] >= '0' && s[0] <= '9':
		if !isDecimal(s) {
			return fail("%q is not a number", s)
		}
		if len(s) > 1 && s[0] == '0' {
			return fail("leading zero")
		}
		v, err := strconv.Atoi(s)
		if len(s) > 5 || err != nil || v > int(MaxPort) {
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
	if best := SuggestService(strings.ToLower(s)); best != "" {
		return fail("not a port number or a known service name; did you mean %q?", best)
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
	items := strings.Split(s, ",")
	var ranges []PortRange
	for i, item := range items {
		item = strings.TrimSpace(item)
		if item == "" {
			return fail("empty item %d (two commas in a row, or a leading or trailing comma)", i+1)
		}
		r, reason := parsePortItem(item)
		if reason != "" {
			return fail("%s", reason)
		}
		ranges = append(ranges, r)
	}
	return NewPortList(ranges...), nil
}

// parsePortItem parses one non-empty item of a port list: a port, a service
// name, "LO-HI", or "-" for all ports. It returns the range or why item is
// not one, naming the item.
func parsePortItem(item string) (PortRange, string) {
	if item == "-" {
		return AllPorts().ranges[0], ""
	}
	if p, err := ParsePort(item); err == nil {
		return PortRange{p, p}, "" // includes names with a hyphen, like ftp-data
	} else if !strings.Contains(item, "-") {
		return PortRange{}, fmt.Sprintf("port %q: %s", item, err.(*ParseError).Reason)
	}
	lo, hi, _ := strings.Cut(item, "-")
	switch {
	case lo == "" && isDecimal(hi):
		return PortRange{}, fmt.Sprintf("%q: negative port, or a range without its start; ports are 0-65535", item)
	case lo == "":
		return PortRange{}, fmt.Sprintf("%q: range without its start", item)
	case hi == "":
		return PortRange{}, fmt.Sprintf("%q: range without its end (write %s-65535, or - for all ports)", item, lo)
	case strings.Contains(hi, "-"):
		return PortRange{}, fmt.Sprintf("%q: more than one \"-\"", item)
	}
	first, err := ParsePort(lo)
	if err != nil {
		return PortRange{}, fmt.Sprintf("range %q: start %q: %s", item, lo, err.(*ParseError).Reason)
	}
	last, err := ParsePort(hi)
	if err != nil {
		return PortRange{}, fmt.Sprintf("range %q: end %q: %s", item, hi, err.(*ParseError).Reason)
	}
	if first > last {
		return PortRange{}, fmt.Sprintf("range %q is reversed (start > end); write %s-%s", item, hi, lo)
	}
	return PortRange{first, last}, ""
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
