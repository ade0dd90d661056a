package ifaces

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"strings"

	"golang.org/x/sys/unix"
)

// forAttrs calls fn for each route attribute (struct rtattr / nlattr) in b,
// with the nested and byte-order bits cleared from the type. Malformed
// attributes are an error, never a panic.
func forAttrs(b []byte, fn func(typ uint16, val []byte)) error {
	for len(b) >= 4 {
		l := int(binary.NativeEndian.Uint16(b[0:2]))
		if l < 4 || l > len(b) {
			return fmt.Errorf("malformed netlink attribute: length %d with %d bytes left", l, len(b))
		}
		fn(binary.NativeEndian.Uint16(b[2:4])&^(unix.NLA_F_NESTED|unix.NLA_F_NET_BYTEORDER), b[4:l])
		b = b[min(nlAlign(l), len(b)):]
	}
	return nil
}

// cString returns a NUL-terminated attribute as a string.
func cString(b []byte) string {
	s, _, _ := strings.Cut(string(b), "\x00")
	return s
}

func u32(b []byte) (uint32, bool) {
	if len(b) < 4 {
		return 0, false
	}
	return binary.NativeEndian.Uint32(b), true
}

// ipFrom converts an address attribute of 4 or 16 bytes.
func ipFrom(b []byte) (netip.Addr, bool) {
	a, ok := netip.AddrFromSlice(b)
	return a, ok && (len(b) == 4 || len(b) == 16)
}

// linkInfo is an interface as RTM_NEWLINK describes it, before its
// addresses are attached; masterIndex is resolved to a name afterwards.
type linkInfo struct {
	Interface
	masterIndex int
}

// parseLink decodes the payload of an RTM_NEWLINK message.
func parseLink(b []byte) (linkInfo, error) {
	if len(b) < unix.SizeofIfInfomsg {
		return linkInfo{}, fmt.Errorf("short RTM_NEWLINK message: %d bytes", len(b))
	}
	arphrd := binary.NativeEndian.Uint16(b[2:4])
	flags := binary.NativeEndian.Uint32(b[8:12])
	l := linkInfo{Interface: Interface{
		Index:     int(int32(binary.NativeEndian.Uint32(b[4:8]))),
		LinkType:  linkType(arphrd),
		Flags:     flagNames(flags),
		AdminUp:   flags&unix.IFF_UP != 0,
		Carrier:   flags&unix.IFF_RUNNING != 0,
		OperState: "unknown",
		AltNames:  []string{},
		Addresses: []Address{},
	}}
	err := forAttrs(b[unix.SizeofIfInfomsg:], func(typ uint16, val []byte) {
		switch typ {
		case unix.IFLA_IFNAME:
			l.Name = cString(val)
		case unix.IFLA_MTU:
			if v, ok := u32(val); ok {
				l.MTU = int(v)
			}
		case unix.IFLA_ADDRESS:
			l.HardwareAddr = hardwareAddr(arphrd, val)
		case unix.IFLA_OPERSTATE:
			if len(val) > 0 {
				l.OperState = operState(val[0])
			}
		case unix.IFLA_MASTER:
			if v, ok := u32(val); ok {
				l.masterIndex = int(v)
			}
		case unix.IFLA_LINKINFO:
			forAttrs(val, func(t uint16, v []byte) {
				if t == unix.IFLA_INFO_KIND {
					l.Kind = cString(v)
				}
			})
		case unix.IFLA_PROP_LIST:
			forAttrs(val, func(t uint16, v []byte) {
				if t == unix.IFLA_ALT_IFNAME {
					l.AltNames = append(l.AltNames, cString(v))
				}
			})
		case unix.IFLA_STATS64:
			l.Counters = parseStats64(val)
		}
	})
	return l, err
}

