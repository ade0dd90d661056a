package check

import (
	"fmt"
	"net/netip"
	"strings"

	"netdiag/diag/ifaces"
)

// InterfacesStep is the interfaces step: is at least one interface other
// than loopback up, with an address?
type InterfacesStep struct {
	Verdict
	// Interfaces are every interface but loopback, in kernel order.
	Interfaces []InterfaceState `json:"interfaces"`
}

// InterfaceState is one interface as the check sees it.
type InterfaceState struct {
	Name string `json:"name"`
	// State is "up" (up with a carrier), "no-carrier" (enabled, but no
	// link: cable, Wi-Fi) or "down" (disabled).
	State string `json:"state"`
	// Addresses are its IPv4 and IPv6 addresses with prefix lengths.
	Addresses []netip.Prefix `json:"addresses"`
	// Usable is set when it is up with an IPv4 address or a global IPv6
	// one: it can reach beyond the link.
	Usable bool `json:"usable"`
	// DefaultRoute is set when a default route leaves through it.
	DefaultRoute bool `json:"default_route"`
}

// maxListed is how many interfaces a detail line names before "+N more".
const maxListed = 3

// checkInterfaces judges the interfaces ifaces gathered. Interfaces holding
// a default route come first in the detail line.
func checkInterfaces(ifs *ifaces.Result) InterfacesStep {
	st := InterfacesStep{Interfaces: []InterfaceState{}}
	routed := map[int]bool{}
	for _, rt := range ifs.DefaultRoutes {
		routed[rt.Index] = true
	}
	var usable, noAddr, noCarrier, down []string
	for _, ifc := range ifs.Interfaces {
		if ifc.IsLoopback() {
			continue
		}
		s := InterfaceState{Name: ifc.Name, State: "up", DefaultRoute: routed[ifc.Index], Addresses: []netip.Prefix{}}
		for _, a := range ifc.Addresses {
			s.Addresses = append(s.Addresses, a.Prefix())
			if a.Address.Is4() || a.Scope == "global" {
				s.Usable = true
			}
		}
		switch {
		case !ifc.AdminUp:
			s.State, s.Usable = "down", false
			down = append(down, ifc.Name)
		case !ifc.IsUp():
			s.State, s.Usable = "no-carrier", false
			noCarrier = append(noCarrier, ifc.Name)
		case !s.Usable:
			noAddr = append(noAddr, ifc.Name)
		case s.DefaultRoute:
			usable = append([]string{describeInterface(s)}, usable...)
		default:
			usable = append(usable, describeInterface(s))
		}
		st.Interfaces = append(st.Interfaces, s)
	}
	switch {
	case len(usable) > 0:
		st.Status, st.Detail = OK, listed(usable)
	case len(noAddr) > 0:
		st.Status, st.Problem = Fail, NoAddress
		st.Detail = listed(noAddr) + " up, but without an IPv4 or global IPv6 address"
	case len(noCarrier) > 0:
		st.Status, st.Problem = Fail, NoCarrier
		st.Detail = listed(noCarrier) + " enabled, but no link (no carrier)"
	case len(down) > 0:
		st.Status, st.Problem = Fail, NoInterface
		st.Detail = "no interface is up; down: " + listed(down)
	default:
		st.Status, st.Problem = Fail, NoInterface
		st.Detail = "no network interface besides loopback"
	}
	return st
}

// describeInterface formats an interface for a detail line: "eth0
// 192.168.1.10/24 2001:db8::10/64", leaving out link-local addresses.
func describeInterface(s InterfaceState) string {
	parts := []string{s.Name}
	for _, p := range s.Addresses {
		if !p.Addr().IsLinkLocalUnicast() {
			parts = append(parts, p.String())
		}
	}
	return strings.Join(parts, " ")
}

// listed joins up to maxListed items with ", " and counts the rest.
func listed(items []string) string {
	if len(items) <= maxListed {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s, +%d more", strings.Join(items[:maxListed], ", "), len(items)-maxListed)
}
