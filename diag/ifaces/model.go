package ifaces

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"netdiag/diag/netaddr"
)

// ErrNotAvailable is returned (wrapped) by DefaultRoutes on operating systems
// where netdiag cannot read the routing table. It matches
// errors.ErrUnsupported.
var ErrNotAvailable = fmt.Errorf("not available here: %w", errors.ErrUnsupported)

// Options selects what Gather returns. The zero value means everything.
type Options struct {
	// Names keeps only the interfaces with these names (or alternative
	// names). Names that match no interface make Gather return an
	// *UnknownNamesError alongside the interfaces that did match.
	Names []string
	// UpOnly hides interfaces that are administratively down (flag UP unset),
	// like "ip link show up".
	UpOnly bool
	// Family keeps only addresses and default routes of one family. As with
	// "ip -4 addr", interfaces left without an address of that family are
	// hidden, unless they were asked for by name.
	Family netaddr.Family
}

// Result is what Gather found. Interfaces are in kernel index order.
type Result struct {
	Interfaces []Interface `json:"interfaces"`
	// DefaultRoutes are the default routes of the main routing table,
	// preferred first (IPv4 before IPv6, usable before link-down, then by
	// metric). It is nil (JSON null) where the OS does not let netdiag read
	// routes, and empty ([]) when there is no default route.
	DefaultRoutes []Route `json:"default_routes"`

	// filtered records that Options.Names or Family hid something, so "no
	// default route" means "none via what is shown".
	filtered bool
}

// Interface is one network interface.
type Interface struct {
	// Index is the kernel's interface index.
	Index int `json:"index"`
	// Name is the interface name, AltNames its alternative names (Linux).
	Name     string   `json:"name"`
	AltNames []string `json:"altnames"`
	// Kind is the Linux driver kind ("veth", "dummy", "bridge", "wireguard"…);
	// empty for physical devices and on other systems.
	Kind string `json:"kind"`
	// LinkType is the link-layer type in iproute2's words: "ether",
	// "loopback", "none", "ppp", "ipip"… ("ether" or "loopback" or "none"
	// elsewhere).
	LinkType string `json:"link_type"`
	// Flags are the interface flags in kernel bit order: UP, BROADCAST,
	// LOOPBACK, POINTOPOINT, RUNNING, NOARP, PROMISC, ALLMULTI, MASTER, SLAVE,
	// MULTICAST, …, LOWER_UP, DORMANT, ECHO.
	Flags []string `json:"flags"`
	// AdminUp is the UP flag: the administrator enabled the interface.
	AdminUp bool `json:"admin_up"`
	// OperState is the RFC 2863 operational state on Linux ("up", "down",
	// "unknown", "dormant", "lowerlayerdown", "notpresent", "testing");
	// elsewhere "up" when RUNNING and "down" otherwise.
	OperState string `json:"oper_state"`
	// Carrier reports a link signal (flag RUNNING).
	Carrier bool `json:"carrier"`
	// MTU is the maximum transmission unit in bytes.
	MTU int `json:"mtu"`
	// HardwareAddr is the link-layer address ("02:00:5e:10:00:00"); empty
	// when the interface has none.
	HardwareAddr string `json:"hardware_address"`
	// Master is the bridge or bond this interface is enslaved to, if any.
	Master string `json:"master,omitzero"`
	// Addresses are the IP addresses, IPv4 first, in kernel order.
	Addresses []Address `json:"addresses"`
	// Counters are the traffic counters; nil (JSON null) where the OS does
	// not offer them.
	Counters *Counters `json:"counters"`
}