// parseStats64 decodes struct rtnl_link_stats64 (an array of __u64 in the
// kernel's field order); nil when it is too short to hold the basic fields.
func parseStats64(b []byte) *Counters {
	const (
		rxPackets = iota
		txPackets
		rxBytes
		txBytes
		rxErrors
		txErrors
		rxDropped
		txDropped
		multicast
		collisions
		rxLengthErrors
		rxOverErrors
		rxCRCErrors
		rxFrameErrors
		rxFIFOErrors
		rxMissedErrors
		txAbortedErrors
		txCarrierErrors
		txFIFOErrors
		nFields
	)
	if len(b) < nFields*8 {
		return nil
	}
	f := func(i int) uint64 { return binary.NativeEndian.Uint64(b[i*8:]) }
	return &Counters{
		RX: RXCounters{
			Bytes: f(rxBytes), Packets: f(rxPackets), Errors: f(rxErrors), Dropped: f(rxDropped),
			OverErrors: f(rxOverErrors), FIFOErrors: f(rxFIFOErrors), FrameErrors: f(rxFrameErrors),
			MissedErrors: f(rxMissedErrors), Multicast: f(multicast),
		},
		TX: TXCounters{
			Bytes: f(txBytes), Packets: f(txPackets), Errors: f(txErrors), Dropped: f(txDropped),
			FIFOErrors: f(txFIFOErrors), CarrierErrors: f(txCarrierErrors), Collisions: f(collisions),
		},
	}
}

// hardwareAddr formats a link-layer address as iproute2 does: tunnels carry
// an IP address, everything else is colon-separated hex.
func hardwareAddr(arphrd uint16, b []byte) string {
	switch arphrd {
	case unix.ARPHRD_TUNNEL, unix.ARPHRD_SIT, unix.ARPHRD_IPGRE, unix.ARPHRD_TUNNEL6, unix.ARPHRD_IP6GRE:
		if a, ok := ipFrom(b); ok {
			return a.String()
		}
	}
	return net.HardwareAddr(b).String()
}

// parseAddr decodes the payload of an RTM_NEWADDR message into the interface
// index and the address. ok is false for families other than IPv4 and IPv6.
func parseAddr(b []byte) (index int, a Address, ok bool, err error) {
	if len(b) < unix.SizeofIfAddrmsg {
		return 0, Address{}, false, fmt.Errorf("short RTM_NEWADDR message: %d bytes", len(b))
	}
	family, flags := b[0], uint32(b[2])
	if family != unix.AF_INET && family != unix.AF_INET6 {
		return 0, Address{}, false, nil
	}
	a = Address{PrefixLen: int(b[1]), Scope: scopeName(b[3])}
	index = int(binary.NativeEndian.Uint32(b[4:8]))
	var local, address netip.Addr
	var cache []byte
	err = forAttrs(b[unix.SizeofIfAddrmsg:], func(typ uint16, val []byte) {
		switch typ {
		case unix.IFA_ADDRESS:
			address, _ = ipFrom(val)
		case unix.IFA_LOCAL:
			local, _ = ipFrom(val)
		case unix.IFA_BROADCAST:
			a.Broadcast, _ = ipFrom(val)
		case unix.IFA_LABEL:
			a.Label = cString(val)
		case unix.IFA_FLAGS:
			if v, ok := u32(val); ok {
				flags = v
			}
		case unix.IFA_CACHEINFO:
			cache = val
		}
	})
	if err != nil {
		return 0, Address{}, false, err
	}
	// IFA_LOCAL is the interface's own address; IFA_ADDRESS is the peer's
	// on a point-to-point link and a copy of IFA_LOCAL otherwise. IPv6 sends
	// only IFA_ADDRESS unless there is a peer.
	a.Address = address
	if local.IsValid() {
		a.Address = local
		if address.IsValid() && address != local {
			a.Peer = address
		}
	}
	if !a.Address.IsValid() || a.PrefixLen > a.Address.BitLen() {
		return 0, Address{}, false, fmt.Errorf("RTM_NEWADDR for interface %d without a valid address", index)
	}
	a.Family = familyOf(a.Address)
	a.ULA = isULA(a.Address)
	a.Flags = addrFlagNames(family, flags)
	if len(cache) >= unix.SizeofIfaCacheinfo {
		pref, valid := binary.NativeEndian.Uint32(cache[0:4]), binary.NativeEndian.Uint32(cache[4:8])
		if valid != ^uint32(0) {
			a.ValidLifetime = &valid
		}
		if pref != ^uint32(0) {
			a.PreferredLifetime = &pref
		}
	}
	return index, a, true, nil
}

