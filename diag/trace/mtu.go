package trace

import (
	"fmt"
	"net"
	"net/netip"
)

// interfaceMTU returns the name and MTU of the interface probes to dst
// leave through: opt.Interface, or the interface holding the source address
// the system picks for dst (found by "connecting" a UDP socket, which sends
// nothing).
func interfaceMTU(opt Options, dst netip.Addr) (string, int, error) {
	if opt.Interface != "" {
		ifi, err := net.InterfaceByName(opt.Interface)
		if err != nil {
			return "", 0, fmt.Errorf("interface %s: %w", opt.Interface, err)
		}
		return ifi.Name, ifi.MTU, nil
	}
	var laddr *net.UDPAddr
	if opt.Source.IsValid() {
		laddr = net.UDPAddrFromAddrPort(netip.AddrPortFrom(opt.Source, 0))
	}
	c, err := net.DialUDP("udp", laddr, net.UDPAddrFromAddrPort(netip.AddrPortFrom(dst, 9)))
	if err != nil {
		return "", 0, fmt.Errorf("finding the route to %s: %w", dst, err)
	}
	src := c.LocalAddr().(*net.UDPAddr).AddrPort().Addr().Unmap()
	c.Close()
	ifs, err := net.Interfaces()
	if err != nil {
		return "", 0, err
	}
	for _, ifi := range ifs {
		addrs, err := ifi.Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok {
				if ip, ok := netip.AddrFromSlice(n.IP); ok && ip.Unmap() == src {
					return ifi.Name, ifi.MTU, nil
				}
			}
		}
	}
	return "", 0, fmt.Errorf("no interface holds %s, the source address of the route to %s", src, dst)
}
