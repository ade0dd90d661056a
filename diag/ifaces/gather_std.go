package ifaces

import (
	"context"
	"fmt"
	"net"
	"net/netip"
)

// gatherStd reads interfaces through Go's portable net.Interfaces. It is how
// netdiag gathers on systems other than Linux; it is built everywhere so
// that the Linux tests check it against the kernel's netlink answer.
//
// What the portable API does not offer stays explicit: Counters and
// DefaultRoutes are nil ("not available here"), address lifetimes are
// unknown, and the scope is derived from the address.
func gatherStd(ctx context.Context) (*Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	list, err := net.Interfaces()
	if err != nil {
		return nil, fmt.Errorf("reading interfaces: %w", err)
	}
	res := &Result{Interfaces: make([]Interface, 0, len(list))}
	for _, ni := range list {
		addrs, err := ni.Addrs()
		if err != nil {
			return nil, fmt.Errorf("reading addresses of %s: %w", ni.Name, err)
		}
		res.Interfaces = append(res.Interfaces, stdInterface(ni, addrs))
	}
	return res, nil
}

// stdInterface converts one net.Interface and its addresses.
func stdInterface(ni net.Interface, addrs []net.Addr) Interface {
	ifc := Interface{
		Index:        ni.Index,
		Name:         ni.Name,
		AltNames:     []string{},
		LinkType:     "ether",
		Flags:        stdFlagNames(ni.Flags),
		AdminUp:      ni.Flags&net.FlagUp != 0,
		Carrier:      ni.Flags&net.FlagRunning != 0,
		OperState:    "down",
		MTU:          ni.MTU,
		HardwareAddr: ni.HardwareAddr.String(),
		Addresses:    []Address{},
	}
	if ifc.Carrier {
		ifc.OperState = "up"
	}
	switch {
	case ni.Flags&net.FlagLoopback != 0:
		ifc.LinkType = "loopback"
	case len(ni.HardwareAddr) == 0:
		ifc.LinkType = "none"
	}
	var v6 []Address
	for _, na := range addrs {
		ipn, ok := na.(*net.IPNet)
		if !ok {
			continue
		}
		a, ok := stdAddress(ipn, ni.Flags)
		switch {
		case !ok:
		case a.Address.Is4():
			ifc.Addresses = append(ifc.Addresses, a)
		default:
			v6 = append(v6, a)
		}
	}
	ifc.Addresses = append(ifc.Addresses, v6...)
	return ifc
}

// stdAddress converts a net.IPNet. The broadcast address of an IPv4 address
// on a broadcast interface is computed from the prefix, as ifconfig shows it.
func stdAddress(ipn *net.IPNet, flags net.Flags) (Address, bool) {
	ip, ok := netip.AddrFromSlice(ipn.IP)
	if !ok {
		return Address{}, false
	}
	ones, bits := ipn.Mask.Size()
	if ip.Is4In6() && bits == 32 {
		ip = ip.Unmap()
	}
	if bits != ip.BitLen() {
		return Address{}, false
	}
	a := Address{
		Address:   ip,
		PrefixLen: ones,
		Family:    familyOf(ip),
		Scope:     derivedScope(ip),
		ULA:       isULA(ip),
		Flags:     []string{},
	}
	if ip.Is4() && flags&net.FlagBroadcast != 0 && ones < 31 {
		b := ip.As4()
		mask := ^uint32(0) >> ones
		for i := range b {
			b[i] |= byte(mask >> (24 - 8*i))
		}
		a.Broadcast = netip.AddrFrom4(b)
	}
	return a, true
}

// derivedScope derives a scope from the address itself: loopback is host,
// IPv4 169.254/16 and IPv6 fe80::/10 are link, fec0::/10 is site.
func derivedScope(a netip.Addr) string {
	switch {
	case a.IsLoopback():
		return "host"
	case a.IsLinkLocalUnicast():
		return "link"
	case a.Is6() && a.As16()[0] == 0xfe && a.As16()[1]&0xc0 == 0xc0:
		return "site" // fec0::/10, deprecated site-local (RFC 3879)
	}
	return "global"
}

// stdFlagNames names the flags net.Interface exposes, in kernel bit order.
func stdFlagNames(f net.Flags) []string {
	names := []string{}
	for _, x := range []struct {
		bit  net.Flags
		name string
	}{
		{net.FlagUp, "UP"}, {net.FlagBroadcast, "BROADCAST"}, {net.FlagLoopback, "LOOPBACK"},
		{net.FlagPointToPoint, "POINTOPOINT"}, {net.FlagRunning, "RUNNING"}, {net.FlagMulticast, "MULTICAST"},
	} {
		if f&x.bit != 0 {
			names = append(names, x.name)
		}
	}
	return names
}
