package check

import (
	"net/netip"
	"testing"

	"netdiag/diag/ifaces"
)

func TestCombine(t *testing.T) {
	type item struct {
		s Status
		p Problem
	}
	judge := func(it item) (Status, Problem, string) { return it.s, it.p, string(it.s) }
	for _, tc := range []struct {
		name   string
		items  []item
		status Status
		prob   Problem
		detail string
	}{
		{"none", nil, Skipped, "", ""},
		{"all ok", []item{{OK, ""}, {OK, ""}}, OK, "", "ok; ok"},
		{"ok and skipped", []item{{Skipped, RoutesUnavailable}, {OK, ""}}, OK, "", "skipped; ok"},
		{"all skipped", []item{{Skipped, Unresolved}, {Skipped, ICMPNotPermitted}}, Skipped, Unresolved, "skipped; skipped"},
		{"all fail", []item{{Fail, NoARP}, {Fail, NoReply}}, Fail, NoARP, "fail; fail"},
		{"fail and skipped", []item{{Skipped, Unresolved}, {Fail, NoReply}}, Fail, NoReply, "skipped; fail"},
		{"some fail", []item{{OK, ""}, {Fail, Unreachable}}, Warn, Unreachable, "ok; fail"},
		{"warn", []item{{Warn, Loss}, {OK, ""}}, Warn, Loss, "warn; ok"},
		{"warn and fail", []item{{Warn, ICMPFiltered}, {Fail, NoARP}}, Warn, NoARP, "warn; fail"},
	} {
		v := combine(tc.items, judge)
		if v.Status != tc.status || v.Problem != tc.prob || v.Detail != tc.detail {
			t.Errorf("%s: %+v, want %s/%s %q", tc.name, v, tc.status, tc.prob, tc.detail)
		}
	}
}

// iface builds an interface for the interfaces step's table test.
func iface(index int, name string, adminUp, carrier bool, addrs ...string) ifaces.Interface {
	ifc := ifaces.Interface{Index: index, Name: name, AdminUp: adminUp, Carrier: carrier, Flags: []string{"BROADCAST"}}
	for _, a := range addrs {
		p := netip.MustParsePrefix(a)
		scope := "global"
		if p.Addr().IsLinkLocalUnicast() {
			scope = "link"
		}
		ifc.Addresses = append(ifc.Addresses, ifaces.Address{Address: p.Addr(), PrefixLen: p.Bits(), Scope: scope})
	}
	return ifc
}

func TestCheckInterfaces(t *testing.T) {
	lo := iface(1, "lo", true, true, "127.0.0.1/8", "::1/128")
	lo.Flags = []string{"LOOPBACK", "UP"}
	for _, tc := range []struct {
		name   string
		ifs    []ifaces.Interface
		routes []ifaces.Route
		status Status
		prob   Problem
		detail string
	}{
		{"only loopback", []ifaces.Interface{lo}, nil, Fail, NoInterface, "no network interface besides loopback"},
		{"down", []ifaces.Interface{lo, iface(2, "eth0", false, false, "10.0.0.2/24")}, nil, Fail, NoInterface, "no interface is up; down: eth0"},
		{"no carrier", []ifaces.Interface{lo, iface(2, "eth0", true, false, "10.0.0.2/24"), iface(3, "wlan0", false, false)}, nil,
			Fail, NoCarrier, "eth0 enabled, but no link (no carrier)"},
		{"link-local only", []ifaces.Interface{lo, iface(2, "eth0", true, true, "fe80::1/64")}, nil,
			Fail, NoAddress, "eth0 up, but without an IPv4 or global IPv6 address"},
		{"routed first", []ifaces.Interface{lo, iface(2, "docker0", true, true, "172.17.0.1/16"), iface(3, "eth0", true, true, "10.0.0.2/24", "2001:db8::2/64", "fe80::2/64")},
			[]ifaces.Route{{Family: "ipv4", Index: 3}}, OK, "", "eth0 10.0.0.2/24 2001:db8::2/64, docker0 172.17.0.1/16"},
		{"many", []ifaces.Interface{lo, iface(2, "a", true, true, "10.0.1.1/24"), iface(3, "b", true, true, "10.0.2.1/24"),
			iface(4, "c", true, true, "10.0.3.1/24"), iface(5, "d", true, true, "10.0.4.1/24"), iface(6, "e", true, true, "10.0.5.1/24")},
			nil, OK, "", "a 10.0.1.1/24, b 10.0.2.1/24, c 10.0.3.1/24, +2 more"},
	} {
		st := checkInterfaces(&ifaces.Result{Interfaces: tc.ifs, DefaultRoutes: tc.routes})
		if st.Status != tc.status || st.Problem != tc.prob || st.Detail != tc.detail {
			t.Errorf("%s: %s/%s %q, want %s/%s %q", tc.name, st.Status, st.Problem, st.Detail, tc.status, tc.prob, tc.detail)
		}
		if len(st.Interfaces) != len(tc.ifs)-1 {
			t.Errorf("%s: %d interfaces listed, want every one but lo", tc.name, len(st.Interfaces))
		}
	}
}
