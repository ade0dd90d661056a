package ifaces

// The iproute2 oracle: snapshots of "ip -j -d addr", "ip -j -s link" and
// "ip -j route" (IPv4 and IPv6), and a structural comparison of a Result
// against them. Counters and lifetimes move while the test runs, so they are
// compared against a snapshot taken before and one taken after.

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"netdiag/internal/testnet"
)

type ipAddrInfo struct {
	Family    string `json:"family"`
	Local     string `json:"local"`
	Address   string `json:"address"`
	PrefixLen int    `json:"prefixlen"`
	Broadcast string `json:"broadcast"`
	Scope     string `json:"scope"`
	Label     string `json:"label"`
	Valid     uint32 `json:"valid_life_time"`
	Preferred uint32 `json:"preferred_life_time"`
	// Flags collects every boolean member set to true ("nodad",
	// "secondary", "dynamic"…).
	Flags []string `json:"-"`
}

type ipLink struct {
	Index     int      `json:"ifindex"`
	Name      string   `json:"ifname"`
	Flags     []string `json:"flags"`
	MTU       int      `json:"mtu"`
	OperState string   `json:"operstate"`
	LinkType  string   `json:"link_type"`
	Address   string   `json:"address"`
	Master    string   `json:"master"`
	AltNames  []string `json:"altnames"`
	LinkInfo  *struct {
		Kind string `json:"info_kind"`
	} `json:"linkinfo"`
	AddrInfo []ipAddrInfo `json:"addr_info"`
	Stats64  *struct {
		RX map[string]uint64 `json:"rx"`
		TX map[string]uint64 `json:"tx"`
	} `json:"stats64"`
}

type ipRoute struct {
	Dst      string   `json:"dst"`
	Type     string   `json:"type"`
	Gateway  string   `json:"gateway"`
	Via      *ipVia   `json:"via"`
	Dev      string   `json:"dev"`
	Protocol string   `json:"protocol"`
	Metric   uint32   `json:"metric"`
	PrefSrc  string   `json:"prefsrc"`
	Flags    []string `json:"flags"`
	NextHops []struct {
		Gateway string   `json:"gateway"`
		Via     *ipVia   `json:"via"`
		Dev     string   `json:"dev"`
		Flags   []string `json:"flags"`
	} `json:"nexthops"`
}

type ipVia struct {
	Host string `json:"host"`
}

// ipSnapshot is what iproute2 reported at one moment.
type ipSnapshot struct {
	links  []ipLink // from ip -j -d addr, with stats from ip -j -s link
	routes []Route  // default routes from ip -j route, in our Route shape
}

// UnmarshalJSON keeps the known members and collects boolean flags.
func (a *ipAddrInfo) UnmarshalJSON(b []byte) error {
	type plain ipAddrInfo
	if err := json.Unmarshal(b, (*plain)(a)); err != nil {
		return err
	}
	var all map[string]any
	if err := json.Unmarshal(b, &all); err != nil {
		return err
	}
	for k, v := range all {
		if v == true {
			a.Flags = append(a.Flags, k)
		}
	}
	sort.Strings(a.Flags)
	return nil
}

// takeIPSnapshot runs iproute2, optionally inside namespace ns ("" for the
// test's own namespace).
func takeIPSnapshot(t *testing.T, ns string) ipSnapshot {
	t.Helper()
	ip := func(args ...string) []byte {
		argv := append([]string{"ip"}, args...)
		if ns != "" {
			argv = testnet.InNetns(ns, argv...)
		}
		r := testnet.Run(t, 10*time.Second, "", argv[0], argv[1:]...)
		if r.Code != 0 {
			t.Fatalf("%s: exit %d: %s", strings.Join(argv, " "), r.Code, r.Stderr)
		}
		return []byte(r.Stdout)
	}
	var s ipSnapshot
	mustJSON(t, ip("-j", "-d", "addr"), &s.links)
	var stats []ipLink
	mustJSON(t, ip("-j", "-s", "link"), &stats)
	for i := range s.links {
		for _, st := range stats {
			if st.Index == s.links[i].Index {
				s.links[i].Stats64 = st.Stats64
			}
		}
	}
	for fam, flag := range map[string]string{"ipv4": "-4", "ipv6": "-6"} {
		var routes []ipRoute
		mustJSON(t, ip("-j", flag, "route", "show", "table", "main"), &routes)
		for _, r := range routes {
			if r.Dst != "default" || (r.Type != "" && r.Type != "unicast") {
				continue
			}
			s.routes = append(s.routes, ipRouteToRoutes(t, fam, r)...)
		}
	}
	sortRoutes(s.routes)
	return s
}

