package ifaces

import (
	"net/netip"
	"slices"
	"time"
)

// Neighbour is one entry of the kernel's neighbour table: the link-layer
// address an IPv4 neighbour gave in answer to ARP, or an IPv6 neighbour to
// neighbour discovery (NDP), and how fresh that answer is. It tells whether
// a next hop is alive at the link layer even when it ignores pings.
type Neighbour struct {
	// Address is the neighbour's IP address (with the interface as zone for
	// an IPv6 link-local address).
	Address netip.Addr `json:"address"`
	// Interface and Index name the interface the neighbour is on.
	Interface string `json:"interface"`
	Index     int    `json:"index"`
	// HardwareAddr is the neighbour's link-layer address; empty while it is
	// unresolved.
	HardwareAddr string `json:"hardware_address"`
	// State is the neighbour unreachability detection state as iproute2
	// prints it: "INCOMPLETE" (a request is out, no answer yet), "REACHABLE"
	// (answered recently), "STALE", "DELAY" and "PROBE" (answered once, not
	// confirmed lately), "FAILED" (no answer to the requests), "NOARP",
	// "PERMANENT" (static), or "NONE". Several states are joined with ",".
	State string `json:"state"`
	// Router marks an IPv6 neighbour that announced itself as a router.
	Router bool `json:"router"`
	// Confirmed is how long ago the neighbour last proved reachable (an ARP
	// or NDP answer, or a confirmation from TCP), in the kernel's 10 ms
	// ticks; -1 when unknown.
	Confirmed time.Duration `json:"-"`
}

// Resolved reports whether the neighbour has a link-layer address that the
// kernel considers valid: it answered ARP or NDP at some point (or is static)
// and has not failed since.
func (n Neighbour) Resolved() bool {
	if n.HardwareAddr == "" && n.State != "NOARP" {
		return false
	}
	return !slices.Contains([]string{"", "NONE", "INCOMPLETE", "FAILED"}, n.State)
}

// Neighbour returns the entry for addr on the interface with index ifindex
// (any interface when 0), and whether there is one. An IPv6 address's zone is
// ignored; ifindex selects the link.
func (t NeighbourTable) Neighbour(addr netip.Addr, ifindex int) (Neighbour, bool) {
	addr = addr.WithZone("")
	for _, n := range t {
		if n.Address.WithZone("") == addr && (ifindex == 0 || n.Index == ifindex) {
			return n, true
		}
	}
	return Neighbour{}, false
}

// NeighbourTable is the kernel's neighbour table, as Neighbours returns it.
type NeighbourTable []Neighbour