// Address is one IP address of an interface.
type Address struct {
	Address netip.Addr `json:"address"`
	// PrefixLen is the prefix length; for a point-to-point address it
	// belongs to Peer, as in "10.0.0.1 peer 10.0.0.2/32".
	PrefixLen int `json:"prefix_len"`
	// Family is "ipv4" or "ipv6".
	Family string `json:"family"`
	// Scope is the kernel's address scope as iproute2 names it: "global",
	// "site", "link", "host", "nowhere" (or a number). Outside Linux it is
	// derived from the address.
	Scope string `json:"scope"`
	// ULA marks IPv6 unique local addresses (fc00::/7, RFC 4193): global
	// scope for the kernel, but only routable inside a site.
	ULA bool `json:"ula"`
	// Broadcast is the IPv4 broadcast address, when there is one.
	Broadcast netip.Addr `json:"broadcast,omitzero"`
	// Peer is the remote address of a point-to-point address.
	Peer netip.Addr `json:"peer,omitzero"`
	// Label is the IPv4 address label ("eth0:1"), when it differs from the
	// interface name.
	Label string `json:"label,omitzero"`
	// Flags are the kernel's address flags: "secondary", "temporary",
	// "tentative", "deprecated", "dadfailed", "optimistic", "nodad",
	// "noprefixroute", "mngtmpaddr", "stable-privacy", "dynamic" (has a
	// finite lifetime), "home", "autojoin".
	Flags []string `json:"flags"`
	// ValidLifetime and PreferredLifetime are the remaining lifetimes in
	// seconds; nil (JSON null) means forever (or unknown outside Linux).
	ValidLifetime     *uint32 `json:"valid_lifetime_s"`
	PreferredLifetime *uint32 `json:"preferred_lifetime_s"`
	// DefaultSource marks the address a user most likely wants: the primary
	// global address of the interface holding the preferred default route of
	// this family, as Result.Primary chooses it.
	DefaultSource bool `json:"default_source"`
}

// Prefix returns the address with its prefix length.
func (a Address) Prefix() netip.Prefix {
	return netip.PrefixFrom(a.Address, a.PrefixLen)
}

// HasFlag reports whether the address carries the named flag.
func (a Address) HasFlag(flag string) bool { return slices.Contains(a.Flags, flag) }

// usable reports whether the address can be a source: not secondary,
// temporary, tentative, deprecated or failed.
func (a Address) usable() bool {
	for _, f := range []string{"secondary", "temporary", "tentative", "deprecated", "dadfailed"} {
		if a.HasFlag(f) {
			return false
		}
	}
	return true
}

// Counters are an interface's traffic counters since it was created.
type Counters struct {
	RX RXCounters `json:"rx"`
	TX TXCounters `json:"tx"`
}

// RXCounters are the receive counters. FIFOErrors is what ifconfig calls
// "overruns" and FrameErrors its "frame"; OverErrors is iproute2's "overrun".
type RXCounters struct {
	Bytes        uint64 `json:"bytes"`
	Packets      uint64 `json:"packets"`
	Errors       uint64 `json:"errors"`
	Dropped      uint64 `json:"dropped"`
	OverErrors   uint64 `json:"over_errors"`
	FIFOErrors   uint64 `json:"fifo_errors"`
	FrameErrors  uint64 `json:"frame_errors"`
	MissedErrors uint64 `json:"missed_errors"`
	Multicast    uint64 `json:"multicast"`
}

// TXCounters are the transmit counters. FIFOErrors is what ifconfig calls
// "overruns".
type TXCounters struct {
	Bytes         uint64 `json:"bytes"`
	Packets       uint64 `json:"packets"`
	Errors        uint64 `json:"errors"`
	Dropped       uint64 `json:"dropped"`
	FIFOErrors    uint64 `json:"fifo_errors"`
	CarrierErrors uint64 `json:"carrier_errors"`
	Collisions    uint64 `json:"collisions"`
}

// Route is one default route (one next hop of it, for a multipath route).
type Route struct {
	// Family is the route's family, "ipv4" or "ipv6".
	Family string `json:"family"`
	// Gateway is the next hop; the zero Addr (omitted in JSON) for a route
	// straight out of the interface ("default dev ppp0"). An IPv4 route may
	// have an IPv6 gateway (RFC 5549).
	Gateway netip.Addr `json:"gateway,omitzero"`
	// Interface and Index name the interface the route leaves through.
	Interface string `json:"interface"`
	Index     int    `json:"index"`
	// Metric is the route priority; lower is preferred.
	Metric uint32 `json:"metric"`
	// Protocol is who installed the route: "boot", "static", "dhcp", "ra",
	// "kernel", a routing daemon's name, or a number.
	Protocol string `json:"protocol"`
	// Source is the route's preferred source address, if it names one.
	Source netip.Addr `json:"source,omitzero"`
	// LinkDown marks a route whose interface has no carrier: the kernel
	// keeps it but will not use it.
	LinkDown bool `json:"linkdown"`
}

