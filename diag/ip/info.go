// Package ipinfo implements "netdiag ip": validate and explain IPv4 and IPv6
// addresses and prefixes, like ipcalc and sipcalc, strictly.
//
// For each input it reports whether it is valid and, if not, why (naming
// the offending part, and how iputils ping or ipcalc would read it instead);
// for a valid one the version, the RFC 5952 canonical and the fully expanded
// forms, the address as an integer, in hex and in binary, its reverse-DNS
// name, the IANA special-purpose registry entry it falls in with its
// properties, and the IPv4 address inside an IPv4-mapped, 6to4, Teredo or
// NAT64 address. For a prefix it adds the network, netmask, wildcard,
// broadcast, first and last usable host and the number of addresses.
//
// Analyze is the core (a string in, an Info out, no I/O); Filter is the
// allocation-free path behind --valid and --invalid; command.go and
// render.go are the CLI glue.
package ip

import (
	"fmt"
	"math/big"
	"net/netip"
	"strings"

	"netdiag/diag/netaddr"
)

// Info is everything netdiag ip reports about one input. Its JSON form is
// the --json output, one object per input; fields that do not apply are
// left out.
type Info struct {
	Input string `json:"input"`           // the text as given
	Valid bool   `json:"valid"`           // an address or prefix netaddr accepts
	Error string `json:"error,omitempty"` // why it is invalid, naming the offending part
	Note  string `json:"note,omitempty"`  // how classic tools (ping, ipcalc) read the invalid form

	Kind    string `json:"kind,omitempty"`    // "address" or "prefix"
	Version int    `json:"version,omitempty"` // 4 or 6

	// The address (for a prefix, the address as written before the "/").
	Address    string `json:"address,omitempty"`  // RFC 5952 canonical form, with the zone
	Zone       string `json:"zone,omitempty"`     // the IPv6 zone, if any
	Expanded   string `json:"expanded,omitempty"` // every group in full, never the zone
	Integer    string `json:"integer,omitempty"`  // the address as an unsigned decimal integer
	Hex        string `json:"hex,omitempty"`      // 0x and 8 or 32 hex digits
	Binary     string `json:"binary,omitempty"`   // bits, in octets (IPv4) or 16-bit groups (IPv6)
	ReverseDNS string `json:"reverse_dns,omitempty"`

	Special         *Block              `json:"special,omitempty"`           // the IANA special-purpose registry entry
	Allocation      string              `json:"allocation,omitempty"`        // the IANA address-space entry, when there is one
	MulticastScope  string              `json:"multicast_scope,omitempty"`   // IPv6 multicast scope (RFC 7346)
	Properties      *netaddr.Properties `json:"properties,omitempty"`        // the yes/no facts
	Embedded        *Embedded           `json:"embedded,omitempty"`          // the IPv4 address inside an IPv6 one
	Prefix          *PrefixInfo         `json:"prefix,omitempty"`            // prefixes only
	HostBitsWarning string              `json:"host_bits_warning,omitempty"` // "host bits set: ..."
}

// Block is a special-purpose registry entry as netdiag ip reports it.
type Block struct {
	Prefix             string      `json:"prefix"` // as IANA writes it
	Name               string      `json:"name"`
	RFC                string      `json:"rfc"`
	Terminated         string      `json:"terminated,omitempty"`
	Source             netaddr.Tri `json:"source"` // true, false, or null for N/A or blank
	Destination        netaddr.Tri `json:"destination"`
	Forwardable        netaddr.Tri `json:"forwardable"`
	GloballyReachable  netaddr.Tri `json:"globally_reachable"`
	ReservedByProtocol netaddr.Tri `json:"reserved_by_protocol"`
}

// Embedded is the IPv4 address inside an IPv6 address, with its own
// registry entry.
type Embedded struct {
	netaddr.Embedded
	Special *Block `json:"special,omitempty"` // the IPv4 address's registry entry
}

// PrefixInfo describes the network of a prefix.
type PrefixInfo struct {
	Network     string `json:"network"` // "192.168.1.0/24"
	Length      int    `json:"length"`
	Netmask     string `json:"netmask"`
	Wildcard    string `json:"wildcard"`
	Broadcast   string `json:"broadcast,omitempty"` // IPv4 prefixes shorter than /31
	FirstHost   string `json:"first_host"`          // see netaddr.UsableRange
	LastHost    string `json:"last_host"`
	Addresses   string `json:"addresses"`              // all addresses, exact, in decimal
	Hosts       string `json:"hosts"`                  // usable host addresses, in decimal
	ReverseZone string `json:"reverse_zone,omitempty"` // when the length is a whole number of octets (IPv4) or nibbles (IPv6)
}

