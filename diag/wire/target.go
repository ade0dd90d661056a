package wire

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"netdiag/diag/netaddr"
)

// ParseListen reads -l: a host ("127.0.0.1", "::1", "localhost") or a
// host:port ("[::1]:9090", ":9090").
func ParseListen(s string) (netaddr.Host, *netaddr.Port, error) {
	h, herr := netaddr.ParseHost(s)
	if herr == nil {
		return h, nil, nil
	}
	hp, err := netaddr.ParseHostPort(s)
	if err == nil {
		return hp.Host, &hp.Port, nil
	}
	if !strings.Contains(s, ":") {
		return netaddr.Host{}, nil, herr
	}
	return netaddr.Host{}, nil, err
}

// ParseTarget reads HOST:PORT or HOST PORT.
func ParseTarget(args []string) (netaddr.HostPort, error) {
	var hp netaddr.HostPort
	var err error
	switch len(args) {
	case 1:
		hp, err = netaddr.ParseHostPort(args[0])
	case 2:
		if hp.Host, err = netaddr.ParseHost(args[0]); err == nil {
			hp.Port, err = netaddr.ParsePort(args[1])
		}
	case 0:
		return hp, errors.New("give the server as HOST:PORT or HOST PORT")
	default:
		return hp, fmt.Errorf("too many arguments %q: give the server as HOST:PORT or HOST PORT", args)
	}
	switch {
	case err != nil:
		return hp, err
	case hp.Host.IsZero():
		return hp, fmt.Errorf("%q has no host: give HOST:PORT, e.g. 127.0.0.1%s", args[0], args[0])
	case hp.Port == 0:
		return hp, errors.New("port 0 cannot be connected to or sent to")
	}
	return hp, nil
}

// ParseSource reads --source: a local IP address, with an optional port.
func ParseSource(s string) (netip.AddrPort, error) {
	if h, err := netaddr.ParseHost(s); err == nil {
		if !h.Addr.IsValid() {
			return netip.AddrPort{}, fmt.Errorf("%q is a name; give a local IP address", s)
		}
		return netip.AddrPortFrom(h.Addr, 0), nil
	}
	hp, err := netaddr.ParseHostPort(s)
	if err != nil {
		return netip.AddrPort{}, err
	}
	if !hp.Host.Addr.IsValid() {
		return netip.AddrPort{}, fmt.Errorf("%q: give a local IP address, optionally with :PORT", s)
	}
	return netip.AddrPortFrom(hp.Host.Addr, uint16(hp.Port)), nil
}
