package netaddr_test

import (
	"net/netip"
	"testing"

	"netdiag/diag/netaddr"
)

func TestParseHostPort(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in         string
		addr, name string
		port       netaddr.Port
		str        string
	}{
		{"1.2.3.4:80", "1.2.3.4", "", 80, "1.2.3.4:80"},
		{"[::1]:80", "::1", "", 80, "[::1]:80"},
		{"[fe80::1%eth0]:22", "fe80::1%eth0", "", 22, "[fe80::1%eth0]:22"},
		{"[::ffff:192.0.2.1]:443", "::ffff:192.0.2.1", "", 443, "[::ffff:192.0.2.1]:443"},
		{":9090", "", "", 9090, ":9090"},
		{"localhost:ssh", "", "localhost", 22, "localhost:22"},
		{"Example.COM:HTTP", "", "Example.COM", 80, "Example.COM:80"},
		{"host:0", "", "host", 0, "host:0"},
		{"[::]:65535", "::", "", 65535, "[::]:65535"},
	}
	for _, tt := range tests {
		hp, err := netaddr.ParseHostPort(tt.in)
		if err != nil {
			t.Errorf("ParseHostPort(%q): %v", tt.in, err)
			continue
		}
		var want netaddr.Host
		if tt.addr != "" {
			want.Addr = netip.MustParseAddr(tt.addr)
		}
		want.Name = tt.name
		if hp.Host != want || hp.Port != tt.port || hp.String() != tt.str {
			t.Errorf("ParseHostPort(%q) = %+v (%s), want host %+v port %d (%s)", tt.in, hp, hp, want, tt.port, tt.str)
		}
	}
}

func TestParseHostPortErrors(t *testing.T) {
	t.Parallel()
	checkErrors(t, "ParseHostPort", netaddr.ParseHostPort, []errCase{
		{"::1:80", "invalid host:port \"::1:80\": ambiguous without brackets: the address ::1:80, or ::1 port 80? Write [::1]:80 for the port"},
		{"2001:db8::1:8080", "invalid host:port \"2001:db8::1:8080\": ambiguous without brackets: the address 2001:db8::1:8080, or 2001:db8::1 port 8080? Write [2001:db8::1]:8080 for the port"},
		{"fe80::1%eth0:22", "invalid host:port \"fe80::1%eth0:22\": an IPv6 address with a port must be bracketed: write [fe80::1%eth0]:22"},
		{"::1", "invalid host:port \"::1\": missing port: ::1 is an IPv6 address; write [::1]:PORT"},
		{"1:2:3:4:5:6:7:8:80", "invalid host:port \"1:2:3:4:5:6:7:8:80\": an IPv6 address with a port must be bracketed: write [1:2:3:4:5:6:7:8]:80"},
		{"host:", "invalid host:port \"host:\": empty port after \":\""},
		{"host", "invalid host:port \"host\": missing \":port\""},
		{"[::1]", "invalid host:port \"[::1]\": missing \":port\" after \"]\""},
		{"[::1]x", "invalid host:port \"[::1]x\": expected \":port\" after \"]\", got \"x\""},
		{"[1.2.3.4]:80", "invalid host:port \"[1.2.3.4]:80\": brackets are only for IPv6 addresses; write 1.2.3.4:80"},
		{"[::1:80", "invalid host:port \"[::1:80\": missing \"]\" after the bracketed IPv6 address"},
		{"127.1:80", "invalid host:port \"127.1:80\": host \"127.1\": only 2 parts; an IPv4 address has 4 (short forms like 127.1 are not accepted) (`ping 127.1` pings 127.0.0.1: inet_aton reads the last of 2 parts as the remaining 3 bytes)"},
		{"1.2.3.4:65536", "invalid host:port \"1.2.3.4:65536\": port \"65536\": out of range; ports are 0-65535"},
		{"1.2.3.4:-1", "invalid host:port \"1.2.3.4:-1\": port \"-1\": ports are 0-65535; a sign is not allowed"},
		{"a_b:80", "invalid host:port \"a_b:80\": host \"a_b\": label \"a_b\" has character '_'; host names use letters, digits and hyphens"},
		{"[]:80", "invalid host:port \"[]:80\": empty brackets; write [IPv6 address]:port"},
		{":", "invalid host:port \":\": empty port after \":\""},
		{"[::g]:80", "invalid host:port \"[::g]:80\": address \"::g\": group 1 \"g\" has 'g'; groups are hex digits 0-9 a-f"},
		{" host:80", "invalid host:port \" host:80\": leading whitespace (a space)"},
		{"[fe80::1%]:22", "invalid host:port \"[fe80::1%]:22\": address \"fe80::1%\": empty zone after \"%\""},
	})
}

func TestParseHost(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in       string
		needsDNS bool
	}{
		{"localhost", true},
		{"a-b.example.", true},
		{"xn--bcher-kva.example", true},
		{"1.2.3.4e", true}, // RFC 1123: only an all-numeric last label makes it an address
		{"::1", false},
		{"fe80::1%eth0", false},
		{"192.0.2.1", false},
	}
	for _, tt := range tests {
		h, err := netaddr.ParseHost(tt.in)
		if err != nil || h.NeedsDNS() != tt.needsDNS || h.String() != tt.in && !h.Addr.IsValid() {
			t.Errorf("ParseHost(%q) = %+v, %v; want NeedsDNS %v", tt.in, h, err, tt.needsDNS)
		}
	}
}