func ipRouteToRoutes(t *testing.T, fam string, r ipRoute) []Route {
	base := Route{Family: fam, Metric: r.Metric, Protocol: cmpOr(r.Protocol, "boot"),
		LinkDown: slices.Contains(r.Flags, "linkdown")}
	if r.PrefSrc != "" {
		base.Source = netip.MustParseAddr(r.PrefSrc)
	}
	gw := func(g string, via *ipVia) netip.Addr {
		switch {
		case g != "":
			return netip.MustParseAddr(g)
		case via != nil:
			return netip.MustParseAddr(via.Host)
		}
		return netip.Addr{}
	}
	if len(r.NextHops) == 0 {
		base.Gateway, base.Interface = gw(r.Gateway, r.Via), r.Dev
		return []Route{base}
	}
	var out []Route
	for _, nh := range r.NextHops {
		x := base
		x.Gateway, x.Interface = gw(nh.Gateway, nh.Via), nh.Dev
		x.LinkDown = x.LinkDown || slices.Contains(nh.Flags, "linkdown")
		out = append(out, x)
	}
	return out
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func mustJSON(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decoding %q: %v", b, err)
	}
}

// stable reports whether two snapshots agree on everything but counters
// and lifetimes: nothing changed in between.
func (s ipSnapshot) stable(o ipSnapshot) bool {
	strip := func(links []ipLink) []ipLink {
		out := make([]ipLink, len(links))
		for i, l := range links {
			l.Stats64 = nil
			l.AddrInfo = slices.Clone(l.AddrInfo)
			for k := range l.AddrInfo {
				l.AddrInfo[k].Valid, l.AddrInfo[k].Preferred = 0, 0
			}
			out[i] = l
		}
		return out
	}
	return reflect.DeepEqual(strip(s.links), strip(o.links)) && reflect.DeepEqual(s.routes, o.routes)
}

// compareWithIP checks res field by field against iproute2 snapshots taken
// before and after it was gathered, and returns the differences.
func compareWithIP(res *Result, before, after ipSnapshot) []string {
	var diffs []string
	bad := func(format string, args ...any) { diffs = append(diffs, fmt.Sprintf(format, args...)) }
	if len(res.Interfaces) != len(before.links) {
		bad("%d interfaces, ip shows %d", len(res.Interfaces), len(before.links))
	}
	for i, l := range before.links {
		if i >= len(res.Interfaces) {
			break
		}
		ifc, la := res.Interfaces[i], after.links[i]
		if ifc.Index != l.Index || ifc.Name != l.Name {
			bad("interface %d is %d:%s, ip says %d:%s", i, ifc.Index, ifc.Name, l.Index, l.Name)
			continue
		}
		compareLink(bad, &ifc, l, la)
	}
	// Interface names come from our own link dump; compare them too.
	if !reflect.DeepEqual(normRoutes(res.DefaultRoutes), normRoutes(before.routes)) {
		bad("default routes %+v, ip says %+v", res.DefaultRoutes, before.routes)
	}
	return diffs
}

func normRoutes(rs []Route) []Route {
	out := []Route{}
	for _, r := range rs {
		r.Index = 0 // ip -j route names the device only
		out = append(out, r)
	}
	return out
}

func compareLink(bad func(string, ...any), ifc *Interface, l, la ipLink) {
	name := ifc.Name
	ours := slices.DeleteFunc(slices.Clone(ifc.Flags), func(f string) bool { return f == "RUNNING" })
	want := slices.DeleteFunc(slices.Clone(l.Flags), func(f string) bool { return f == "NO-CARRIER" || f == "M-DOWN" })
	slices.Sort(ours)
	slices.Sort(want)
	if !slices.Equal(ours, want) {
		bad("%s: flags %v (without RUNNING), ip says %v", name, ours, want)
	}
	if noCarrier := slices.Contains(l.Flags, "NO-CARRIER"); noCarrier != (ifc.AdminUp && !ifc.Carrier) {
		bad("%s: admin_up %v carrier %v, but ip NO-CARRIER is %v", name, ifc.AdminUp, ifc.Carrier, noCarrier)
	}
	if ifc.MTU != l.MTU {
		bad("%s: mtu %d, ip says %d", name, ifc.MTU, l.MTU)
	}
	if ifc.HardwareAddr != l.Address {
		bad("%s: hardware address %q, ip says %q", name, ifc.HardwareAddr, l.Address)
	}
	if ifc.LinkType != l.LinkType {
		bad("%s: link type %q, ip says %q", name, ifc.LinkType, l.LinkType)
	}
	if strings.ToUpper(ifc.OperState) != l.OperState {
		bad("%s: oper state %q, ip says %q", name, ifc.OperState, l.OperState)
	}
	if ifc.Master != l.Master {
		bad("%s: master %q, ip says %q", name, ifc.Master, l.Master)
	}
	if !slices.Equal(ifc.AltNames, append([]string{}, l.AltNames...)) {
		bad("%s: altnames %v, ip says %v", name, ifc.AltNames, l.AltNames)
	}
	kind := ""
	if l.LinkInfo != nil {
		kind = l.LinkInfo.Kind
	}
	if ifc.Kind != kind {
		bad("%s: kind %q, ip says %q", name, ifc.Kind, kind)
	}
	if len(ifc.Addresses) != len(l.AddrInfo) {
		bad("%s: %d addresses %v, ip shows %d: %+v", name, len(ifc.Addresses), ifc.Addresses, len(l.AddrInfo), l.AddrInfo)
	} else {
		for k, ia := range l.AddrInfo {
			compareAddr(bad, name, ifc.Addresses[k], ia, la.AddrInfo[k])
		}
	}
	compareCounters(bad, name, ifc.Counters, l, la)
}

