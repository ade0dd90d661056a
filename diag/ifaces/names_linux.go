package ifaces

// The words netdiag uses for kernel numbers, as iproute2 spells them, so
// that output and the ip oracle agree.

import (
	"fmt"
	"strconv"

	"golang.org/x/sys/unix"
)

// The iproute2 names for interface flags, in bit order.
var linkFlagNames = []struct {
	bit  uint32
	name string
}{
	{unix.IFF_UP, "UP"}, {unix.IFF_BROADCAST, "BROADCAST"}, {unix.IFF_DEBUG, "DEBUG"},
	{unix.IFF_LOOPBACK, "LOOPBACK"}, {unix.IFF_POINTOPOINT, "POINTOPOINT"},
	{unix.IFF_NOTRAILERS, "NOTRAILERS"}, {unix.IFF_RUNNING, "RUNNING"}, {unix.IFF_NOARP, "NOARP"},
	{unix.IFF_PROMISC, "PROMISC"}, {unix.IFF_ALLMULTI, "ALLMULTI"}, {unix.IFF_MASTER, "MASTER"},
	{unix.IFF_SLAVE, "SLAVE"}, {unix.IFF_MULTICAST, "MULTICAST"}, {unix.IFF_PORTSEL, "PORTSEL"},
	{unix.IFF_AUTOMEDIA, "AUTOMEDIA"}, {unix.IFF_DYNAMIC, "DYNAMIC"}, {unix.IFF_LOWER_UP, "LOWER_UP"},
	{unix.IFF_DORMANT, "DORMANT"}, {unix.IFF_ECHO, "ECHO"},
}

func flagNames(flags uint32) []string {
	names := []string{}
	for _, f := range linkFlagNames {
		if flags&f.bit != 0 {
			names = append(names, f.name)
		}
	}
	return names
}

// addrFlagNames names the address flags as iproute2 does. Bit 0 means
// "secondary" for IPv4 and "temporary" for IPv6.
func addrFlagNames(family uint8, flags uint32) []string {
	names := []string{}
	if flags&unix.IFA_F_SECONDARY != 0 {
		if family == unix.AF_INET6 {
			names = append(names, "temporary")
		} else {
			names = append(names, "secondary")
		}
	}
	for _, f := range []struct {
		bit  uint32
		name string
	}{
		{unix.IFA_F_NODAD, "nodad"}, {unix.IFA_F_OPTIMISTIC, "optimistic"},
		{unix.IFA_F_DADFAILED, "dadfailed"}, {unix.IFA_F_HOMEADDRESS, "home"},
		{unix.IFA_F_DEPRECATED, "deprecated"}, {unix.IFA_F_TENTATIVE, "tentative"},
		{unix.IFA_F_MANAGETEMPADDR, "mngtmpaddr"}, {unix.IFA_F_NOPREFIXROUTE, "noprefixroute"},
		{unix.IFA_F_MCAUTOJOIN, "autojoin"}, {unix.IFA_F_STABLE_PRIVACY, "stable-privacy"},
	} {
		if flags&f.bit != 0 {
			names = append(names, f.name)
		}
	}
	if flags&unix.IFA_F_PERMANENT == 0 {
		names = append(names, "dynamic")
	}
	return names
}

func scopeName(s uint8) string {
	switch s {
	case unix.RT_SCOPE_UNIVERSE:
		return "global"
	case unix.RT_SCOPE_SITE:
		return "site"
	case unix.RT_SCOPE_LINK:
		return "link"
	case unix.RT_SCOPE_HOST:
		return "host"
	case unix.RT_SCOPE_NOWHERE:
		return "nowhere"
	}
	return strconv.Itoa(int(s))
}

func operState(s uint8) string {
	names := []string{"unknown", "notpresent", "down", "lowerlayerdown", "testing", "dormant", "up"}
	if int(s) < len(names) {
		return names[s]
	}
	return strconv.Itoa(int(s))
}

// linkTypeNames are iproute2's names for ARPHRD_* types (read-only).
var linkTypeNames = map[uint16]string{
	unix.ARPHRD_ETHER: "ether", unix.ARPHRD_LOOPBACK: "loopback", unix.ARPHRD_NONE: "none",
	unix.ARPHRD_VOID: "void", unix.ARPHRD_PPP: "ppp", unix.ARPHRD_TUNNEL: "ipip",
	unix.ARPHRD_TUNNEL6: "tunnel6", unix.ARPHRD_SIT: "sit", unix.ARPHRD_IPGRE: "gre",
	unix.ARPHRD_IP6GRE: "gre6", unix.ARPHRD_INFINIBAND: "infiniband", unix.ARPHRD_CAN: "can",
	unix.ARPHRD_IEEE80211: "ieee802.11", unix.ARPHRD_IEEE80211_RADIOTAP: "ieee802.11/radiotap",
	unix.ARPHRD_IEEE802154: "ieee802.15.4", unix.ARPHRD_RAWIP: "rawip", unix.ARPHRD_IPDDP: "ipddp",
	unix.ARPHRD_SLIP: "slip", unix.ARPHRD_X25: "x25", unix.ARPHRD_FRAD: "frad",
}

// linkType names an ARPHRD_* type as iproute2 does ("[N]" when unknown).
func linkType(t uint16) string {
	if n, ok := linkTypeNames[t]; ok {
		return n
	}
	return fmt.Sprintf("[%d]", t)
}

// protocolNames are iproute2's names for route protocols (read-only).
var protocolNames = map[uint8]string{
	unix.RTPROT_UNSPEC: "unspec", unix.RTPROT_REDIRECT: "redirect", unix.RTPROT_KERNEL: "kernel",
	unix.RTPROT_BOOT: "boot", unix.RTPROT_STATIC: "static", unix.RTPROT_RA: "ra",
	unix.RTPROT_DHCP: "dhcp", unix.RTPROT_ZEBRA: "zebra", unix.RTPROT_BIRD: "bird",
	unix.RTPROT_KEEPALIVED: "keepalived", unix.RTPROT_BABEL: "babel", unix.RTPROT_BGP: "bgp",
	unix.RTPROT_ISIS: "isis", unix.RTPROT_OSPF: "ospf", unix.RTPROT_RIP: "rip",
	unix.RTPROT_EIGRP: "eigrp", unix.RTPROT_OPENR: "openr", unix.RTPROT_MROUTED: "mrouted",
	unix.RTPROT_GATED: "gated", unix.RTPROT_XORP: "xorp", unix.RTPROT_NTK: "ntk",
	unix.RTPROT_DNROUTED: "dnrouted", unix.RTPROT_MRT: "mrt", unix.RTPROT_OVN: "ovn",
}

// protocolName names a route protocol (RTPROT_*) as iproute2 does.
func protocolName(p uint8) string {
	if n, ok := protocolNames[p]; ok {
		return n
	}
	return strconv.Itoa(int(p))
}
