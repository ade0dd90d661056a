package netaddr_test

import (
	"testing"

	"netdiag/diag/netaddr"
)

// TestPortListReadsEveryServiceName checks that every tcp and udp service
// name and alias in the table, hyphenated ones ("http-alt", "ms-sql-s")
// included, reads as the one port LookupService gives it, alone and in a
// list.
func TestPortListReadsEveryServiceName(t *testing.T) {
	names := 0
	for _, proto := range []string{"tcp", "udp"} {
		for _, p := range netaddr.NamedPorts(proto) {
			for _, s := range netaddr.ServicesByPort(p) {
				if s.Proto != proto {
					continue
				}
				for _, name := range append([]string{s.Name}, s.Aliases...) {
					names++
					want, ok := netaddr.LookupService(name, "tcp")
					if !ok {
						want, _ = netaddr.LookupService(name, "udp")
					}
					if got, err := netaddr.ParsePort(name); err != nil || got != want {
						t.Errorf("ParsePort(%q) = %v, %v; want %d", name, got, err, want)
					}
					l, err := netaddr.ParsePortList(name)
					if err != nil || l.Len() != 1 || !l.Contains(want) {
						t.Errorf("ParsePortList(%q) = %v, %v; want %d", name, l, err, want)
					}
					l, err = netaddr.ParsePortList("0," + name)
					if err != nil || l.Len() != 2 || !l.Contains(want) {
						t.Errorf("ParsePortList(%q) = %v, %v; want 0,%d", "0,"+name, l, err, want)
					}
				}
			}
		}
	}
	if names < 350 {
		t.Errorf("only %d names and aliases; the table looks truncated", names)
	}
}