// IsUp reports whether the interface is administratively up and has a
// carrier (flags UP and RUNNING): it can pass traffic.
func (i *Interface) IsUp() bool { return i.AdminUp && i.Carrier }

// IsLoopback reports whether the interface is a loopback interface.
func (i *Interface) IsLoopback() bool { return i.HasFlag("LOOPBACK") }

// HasFlag reports whether the interface carries the named flag ("UP",
// "RUNNING", "LOOPBACK"…).
func (i *Interface) HasFlag(flag string) bool { return slices.Contains(i.Flags, flag) }

// Interface returns the interface with the given index, or nil.
func (r *Result) Interface(index int) *Interface {
	for k := range r.Interfaces {
		if r.Interfaces[k].Index == index {
			return &r.Interfaces[k]
		}
	}
	return nil
}

// Primary returns the preferred default route of family fam (netaddr.IPv4 or
// netaddr.IPv6) and the address it most likely uses as source: the route's
// preferred source, else the first usable (not secondary, temporary,
// tentative, deprecated or failed) global address of that family on the
// route's interface, a globally routable one before a ULA. ok is false when
// there is no such route or address.
func (r *Result) Primary(fam netaddr.Family) (route Route, addr Address, ok bool) {
	for _, rt := range r.DefaultRoutes {
		if rt.Family != familyWord(fam) {
			continue
		}
		ifc := r.Interface(rt.Index)
		if ifc == nil {
			return Route{}, Address{}, false
		}
		best := -1
		for k, a := range ifc.Addresses {
			switch {
			case !fam.Matches(a.Address) || a.Scope != "global":
			case rt.Source.IsValid() && a.Address == rt.Source:
				return rt, a, true
			case a.usable() && (best < 0 || (ifc.Addresses[best].ULA && !a.ULA)):
				best = k
			}
		}
		if best < 0 {
			return rt, Address{}, false
		}
		return rt, ifc.Addresses[best], true
	}
	return Route{}, Address{}, false
}

// markDefaultSources sets Address.DefaultSource on the primary address of
// each family.
func (r *Result) markDefaultSources() {
	for _, fam := range []netaddr.Family{netaddr.IPv4, netaddr.IPv6} {
		rt, a, ok := r.Primary(fam)
		if !ok {
			continue
		}
		ifc := r.Interface(rt.Index)
		for k := range ifc.Addresses {
			if ifc.Addresses[k].Address == a.Address {
				ifc.Addresses[k].DefaultSource = true
			}
		}
	}
}

// familyWord returns the JSON family word for fam.
func familyWord(fam netaddr.Family) string {
	if fam == netaddr.IPv6 {
		return "ipv6"
	}
	return "ipv4"
}

// familyOf returns the JSON family word of a.
func familyOf(a netip.Addr) string {
	if a.Is4() {
		return "ipv4"
	}
	return "ipv6"
}

// isULA reports whether a is an IPv6 unique local address (fc00::/7).
func isULA(a netip.Addr) bool {
	return a.Is6() && !a.Is4In6() && a.As16()[0]&0xfe == 0xfc
}

// UnknownNamesError reports interface names that do not exist.
type UnknownNamesError struct {
	// Names are the names asked for that matched no interface.
	Names []string
	// Known are the names of every interface that exists.
	Known []string
}

// Error says which names are unknown and lists the ones that exist.
func (e *UnknownNamesError) Error() string {
	noun := "no interface named"
	if len(e.Names) > 1 {
		noun = "no interfaces named"
	}
	quoted := make([]string, len(e.Names))
	for i, n := range e.Names {
		quoted[i] = fmt.Sprintf("%q", n)
	}
	return fmt.Sprintf("%s %s; interfaces here: %s", noun, strings.Join(quoted, ", "), strings.Join(e.Known, ", "))
}
