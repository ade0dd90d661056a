package ip

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"netdiag/diag/netaddr"
	"netdiag/diag/render"
)

// infoLine is an Info as a JSON line: {"type":"ip", then Info's fields}.
type infoLine struct {
	Type string `json:"type"`
	Info
}

// writeInfo prints one Info: a JSON line, or a block of "name value" rows
// under a one-line verdict.
func writeInfo(o *render.Output, info Info) error {
	if o.JSON() {
		return o.WriteJSON(infoLine{"ip", info})
	}
	if !info.Valid {
		if err := o.Printf("%s  %s %s\n", o.Style(display(info.Input), render.Bold), o.Style("invalid:", render.Red, render.Bold), reason(info.Error)); err != nil {
			return err
		}
		if info.Note != "" {
			return o.Table(nil, [][]string{{"  note", info.Note}})
		}
		return nil
	}
	verdict := fmt.Sprintf("valid IPv%d %s", info.Version, info.Kind)
	if err := o.Printf("%s  %s\n", o.Style(display(info.Input), render.Bold), o.Style(verdict, render.Green)); err != nil {
		return err
	}
	return o.Table(nil, infoRows(o, info))
}

// infoRows are the rows of a valid input's block, indented.
func infoRows(o *render.Output, info Info) [][]string {
	var rows [][]string
	add := func(name, value string) {
		if value != "" {
			rows = append(rows, []string{"  " + name, value})
		}
	}
	add("warning", o.Style(info.HostBitsWarning, render.Yellow))
	add("address", info.Address)
	add("zone", info.Zone)
	if info.Version == 6 {
		add("expanded", info.Expanded)
	}
	add("integer", info.Integer)
	add("hex", info.Hex)
	add("binary", info.Binary)
	add("reverse DNS", info.ReverseDNS)
	if b := info.Special; b != nil {
		add("special", blockLine(b))
		add("", blockFlags(b))
	}
	add("allocation", info.Allocation)
	add("multicast", info.MulticastScope)
	add("properties", propertyLine(*info.Properties))
	if e := info.Embedded; e != nil {
		line := embeddedLine(e.Embedded)
		if e.Special != nil {
			line += ", in " + blockLine(e.Special)
		}
		add("embedded", line)
	}
	if p := info.Prefix; p != nil {
		add("network", p.Network)
		add("netmask", p.Netmask)
		add("wildcard", p.Wildcard)
		add("broadcast", p.Broadcast)
		add("hosts", p.FirstHost+" - "+p.LastHost)
		add("addresses", fmt.Sprintf("%s (%s usable)", p.Addresses, p.Hosts))
		add("reverse zone", p.ReverseZone)
	}
	return rows
}

// maxEcho is the most bytes of an input that output echoes: a longer
// input is cut, with its length, so one huge line cannot blow up a table's
// column (every row is padded to the widest) or a block.
const maxEcho = 64

// display returns s as typed when it is plain, or Go-quoted when it is
// empty or holds white space or control characters; an input longer than
// maxEcho bytes is cut: "aaaa… (100000 bytes)".
func display(s string) string {
	if len(s) > maxEcho {
		return quoteUnplain(head(s, maxEcho)) + fmt.Sprintf("… (%d bytes)", len(s))
	}
	return quoteUnplain(s)
}

// head returns at most n bytes of s, cut at a character boundary.
func head(s string, n int) string {
	for n > 0 && n < len(s) && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:min(n, len(s))]
}

// maxReason is the most bytes of a reason shown; a reason quotes the part of
// the input at fault, which may be most of a huge line.
const maxReason = 4 * maxEcho

// reason returns an invalid input's reason, cut like display's echo.
func reason(s string) string {
	if len(s) <= maxReason {
		return s
	}
	return head(s, maxReason) + fmt.Sprintf("… (%d bytes in all)", len(s))
}

// quoteUnplain returns s, Go-quoted when it is empty or holds white space
// or control characters.
func quoteUnplain(s string) string {
	if s == "" || !utf8.ValidString(s) || strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }) >= 0 {
		return strconv.Quote(s)
	}
	return s
}

// blockLine names a registry entry: "192.168.0.0/16 Private-Use (RFC 1918)".
func blockLine(b *Block) string {
	s := fmt.Sprintf("%s %s (%s)", b.Prefix, b.Name, b.RFC)
	if b.Terminated != "" {
		s += ", terminated " + b.Terminated
	}
	return s
}

// blockFlags lists a registry entry's five attributes.
func blockFlags(b *Block) string {
	if b.Terminated != "" {
		return ""
	}
	cells := []struct {
		name string
		v    netaddr.Tri
	}{
		{"source", b.Source}, {"destination", b.Destination}, {"forwardable", b.Forwardable},
		{"globally reachable", b.GloballyReachable}, {"reserved-by-protocol", b.ReservedByProtocol},
	}
	parts := make([]string, len(cells))
	for i, c := range cells {
		v := map[netaddr.Tri]string{netaddr.True: "yes", netaddr.False: "no", netaddr.NA: "n/a"}[c.v]
		parts[i] = c.name + " " + v
	}
	return strings.Join(parts, ", ")
}

// propertyLine lists the properties that hold, and the reachability.
func propertyLine(p netaddr.Properties) string {
	flags := []struct {
		on   bool
		name string
	}{
		{p.Unspecified, "unspecified"}, {p.Loopback, "loopback"}, {p.Private, "private"},
		{p.LinkLocal, "link-local"}, {p.Multicast, "multicast"}, {p.Documentation, "documentation"},
		{p.Shared, "shared (CGNAT)"}, {p.Benchmarking, "benchmarking"}, {p.Reserved, "reserved"},
	}
	var parts []string
	for _, f := range flags {
		if f.on {
			parts = append(parts, f.name)
		}
	}
	switch {
	case p.GlobalUnicast:
		parts = append(parts, "global unicast")
	case p.Global:
		parts = append(parts, "globally reachable")
	default:
		parts = append(parts, "not globally reachable")
	}
	return strings.Join(parts, ", ")
}

// embeddedLine describes the IPv4 address inside an IPv6 one.
func embeddedLine(e netaddr.Embedded) string {
	switch e.Kind {
	case netaddr.EmbedTeredo:
		return fmt.Sprintf("Teredo client %s port %d, server %s, flags 0x%04x", e.IPv4, e.Port, e.Server, e.Flags)
	case netaddr.EmbedMapped:
		return "IPv4-mapped " + e.IPv4.String()
	case netaddr.EmbedNAT64:
		return "NAT64 (well-known prefix) " + e.IPv4.String()
	}
	return e.Kind + " " + e.IPv4.String()
}

// shortHeader and shortRow are the one-line-per-input table of --short.
var shortHeader = []string{"INPUT", "RESULT", "CANONICAL", "DETAIL"}

func shortRow(o *render.Output, info Info) []string {
	if !info.Valid {
		return []string{display(info.Input), o.Style("invalid", render.Red), "-", reason(info.Error)}
	}
	canonical, detail := info.Address, ""
	if info.Prefix != nil {
		canonical = info.Prefix.Network
	}
	if info.Special != nil {
		detail = info.Special.Name + "; "
	}
	detail += propertyLine(*info.Properties)
	if info.HostBitsWarning != "" {
		detail += "; host bits set"
	}
	return []string{display(info.Input), o.Style(fmt.Sprintf("IPv%d %s", info.Version, info.Kind), render.Green), canonical, detail}
}