func TestParseHostErrors(t *testing.T) {
	t.Parallel()
	checkErrors(t, "ParseHost", netaddr.ParseHost, []errCase{
		{"127.1", "invalid IPv4 address \"127.1\": only 2 parts; an IPv4 address has 4 (short forms like 127.1 are not accepted) (`ping 127.1` pings 127.0.0.1: inet_aton reads the last of 2 parts as the remaining 3 bytes)"},
		{"-a.com", "invalid host name \"-a.com\": label \"-a\" starts or ends with a hyphen"},
		{"a..b", "invalid host name \"a..b\": empty label (two dots in a row or a leading dot)"},
		{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com", "invalid host name \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com\": label \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" is longer than 63 characters"},
		{"under_score", "invalid host name \"under_score\": label \"under_score\" has character '_'; host names use letters, digits and hyphens"},
		{"0x7f.0.0.1", "invalid IPv4 address \"0x7f.0.0.1\": part 1 \"0x7f\" is hexadecimal; only decimal is allowed (`ping 0x7f.0.0.1` pings 127.0.0.1: inet_aton reads 0x as hexadecimal)"},
		{"", "invalid host name \"\": empty"},
		{"a.b.c.1", "invalid IP address \"a.b.c.1\": not an IP address, nor a host name: part 1 \"a\" is not a number, and a host name's last label is never numeric"},
		{"fe80::1%a b", "invalid IP address \"fe80::1%a b\": whitespace (a space) inside the address"},
	})
}

func TestParseTarget(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, host, prefix, rng string
		count                 uint64
	}{
		{"10.0.0.0/30", "", "10.0.0.0/30", "10.0.0.1-10.0.0.2", 2},
		{"10.0.0.1/30", "", "10.0.0.0/30", "10.0.0.1-10.0.0.2", 2},
		{"10.0.0.1-10.0.0.5", "", "", "10.0.0.1-10.0.0.5", 5},
		{"10.0.0.1-5", "", "", "10.0.0.1-10.0.0.5", 5},
		{"2001:db8::1-2001:db8::3", "", "", "2001:db8::1-2001:db8::3", 3},
		{"localhost", "localhost", "", "", 1},
		{"127.0.0.1", "127.0.0.1", "", "", 1},
	}
	for _, tt := range tests {
		tg, err := netaddr.ParseTarget(tt.in)
		if err != nil {
			t.Errorf("ParseTarget(%q): %v", tt.in, err)
			continue
		}
		gotPrefix, gotRange := "", ""
		if tg.Prefix.IsValid() {
			gotPrefix = tg.Prefix.String()
		}
		if tg.IsSweep() {
			gotRange = tg.Range.String()
		}
		if tg.Host.String() != tt.host || gotPrefix != tt.prefix || gotRange != tt.rng || tg.Count() != tt.count {
			t.Errorf("ParseTarget(%q) = host %q prefix %q range %q count %d; want %q %q %q %d",
				tt.in, tg.Host, gotPrefix, gotRange, tg.Count(), tt.host, tt.prefix, tt.rng, tt.count)
		}
	}
}

func TestParseTargetErrors(t *testing.T) {
	t.Parallel()
	checkErrors(t, "ParseTarget", netaddr.ParseTarget, []errCase{
		{"10.0.0.5-1", "invalid address range \"10.0.0.5-1\": end 10.0.0.1 is before start 10.0.0.5"},
		{"10.0.0.1-256", "invalid address range \"10.0.0.1-256\": end octet \"256\" is not a number 0-255 without leading zeros"},
		{"10.0.0.1-2001:db8::1", "invalid address range \"10.0.0.1-2001:db8::1\": start and end are of different families"},
		{"127.1", "invalid IPv4 address \"127.1\": only 2 parts; an IPv4 address has 4 (short forms like 127.1 are not accepted) (`ping 127.1` pings 127.0.0.1: inet_aton reads the last of 2 parts as the remaining 3 bytes)"},
		{"fe80::1%eth0-fe80::2", "invalid address range \"fe80::1%eth0-fe80::2\": zones are not allowed in ranges"},
		{"10.0.0.0/33", "invalid prefix \"10.0.0.0/33\": prefix length /33 is out of range for IPv4 (0-32)"},
	})
}

func TestRangeAll(t *testing.T) {
	t.Parallel()
	r := netaddr.Range{First: netip.MustParseAddr("10.0.0.254"), Last: netip.MustParseAddr("10.0.1.1")}
	var got []string
	for a := range r.All() {
		got = append(got, a.String())
	}
	want := "[10.0.0.254 10.0.0.255 10.0.1.0 10.0.1.1]"
	if s := fmtSlice(got); s != want || r.Len() != 4 {
		t.Errorf("All() = %s, Len %d; want %s, 4", s, r.Len(), want)
	}
	big := netaddr.Range{First: netip.MustParseAddr("::"), Last: netip.MustParseAddr("ffff::")}
	if big.Len() != ^uint64(0) {
		t.Errorf("Len of a huge range = %d, want saturation at MaxUint64", big.Len())
	}
}

func fmtSlice(s []string) string {
	out := "["
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out + "]"
}
