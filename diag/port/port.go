// Package portinfo implements "netdiag port": what a port is and, with
// --local, who uses it on this machine.
//
//	netdiag port [--local [--tcp|--udp]] [--all] [-q] [--json] PORT|RANGE|LIST|NAME...
//
// For each port it reports the number; its class in the classic two-way
// split (well-known 0-1023, dynamic 1024-65535) and its IANA range (RFC
// 6335: system 0-1023, user/registered 1024-49151, dynamic/private
// 49152-65535); and its service names on tcp, udp and sctp, with aliases,
// from the services table embedded in diag/netaddr (generated from Debian
// netbase's /etc/services). Arguments are whatever netaddr.ParsePortList
// reads: "80", "20-25", "22,80,443", a service name or alias ("http",
// "www"), "-" for all of 1-65535. A list longer than MaxListed ports
// reports only its interesting ports — those with a service name, or with
// --local those in use — unless All is set, so "netdiag port --local -" is
// "what is listening here".
//
// With --local it also reports whether each port is in use on this machine
// right now — a listening TCP socket or a bound UDP socket, IPv4 or IPv6 —
// and by which process, from diag/sockets.
//
// Exit codes: 2 for a bad argument (nothing is printed then) or when sockets
// cannot be listed; with --local, 0 when any port asked about is in use and
// 1 when all are free (as lsof -i and fuser do, so "until netdiag port -q
// --local 8080; do sleep 0.1; done" waits for a server); otherwise 0.
package port

import (
	"cmp"
	"fmt"
	"os"
	"slices"

	"netdiag/diag/netaddr"
	"netdiag/diag/sockets"
)

// MaxListed is the longest list reported port by port; a longer one reports
// only its interesting ports unless Options.All is set.
const MaxListed = 1024

// Options says which ports to report on and how.
type Options struct {
	// Lists are the ports asked about, one list per argument, in order.
	Lists []netaddr.PortList
	// Local looks up which sockets on this machine hold each port.
	Local bool
	// Proto restricts Local to "tcp" or "udp"; "" means both.
	Proto string
	// All reports every port of a list longer than MaxListed.
	All bool
}

// PortInfo is what netdiag port reports about one port.
type PortInfo struct {
	Port      netaddr.Port      `json:"port"`
	Class     netaddr.PortClass `json:"class"`      // "well-known" or "dynamic"
	IANARange netaddr.PortClass `json:"iana_range"` // "system", "user" or "dynamic"
	// Services are the port's names on tcp, udp and sctp, in that order;
	// empty (not null) when it has none.
	Services []netaddr.Service `json:"services"`
	// Local is set with Options.Local.
	Local *LocalUse `json:"local,omitempty"`
}

// LocalUse says whether a port is in use on this machine.
type LocalUse struct {
	// InUse is true when a listening TCP socket or a bound UDP socket holds
	// the port.
	InUse bool `json:"in_use"`
	// Sockets are those sockets: tcp before udp, IPv4 before IPv6; empty
	// (not null) when the port is free.
	Sockets []sockets.Socket `json:"sockets"`
}

// Report is the result of Run.
type Report struct {
	// Ports are the ports reported, in the order asked.
	Ports []PortInfo
	// Asked is how many ports were asked about, all lists together.
	Asked int
	// Trimmed is true when a list longer than MaxListed was cut down to its
	// interesting ports.
	Trimmed bool
	// InUse is how many of the ports asked about are in use (with Local).
	InUse int
	// Root is true when the sockets were read as root, who sees every
	// process of this PID namespace.
	Root bool
}

// Describe returns what the services table and the port ranges say about p.
func Describe(p netaddr.Port) PortInfo {
	services := []netaddr.Service{}
	for _, s := range netaddr.ServicesByPort(p) {
		// The table also holds AppleTalk DDP socket numbers, which are not
		// TCP or UDP ports.
		if s.Proto == "tcp" || s.Proto == "udp" || s.Proto == "sctp" {
			services = append(services, s)
		}
	}
	return PortInfo{Port: p, Class: p.Class(), IANARange: p.IANARange(), Services: services}
}

// Run reports on every port in opt.Lists.
func Run(opt Options) (Report, error) {
	var used map[netaddr.Port][]sockets.Socket
	if opt.Local {
		var err error
		if used, err = localUse(opt.Lists, opt.Proto); err != nil {
			return Report{}, err
		}
	}
	rep := Report{Root: opt.Local && os.Geteuid() == 0}
	for _, l := range opt.Lists {
		rep.Asked += l.Len()
		trim := l.Len() > MaxListed && !opt.All
		rep.Trimmed = rep.Trimmed || trim
		for p := range l.All() {
			var local *LocalUse
			if opt.Local {
				socks := used[p]
				local = &LocalUse{InUse: len(socks) > 0, Sockets: append([]sockets.Socket{}, socks...)}
				if local.InUse {
					rep.InUse++
				}
			}
			info := Describe(p)
			info.Local = local
			if trim && !interesting(info) {
				continue
			}
			rep.Ports = append(rep.Ports, info)
		}
	}
	return rep, nil
}

// interesting reports whether a port of a trimmed list is reported: with
// Local when it is in use, otherwise when it has a service name.
func interesting(info PortInfo) bool {
	if info.Local != nil {
		return info.Local.InUse
	}
	return len(info.Services) > 0
}

// localUse returns the sockets holding each port of lists, sorted.
func localUse(lists []netaddr.PortList, proto string) (map[netaddr.Port][]sockets.Socket, error) {
	if proto != "" && proto != "tcp" && proto != "udp" {
		return nil, fmt.Errorf("unknown protocol %q (want tcp or udp)", proto)
	}
	socks, err := sockets.Find(func(s sockets.Socket) bool {
		if !s.Listening() || proto != "" && s.Proto != proto {
			return false
		}
		p := netaddr.Port(s.Local.Port())
		return slices.ContainsFunc(lists, func(l netaddr.PortList) bool { return l.Contains(p) })
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(socks, func(a, b sockets.Socket) int {
		return cmp.Or(cmp.Compare(a.Proto, b.Proto),
			cmp.Compare(a.Local.Addr().BitLen(), b.Local.Addr().BitLen()),
			a.Local.Addr().Compare(b.Local.Addr()),
			cmp.Compare(a.Inode, b.Inode))
	})
	used := make(map[netaddr.Port][]sockets.Socket)
	for _, s := range socks {
		p := netaddr.Port(s.Local.Port())
		used[p] = append(used[p], s)
	}
	return used, nil
}