// Analyze explains one input: an address or, if it contains a "/", a
// prefix.
func Analyze(s string) Info {
	info := Info{Input: s}
	var a netip.Addr
	var p netip.Prefix
	var err error
	if strings.Contains(s, "/") {
		p, err = netaddr.ParsePrefix(s)
		a = p.Addr()
		info.Kind = "prefix"
	} else {
		a, err = netaddr.ParseAddr(s)
		info.Kind = "address"
	}
	if err != nil {
		pe := err.(*netaddr.ParseError)
		return Info{Input: s, Error: pe.Reason, Note: pe.Note}
	}
	info.Valid = true
	describeAddr(&info, a)
	if p.IsValid() {
		info.Prefix = describePrefix(p)
		info.HostBitsWarning = netaddr.HostBitsWarning(p)
	}
	return info
}

// describeAddr fills in the address fields of info.
func describeAddr(info *Info, a netip.Addr) {
	info.Version = 4
	if a.Is6() {
		info.Version = 6
	}
	info.Address = a.String()
	info.Zone = a.Zone()
	info.Expanded = netaddr.Expanded(a)
	info.Integer = Integer(a).String()
	info.Hex = Hex(a)
	info.Binary = Binary(a)
	info.ReverseDNS = netaddr.ReverseName(a)
	info.Special = lookupBlock(a)
	if sp, ok := netaddr.LookupSpace(a); ok {
		info.Allocation = fmt.Sprintf("%s, %s (%s)", sp.Name, sp.Block, sp.RFC)
	}
	info.MulticastScope = MulticastScope(a)
	props := netaddr.AddrProperties(a)
	info.Properties = &props
	if e, ok := netaddr.EmbeddedIPv4(a); ok {
		info.Embedded = &Embedded{Embedded: e, Special: lookupBlock(e.IPv4)}
	}
}

func lookupBlock(a netip.Addr) *Block {
	b, ok := netaddr.LookupSpecial(a)
	if !ok {
		return nil
	}
	return &Block{Prefix: b.Block, Name: b.Name, RFC: b.RFC, Terminated: b.Terminated,
		Source: b.Source, Destination: b.Destination, Forwardable: b.Forwardable,
		GloballyReachable: b.GloballyReachable, ReservedByProtocol: b.ReservedByProtocol}
}

// describePrefix computes the network facts ipcalc and sipcalc print.
func describePrefix(p netip.Prefix) *PrefixInfo {
	u := netaddr.UsableRange(p)
	hosts := new(big.Int).Sub(Integer(u.Last), Integer(u.First))
	hosts.Add(hosts, big.NewInt(1))
	pi := &PrefixInfo{
		Network:     p.Masked().String(),
		Length:      p.Bits(),
		Netmask:     maskString(netaddr.Netmask(p)),
		Wildcard:    maskString(netaddr.Wildcard(p)),
		FirstHost:   u.First.String(),
		LastHost:    u.Last.String(),
		Addresses:   netaddr.PrefixSize(p).String(),
		Hosts:       hosts.String(),
		ReverseZone: ReverseZone(p),
	}
	if p.Addr().Is4() && p.Bits() < 31 {
		pi.Broadcast = netaddr.LastAddr(p).String()
	}
	return pi
}

// ReverseZone returns the reverse-DNS zone that holds exactly the addresses
// of p ("1.168.192.in-addr.arpa" for 192.168.1.0/24), or "" when p's length
// is not a whole number of octets (IPv4) or nibbles (IPv6); such networks
// need RFC 2317 delegation.
func ReverseZone(p netip.Prefix) string {
	step := 8
	if p.Addr().Is6() {
		step = 4
	}
	if p.Bits()%step != 0 {
		return ""
	}
	name := netaddr.ReverseName(p.Masked().Addr())
	labels := strings.Split(name, ".")
	// The name has one label per octet or nibble, then two for the suffix.
	drop := (p.Addr().BitLen() - p.Bits()) / step
	return strings.Join(labels[drop:], ".")
}

// MulticastScope returns the scope of an IPv6 multicast address (RFC 4291
// section 2.7, RFC 7346), or "".
func MulticastScope(a netip.Addr) string {
	if !a.Is6() || a.Is4In6() || !a.IsMulticast() {
		return ""
	}
	scopes := map[byte]string{
		0x1: "interface-local", 0x2: "link-local", 0x3: "realm-local", 0x4: "admin-local",
		0x5: "site-local", 0x8: "organization-local", 0xe: "global",
		0x0: "reserved", 0xf: "reserved",
	}
	s := a.As16()[1] & 0x0f
	if name, ok := scopes[s]; ok {
		return fmt.Sprintf("%s (%x)", name, s)
	}
	return fmt.Sprintf("unassigned (%x)", s)
}
