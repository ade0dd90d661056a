package netaddr_test

import (
	"errors"
	"net/netip"
	"slices"
	"testing"

	"netdiag/diag/netaddr"
)

func TestParseAddrValid(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"0.0.0.0", "0.0.0.0"},
		{"127.0.0.1", "127.0.0.1"},
		{"255.255.255.255", "255.255.255.255"},
		{"192.0.2.1", "192.0.2.1"},
		{"::", "::"},
		{"::1", "::1"},
		{"0:0:0:0:0:0:0:1", "::1"},
		{"2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"},
		{"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},    // RFC 5952 4.2.3: first longest run
		{"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"}, // 4.2.2: one zero group is not compressed
		{"1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"},
		{"::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8"},
		{"::ffff:192.0.2.1", "::ffff:192.0.2.1"}, // RFC 5952 5: mapped addresses keep the dotted quad
		{"::ffff:c000:201", "::ffff:192.0.2.1"},
		{"::192.0.2.1", "::c000:201"},
		{"64:ff9b::192.0.2.1", "64:ff9b::c000:201"},
		{"1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"},
		{"fe80::1%eth0", "fe80::1%eth0"},
		{"fe80::1%25", "fe80::1%25"},
		{"ff02::1%br-lan.10", "ff02::1%br-lan.10"},
		{"::ffff:1.2.3.4%x", "::ffff:1.2.3.4%x"},
	}
	for _, tt := range tests {
		a, err := netaddr.ParseAddr(tt.in)
		if err != nil {
			t.Errorf("ParseAddr(%q): %v", tt.in, err)
			continue
		}
		if a.String() != tt.want {
			t.Errorf("ParseAddr(%q) = %s, want %s", tt.in, a, tt.want)
		}
	}
}