func compareAddr(bad func(string, ...any), name string, a Address, ia, iaAfter ipAddrInfo) {
	local := netip.MustParseAddr(ia.Local)
	wantFam := map[string]string{"inet": "ipv4", "inet6": "ipv6"}[ia.Family]
	if a.Address != local || a.PrefixLen != ia.PrefixLen || a.Family != wantFam || a.Scope != ia.Scope {
		bad("%s: address %s/%d %s scope %s, ip says %s/%d %s scope %s", name,
			a.Address, a.PrefixLen, a.Family, a.Scope, ia.Local, ia.PrefixLen, ia.Family, ia.Scope)
	}
	if low := strings.ToLower(ia.Local); a.ULA != (strings.HasPrefix(low, "fc") || strings.HasPrefix(low, "fd")) {
		bad("%s: %s ula %v", name, a.Address, a.ULA)
	}
	if got := addrString(a.Broadcast); got != ia.Broadcast {
		bad("%s: %s broadcast %q, ip says %q", name, a.Address, got, ia.Broadcast)
	}
	if got := addrString(a.Peer); got != ia.Address {
		bad("%s: %s peer %q, ip says %q", name, a.Address, got, ia.Address)
	}
	if wantLabel := ia.Label; (wantLabel == name && a.Label != "") || (wantLabel != name && a.Label != wantLabel) {
		bad("%s: %s label %q, ip says %q", name, a.Address, a.Label, wantLabel)
	}
	flags := slices.Sorted(slices.Values(a.Flags))
	if !slices.Equal(flags, ia.Flags) {
		bad("%s: %s flags %v, ip says %v", name, a.Address, flags, ia.Flags)
	}
	for _, lt := range []struct {
		what          string
		ours          *uint32
		before, after uint32
	}{{"valid", a.ValidLifetime, ia.Valid, iaAfter.Valid}, {"preferred", a.PreferredLifetime, ia.Preferred, iaAfter.Preferred}} {
		switch {
		case lt.ours == nil && lt.before != ^uint32(0):
			bad("%s: %s %s lifetime forever, ip says %d", name, a.Address, lt.what, lt.before)
		case lt.ours != nil && (*lt.ours > lt.before || *lt.ours < lt.after):
			bad("%s: %s %s lifetime %d, ip says %d then %d", name, a.Address, lt.what, *lt.ours, lt.before, lt.after)
		}
	}
}

func addrString(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

// compareCounters requires before <= ours <= after for every counter
// iproute2 shows: counters only grow.
func compareCounters(bad func(string, ...any), name string, c *Counters, l, la ipLink) {
	if c == nil || l.Stats64 == nil || la.Stats64 == nil {
		bad("%s: counters %v, ip stats64 %v", name, c, l.Stats64)
		return
	}
	for _, x := range []struct {
		dir, key string
		ours     uint64
	}{
		{"rx", "bytes", c.RX.Bytes}, {"rx", "packets", c.RX.Packets}, {"rx", "errors", c.RX.Errors},
		{"rx", "dropped", c.RX.Dropped}, {"rx", "over_errors", c.RX.OverErrors}, {"rx", "multicast", c.RX.Multicast},
		{"tx", "bytes", c.TX.Bytes}, {"tx", "packets", c.TX.Packets}, {"tx", "errors", c.TX.Errors},
		{"tx", "dropped", c.TX.Dropped}, {"tx", "carrier_errors", c.TX.CarrierErrors}, {"tx", "collisions", c.TX.Collisions},
	} {
		lo, hi := l.Stats64.RX[x.key], la.Stats64.RX[x.key]
		if x.dir == "tx" {
			lo, hi = l.Stats64.TX[x.key], la.Stats64.TX[x.key]
		}
		if x.ours < lo || x.ours > hi {
			bad("%s: %s %s = %d, ip says %d before and %d after", name, x.dir, x.key, x.ours, lo, hi)
		}
	}
}