// parseRoute decodes the payload of an RTM_NEWROUTE message and returns
// it as default routes (one per next hop) when it is a unicast default route
// of the main table; otherwise nil. Interface names are filled in later.
func parseRoute(b []byte) ([]Route, error) {
	if len(b) < unix.SizeofRtMsg {
		return nil, fmt.Errorf("short RTM_NEWROUTE message: %d bytes", len(b))
	}
	family, dstLen, table, proto, typ := b[0], b[1], uint32(b[4]), b[5], b[7]
	if dstLen != 0 || typ != unix.RTN_UNICAST || (family != unix.AF_INET && family != unix.AF_INET6) {
		return nil, nil // not a default route: skip its attributes
	}
	flags := binary.NativeEndian.Uint32(b[8:12])
	r := Route{Protocol: protocolName(proto), LinkDown: flags&unix.RTNH_F_LINKDOWN != 0}
	var multipath []byte
	err := forAttrs(b[unix.SizeofRtMsg:], func(t uint16, val []byte) {
		switch t {
		case unix.RTA_TABLE:
			if v, ok := u32(val); ok {
				table = v
			}
		case unix.RTA_OIF:
			if v, ok := u32(val); ok {
				r.Index = int(v)
			}
		case unix.RTA_GATEWAY:
			r.Gateway, _ = ipFrom(val)
		case unix.RTA_VIA:
			r.Gateway = viaAddr(val)
		case unix.RTA_PRIORITY:
			r.Metric, _ = u32(val)
		case unix.RTA_PREFSRC:
			r.Source, _ = ipFrom(val)
		case unix.RTA_MULTIPATH:
			multipath = val
		}
	})
	if err != nil {
		return nil, err
	}
	if table != unix.RT_TABLE_MAIN {
		return nil, nil
	}
	if family == unix.AF_INET {
		r.Family = "ipv4"
	} else {
		r.Family = "ipv6"
	}
	if multipath == nil {
		return []Route{r}, nil
	}
	return nextHops(r, multipath)
}

// nextHops expands RTA_MULTIPATH (a list of struct rtnexthop, each followed
// by its own attributes) into one Route per next hop.
func nextHops(base Route, b []byte) ([]Route, error) {
	var routes []Route
	for len(b) >= unix.SizeofRtNexthop {
		l := int(binary.NativeEndian.Uint16(b[0:2]))
		if l < unix.SizeofRtNexthop || l > len(b) {
			return nil, fmt.Errorf("malformed RTA_MULTIPATH next hop: length %d with %d bytes left", l, len(b))
		}
		r := base
		r.Index = int(int32(binary.NativeEndian.Uint32(b[4:8])))
		r.LinkDown = base.LinkDown || b[2]&unix.RTNH_F_LINKDOWN != 0
		r.Gateway = netip.Addr{}
		if err := forAttrs(b[unix.SizeofRtNexthop:l], func(t uint16, val []byte) {
			switch t {
			case unix.RTA_GATEWAY:
				r.Gateway, _ = ipFrom(val)
			case unix.RTA_VIA:
				r.Gateway = viaAddr(val)
			}
		}); err != nil {
			return nil, err
		}
		routes = append(routes, r)
		b = b[min(nlAlign(l), len(b)):]
	}
	return routes, nil
}

// viaAddr decodes RTA_VIA (struct rtvia: a family and an address).
func viaAddr(b []byte) netip.Addr {
	if len(b) < 2 {
		return netip.Addr{}
	}
	a, _ := ipFrom(b[2:])
	return a
}