func TestParseAddrErrors(t *testing.T) {
	t.Parallel()
	checkErrors(t, "ParseAddr", netaddr.ParseAddr, []errCase{
		{"127.0.0.010", "invalid IPv4 address \"127.0.0.010\": octet 4 \"010\" has a leading zero (`ping 127.0.0.010` pings 127.0.0.8: inet_aton reads a leading 0 as octal; ipcalc reads it as 127.0.0.10)"},
		{"0x7f.1", "invalid IPv4 address \"0x7f.1\": part 1 \"0x7f\" is hexadecimal; only decimal is allowed (`ping 0x7f.1` pings 127.0.0.1: inet_aton reads 0x as hexadecimal, the last of 2 parts as the remaining 3 bytes)"},
		{"192.168.001.010", "invalid IPv4 address \"192.168.001.010\": octet 3 \"001\" has a leading zero (`ping 192.168.001.010` pings 192.168.1.8: inet_aton reads a leading 0 as octal; ipcalc reads it as 192.168.1.10)"},
		{"127.1", "invalid IPv4 address \"127.1\": only 2 parts; an IPv4 address has 4 (short forms like 127.1 are not accepted) (`ping 127.1` pings 127.0.0.1: inet_aton reads the last of 2 parts as the remaining 3 bytes)"},
		{"1.2.3.09", "invalid IPv4 address \"1.2.3.09\": octet 4 \"09\" has a leading zero (inet_aton rejects it (\"09\" is not valid octal), so `ping 1.2.3.09` looks it up in DNS as a host name; ipcalc reads it as 1.2.3.9)"},
		{"2130706433", "invalid IPv4 address \"2130706433\": a bare number is not an IPv4 address; write four decimal parts separated by dots (`ping 2130706433` pings 127.0.0.1: inet_aton reads a single number as all 4 bytes)"},
		{"0x7f000001", "invalid IPv4 address \"0x7f000001\": part 1 \"0x7f000001\" is hexadecimal; only decimal is allowed (`ping 0x7f000001` pings 127.0.0.1: inet_aton reads 0x as hexadecimal, a single number as all 4 bytes)"},
		{"0177.0.0.1", "invalid IPv4 address \"0177.0.0.1\": octet 1 \"0177\" has a leading zero (`ping 0177.0.0.1` pings 127.0.0.1: inet_aton reads a leading 0 as octal)"},
		{"127.0x0.1", "invalid IPv4 address \"127.0x0.1\": part 2 \"0x0\" is hexadecimal; only decimal is allowed (`ping 127.0x0.1` pings 127.0.0.1: inet_aton reads 0x as hexadecimal, the last of 3 parts as the remaining 2 bytes)"},
		{"1.2.3.256", "invalid IPv4 address \"1.2.3.256\": octet 4 \"256\" is out of range (0-255)"},
		{"1.2.3.1000", "invalid IPv4 address \"1.2.3.1000\": octet 4 \"1000\" is out of range (0-255)"},
		{"1.2.3.4.5", "invalid IPv4 address \"1.2.3.4.5\": 5 parts; an IPv4 address has exactly 4"},
		{"1.2.3.4.", "invalid IPv4 address \"1.2.3.4.\": trailing dot after \"1.2.3.4\""},
		{".1.2.3.4", "invalid IPv4 address \".1.2.3.4\": leading dot"},
		{"1..2.3", "invalid IPv4 address \"1..2.3\": empty part 2 (two dots in a row)"},
		{".", "invalid IPv4 address \".\": a lone dot is not an address"},
		{"localhost", "invalid IP address \"localhost\": not an IP address: \"localhost\" has the syntax of a host name"},
		{"1.2.3.4e", "invalid IP address \"1.2.3.4e\": not an IP address: \"1.2.3.4e\" has the syntax of a host name"},
		{"1.2.3.4!", "invalid IPv4 address \"1.2.3.4!\": part 4 \"4!\" has '!'; IPv4 parts are decimal numbers 0-255"},
		{"1.2.3.\xff", "invalid IPv4 address \"1.2.3.\\xff\": part 4 \"\\xff\" has byte 0xff, which is not UTF-8; IPv4 parts are decimal numbers 0-255"},
		{"12\xc3::", "invalid IPv6 address \"12\\xc3::\": group 1 \"12\\xc3\" has byte 0xc3, which is not UTF-8; groups are hex digits 0-9 a-f"},
		{" 1.2.3.4", "invalid IP address \" 1.2.3.4\": leading whitespace (a space)"},
		{"1.2.3.4 ", "invalid IP address \"1.2.3.4 \": trailing whitespace (a space)"},
		{"1.2.3.4\n", "invalid IP address \"1.2.3.4\\n\": trailing whitespace (a newline)"},
		{"1.2\t3.4", "invalid IP address \"1.2\\t3.4\": whitespace (a tab) inside the address"},
		{"", "invalid IP address \"\": empty string"},
		{"1.2.3.4%eth0", "invalid IPv4 address \"1.2.3.4%eth0\": zone \"%eth0\" after an IPv4 address; zones are only for IPv6 addresses"},
		{"%eth0", "invalid IP address \"%eth0\": nothing before the zone \"%eth0\""},
		{"1.2.3.4/24", "invalid IP address \"1.2.3.4/24\": \"/24\" is a prefix length; a single address is expected here"},
		{"[::1]", "invalid IP address \"[::1]\": brackets are only written around an IPv6 address followed by a port; write ::1"},
		{"[::1]:80", "invalid IP address \"[::1]:80\": \"[::1]:80\" is an address with a port; give the address alone: ::1"},
		{"192.0.2.1:80", "invalid IP address \"192.0.2.1:80\": \"192.0.2.1:80\" looks like host:port; give the address alone: 192.0.2.1"},
		{"1:2", "invalid IPv6 address \"1:2\": only 2 groups of 16 bits; an IPv6 address has 8, or \"::\" for a run of zero groups"},
		{"localhost:22", "invalid IP address \"localhost:22\": \"localhost:22\" looks like host:port; give the address alone: localhost"},
		{"::1::2", "invalid IPv6 address \"::1::2\": \"::\" appears 2 times; it may stand for only one run of zero groups"},
		{":::", "invalid IPv6 address \":::\": \":::\" (three colons in a row); \"::\" stands for one run of zero groups"},
		{":1::", "invalid IPv6 address \":1::\": starts with a single \":\"; write \"::\" to compress leading zero groups"},
		{"1::2:", "invalid IPv6 address \"1::2:\": ends with a single \":\"; write \"::\" to compress trailing zero groups"},
		{"1:2:3:4:5:6:7", "invalid IPv6 address \"1:2:3:4:5:6:7\": only 7 groups of 16 bits; an IPv6 address has 8, or \"::\" for a run of zero groups"},
		{"1:2:3:4:5:6:7:8:9", "invalid IPv6 address \"1:2:3:4:5:6:7:8:9\": 9 groups of 16 bits; an IPv6 address has 8"},
		{"::1:2:3:4:5:6:7:8", "invalid IPv6 address \"::1:2:3:4:5:6:7:8\": \"::\" must stand for at least one zero group, but the other groups already make 8"},
		{"12345::", "invalid IPv6 address \"12345::\": group 1 \"12345\" has 5 hex digits; at most 4"},
		{"12g4::", "invalid IPv6 address \"12g4::\": group 1 \"12g4\" has 'g'; groups are hex digits 0-9 a-f"},
		{"::ffff:01.2.3.4", "invalid IPv6 address \"::ffff:01.2.3.4\": embedded IPv4 \"01.2.3.4\": octet 1 \"01\" has a leading zero"},
		{"::ffff:1.2.3.256", "invalid IPv6 address \"::ffff:1.2.3.256\": embedded IPv4 \"1.2.3.256\": octet 4 \"256\" is out of range (0-255)"},
		{"::1.2.3.4:5", "invalid IPv6 address \"::1.2.3.4:5\": embedded IPv4 \"1.2.3.4\" must be the last 32 bits, after the hex groups"},
		{"::ffff:1.2.3", "invalid IPv6 address \"::ffff:1.2.3\": embedded IPv4 \"1.2.3\": only 3 parts; an IPv4 address has 4 (short forms like 127.1 are not accepted)"},
		{"1:2:3:4:5:6:7:1.2.3.4", "invalid IPv6 address \"1:2:3:4:5:6:7:1.2.3.4\": 9 groups of 16 bits (counting the embedded IPv4 as 2); an IPv6 address has 8"},
		{"1:2:3:4:5:6::1.2.3.4", "invalid IPv6 address \"1:2:3:4:5:6::1.2.3.4\": \"::\" must stand for at least one zero group, but the other groups already make 8"},
		{"fe80::1%", "invalid IPv6 address \"fe80::1%\": empty zone after \"%\""},
		{"fe80::1%eth0:22", "invalid IPv6 address \"fe80::1%eth0:22\": zone \"eth0:22\" contains \":\"; to give a port, write [fe80::1%eth0]:22"},
		{"fe80::1%a%b", "invalid IPv6 address \"fe80::1%a%b\": zone \"a%b\" contains '%'; a zone is an interface name or number"},
		{"fe80::1%[x]", "invalid IPv6 address \"fe80::1%[x]\": zone \"[x]\" contains '['; a zone is an interface name or number"},
		{"fe80::1%eth0/64", "invalid IP address \"fe80::1%eth0/64\": \"/64\" is a prefix length; a single address is expected here"},
		{"1.2.3.4%eth0:1", "invalid IPv4 address \"1.2.3.4%eth0:1\": zone \"%eth0:1\" after an IPv4 address; zones are only for IPv6 addresses"},
		{"１.2.3.4", "invalid IPv4 address \"１.2.3.4\": part 1 \"１\" has '１'; IPv4 parts are decimal numbers 0-255"},
		{"::0x1", "invalid IPv6 address \"::0x1\": group 1 \"0x1\" has 'x'; groups are hex digits 0-9 a-f"},
		{":", "invalid IPv6 address \":\": starts with a single \":\"; write \"::\" to compress leading zero groups"},
		{"fe80::1%é", "invalid IPv6 address \"fe80::1%é\": zone \"é\" contains 'é'; a zone is an interface name or number"},
	})
}

