package ifaces

import (
	"cmp"
	"fmt"
	"net/netip"
	"runtime"
	"strconv"
	"strings"

	"netdiag/diag/render"
)

// View selects how a Result is printed.
type View int

// The views.
const (
	// Full is the default: a block per interface with its link, addresses
	// and counters, then the default routes.
	Full View = iota
	// Brief is one line per interface, like "ip -br addr".
	Brief
)

// resultLine is a Result as its JSON line: {"type":"ifaces", then its
// fields}.
type resultLine struct {
	Type string `json:"type"`
	*Result
}

// Print writes res to out in the given view, or as one JSON object when out
// is in JSON mode. The address most users want (Address.DefaultSource) is
// highlighted when out has color.
func Print(out *render.Output, res *Result, view View) error {
	switch {
	case out.JSON():
		return out.WriteJSON(resultLine{"ifaces", res})
	case view == Brief:
		return printBrief(out, res)
	}
	return printFull(out, res)
}

func printBrief(out *render.Output, res *Result) error {
	rows := make([][]string, 0, len(res.Interfaces))
	for _, ifc := range res.Interfaces {
		addrs := make([]string, len(ifc.Addresses))
		for i, a := range ifc.Addresses {
			addrs[i] = addrText(out, a)
		}
		rows = append(rows, trimRow([]string{ifc.Name, stateWord(out, &ifc), strings.Join(addrs, " ")}))
	}
	return out.Table(nil, rows)
}

func printFull(out *render.Output, res *Result) error {
	for _, ifc := range res.Interfaces {
		if err := printInterface(out, &ifc); err != nil {
			return err
		}
	}
	return printRoutes(out, res)
}

const indent = "    "

func printInterface(out *render.Output, ifc *Interface) error {
	head := fmt.Sprintf("%d: %s", ifc.Index, out.Style(ifc.Name, render.Bold))
	if ifc.Kind != "" {
		head += " (" + ifc.Kind + ")"
	}
	head += "  state " + stateWord(out, ifc)
	if ifc.AdminUp && !ifc.Carrier {
		head += " (no carrier)"
	}
	head += fmt.Sprintf("  mtu %d  <%s>", ifc.MTU, strings.Join(ifc.Flags, ","))
	if err := out.Println(head); err != nil {
		return err
	}

	link := []string{indent + ifc.LinkType, cmp.Or(ifc.HardwareAddr, "-"), "", ""}
	var extra []string
	if ifc.Master != "" {
		extra = append(extra, "master "+ifc.Master)
	}
	for _, n := range ifc.AltNames {
		extra = append(extra, "altname "+n)
	}
	rows := [][]string{trimRow(append(link, strings.Join(extra, "  ")))}
	for _, a := range ifc.Addresses {
		rows = append(rows, addrRow(out, a))
	}
	if err := out.Table(nil, rows); err != nil {
		return err
	}
	if err := printCounters(out, ifc.Counters); err != nil {
		return err
	}
	return out.Println()
}

// addrRow is one address line: family, address/prefix, broadcast or peer,
// scope, then flags, label and lifetimes.
func addrRow(out *render.Output, a Address) []string {
	fam := "inet"
	if a.Family == "ipv6" {
		fam = "inet6"
	}
	var other string
	switch {
	case a.Peer.IsValid():
		other = "peer " + netip.PrefixFrom(a.Peer, a.PrefixLen).String()
	case a.Broadcast.IsValid():
		other = "brd " + a.Broadcast.String()
	}
	scope := "scope " + a.Scope
	if a.ULA {
		scope += " (ULA)"
	}
	extra := append([]string{}, a.Flags...)
	if a.Label != "" {
		extra = append(extra, "label "+a.Label)
	}
	if a.ValidLifetime != nil {
		extra = append(extra, "valid "+lifetime(a.ValidLifetime))
	}
	if a.PreferredLifetime != nil {
		extra = append(extra, "preferred "+lifetime(a.PreferredLifetime))
	}
	addr := a.Prefix().String()
	if a.Peer.IsValid() {
		addr = a.Address.String() // the prefix goes with the peer
	}
	return trimRow([]string{indent + fam, highlight(out, a, addr), other, scope, strings.Join(extra, " ")})
}

// addrText is "address/prefix" or, as iproute2 writes a point-to-point
// address, "local peer remote/prefix"; highlighted when it is a default
// source.
func addrText(out *render.Output, a Address) string {
	if a.Peer.IsValid() {
		return highlight(out, a, a.Address.String()) + " peer " + netip.PrefixFrom(a.Peer, a.PrefixLen).String()
	}
	return highlight(out, a, a.Prefix().String())
}

// highlight styles s, the text of a, when a is a default source.
func highlight(out *render.Output, a Address, s string) string {
	if a.DefaultSource {
		return out.Style(s, render.Bold, render.Green)
	}
	return s
}

func lifetime(s *uint32) string { return strconv.FormatUint(uint64(*s), 10) + "s" }

func printCounters(out *render.Output, c *Counters) error {
	if c == nil {
		return out.Table(nil, [][]string{{indent + "RX/TX", "counters not available on " + runtime.GOOS}})
	}
	num := func(name string, v uint64) string { return name + " " + strconv.FormatUint(v, 10) }
	bytes := func(v uint64) string { return fmt.Sprintf("bytes %d (%s)", v, render.Bytes(v)) }
	return out.Table(nil, [][]string{
		{indent + "RX", num("packets", c.RX.Packets), bytes(c.RX.Bytes), num("errors", c.RX.Errors),
			num("dropped", c.RX.Dropped), num("overruns", c.RX.FIFOErrors), num("frame", c.RX.FrameErrors)},
		{indent + "TX", num("packets", c.TX.Packets), bytes(c.TX.Bytes), num("errors", c.TX.Errors),
			num("dropped", c.TX.Dropped), num("overruns", c.TX.FIFOErrors), num("carrier", c.TX.CarrierErrors),
			num("collisions", c.TX.Collisions)},
	})
}

func printRoutes(out *render.Output, res *Result) error {
	routes := res.DefaultRoutes
	switch {
	case routes == nil:
		return out.Println("Default routes: not available on " + runtime.GOOS)
	case len(routes) == 0 && res.filtered:
		return out.Println("Default routes: none via the interfaces and family shown")
	case len(routes) == 0:
		return out.Println("Default routes: none")
	}
	if err := out.Println("Default routes:"); err != nil {
		return err
	}
	rows := make([][]string, len(routes))
	for i, r := range routes {
		via := "via -"
		if r.Gateway.IsValid() {
			via = "via " + r.Gateway.String()
		}
		row := []string{indent + strings.Replace(r.Family, "ip", "IP", 1), via, "dev " + r.Interface,
			fmt.Sprintf("metric %d", r.Metric), "proto " + r.Protocol}
		if r.Source.IsValid() {
			row = append(row, "src "+r.Source.String())
		}
		if r.LinkDown {
			row = append(row, "linkdown")
		}
		rows[i] = row
	}
	return out.Table(nil, rows)
}

// stateWord is the operational state in capitals, green when up and red when
// down on a color terminal.
func stateWord(out *render.Output, ifc *Interface) string {
	s := strings.ToUpper(ifc.OperState)
	switch ifc.OperState {
	case "up":
		return out.Style(s, render.Green)
	case "down", "lowerlayerdown":
		return out.Style(s, render.Red)
	}
	return s
}

// trimRow drops empty trailing cells so lines carry no trailing spaces.
func trimRow(row []string) []string {
	for len(row) > 1 && row[len(row)-1] == "" {
		row = row[:len(row)-1]
	}
	return row
}