// checkErr fails unless err is a *netaddr.ParseError with message want.
// errCase is an input a parser must refuse, and the whole message it must
// give.
type errCase struct{ in, want string }

// checkErrors checks that parse, named fn, refuses each input with a
// *netaddr.ParseError that quotes the input and reads as want.
func checkErrors[T any](t *testing.T, fn string, parse func(string) (T, error), cases []errCase) {
	t.Helper()
	for _, tc := range cases {
		_, err := parse(tc.in)
		var pe *netaddr.ParseError
		switch {
		case err == nil:
			t.Errorf("%s(%q) succeeded, want error %q", fn, tc.in, tc.want)
		case !errors.As(err, &pe):
			t.Errorf("%s(%q) error %T, want *netaddr.ParseError", fn, tc.in, err)
		case err.Error() != tc.want:
			t.Errorf("%s(%q) error\n got: %s\nwant: %s", fn, tc.in, err, tc.want)
		case pe.Input != tc.in:
			t.Errorf("%s(%q) error quotes input %q", fn, tc.in, pe.Input)
		}
	}
}

func TestParseErrorFields(t *testing.T) {
	t.Parallel()
	_, err := netaddr.ParseAddr("127.0.0.010")
	var pe *netaddr.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %T, want *ParseError", err)
	}
	want := netaddr.ParseError{
		Kind:   "IPv4 address",
		Input:  "127.0.0.010",
		Reason: `octet 4 "010" has a leading zero`,
		Note:   "`ping 127.0.0.010` pings 127.0.0.8: inet_aton reads a leading 0 as octal; ipcalc reads it as 127.0.0.10",
	}
	if *pe != want {
		t.Errorf("got %+v\nwant %+v", *pe, want)
	}
}

func TestFamily(t *testing.T) {
	t.Parallel()
	v4, v6, mapped := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("::ffff:192.0.2.1")
	tests := []struct {
		f          netaddr.Family
		name       string
		v4, v6, mp bool
	}{
		{netaddr.AnyFamily, "any", true, true, true},
		{netaddr.IPv4, "IPv4", true, false, false},
		{netaddr.IPv6, "IPv6", false, true, true},
	}
	for _, tt := range tests {
		if tt.f.String() != tt.name || tt.f.Matches(v4) != tt.v4 || tt.f.Matches(v6) != tt.v6 || tt.f.Matches(mapped) != tt.mp {
			t.Errorf("%v: String %q, Matches(v4, v6, mapped) = %v %v %v, want %q %v %v %v", tt.f, tt.f.String(),
				tt.f.Matches(v4), tt.f.Matches(v6), tt.f.Matches(mapped), tt.name, tt.v4, tt.v6, tt.mp)
		}
	}
	if netaddr.AnyFamily.Matches(netip.Addr{}) {
		t.Error("AnyFamily matches the zero Addr")
	}
}

func TestStrings(t *testing.T) {
	got := netaddr.Strings([]netip.Addr{netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("fe80::1%eth0")})
	if want := []string{"10.0.0.1", "fe80::1%eth0"}; !slices.Equal(got, want) {
		t.Errorf("Strings = %q, want %q", got, want)
	}
}
