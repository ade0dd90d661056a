package netaddr_test

import (
	"net/netip"
	"testing"

	"netdiag/diag/netaddr"
)

func TestParsePrefix(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want, warning string
	}{
		{"10.0.0.0/8", "10.0.0.0/8", ""},
		{"10.0.0.1/8", "10.0.0.1/8", "host bits set: 10.0.0.1/8 is inside network 10.0.0.0/8"},
		{"0.0.0.0/0", "0.0.0.0/0", ""},
		{"192.168.1.255/32", "192.168.1.255/32", ""},
		{"2001:db8::/32", "2001:db8::/32", ""},
		{"2001:DB8::1/64", "2001:db8::1/64", "host bits set: 2001:db8::1/64 is inside network 2001:db8::/64"},
		{"::/0", "::/0", ""},
		{"::ffff:10.0.0.0/104", "::ffff:10.0.0.0/104", ""},
	}
	for _, tt := range tests {
		p, err := netaddr.ParsePrefix(tt.in)
		if err != nil {
			t.Errorf("ParsePrefix(%q): %v", tt.in, err)
			continue
		}
		if p.String() != tt.want || netaddr.HostBitsWarning(p) != tt.warning || netaddr.HostBitsSet(p) != (tt.warning != "") {
			t.Errorf("ParsePrefix(%q) = %v, warning %q; want %s, %q", tt.in, p, netaddr.HostBitsWarning(p), tt.want, tt.warning)
		}
	}
}

func TestParsePrefixErrors(t *testing.T) {
	t.Parallel()
	checkErrors(t, "ParsePrefix", netaddr.ParsePrefix, []errCase{
		{"2001:db8::1/129", "invalid prefix \"2001:db8::1/129\": prefix length /129 is out of range for IPv6 (0-128)"},
		{"10.0.0.0/08", "invalid prefix \"10.0.0.0/08\": prefix length \"08\" has a leading zero; write /8"},
		{"10.0.0.0/", "invalid prefix \"10.0.0.0/\": empty prefix length after \"/\""},
		{"/8", "invalid prefix \"/8\": missing address before \"/\""},
		{"10.0.0.0", "invalid prefix \"10.0.0.0\": missing \"/\" and prefix length"},
		{"10.0.0.0/8/9", "invalid prefix \"10.0.0.0/8/9\": more than one \"/\""},
		{"10.0.0.0/255.0.0.0", "invalid prefix \"10.0.0.0/255.0.0.0\": \"/255.0.0.0\" is netmask notation; write /8"},
		{"10.0.0.0/0.0.0.255", "invalid prefix \"10.0.0.0/0.0.0.255\": \"/0.0.0.255\" is a wildcard (host) mask; write /24"},
		{"10.0.0.0/255.0.255.0", "invalid prefix \"10.0.0.0/255.0.255.0\": \"/255.0.255.0\" is neither a prefix length nor a contiguous netmask"},
		{"10.0.0.0/33", "invalid prefix \"10.0.0.0/33\": prefix length /33 is out of range for IPv4 (0-32)"},
		{"10.0.0.0/x", "invalid prefix \"10.0.0.0/x\": prefix length \"x\" is not a decimal number"},
		{"10.0.0.0/ 8", "invalid prefix \"10.0.0.0/ 8\": whitespace (a space) inside the prefix"},
		{"fe80::%eth0/64", "invalid prefix \"fe80::%eth0/64\": zone \"%eth0\" is not allowed in a prefix: a prefix names a network, not an interface"},
		{"10.0.0.010/8", "invalid prefix \"10.0.0.010/8\": address \"10.0.0.010\": octet 4 \"010\" has a leading zero (`ping 10.0.0.010` pings 10.0.0.8: inet_aton reads a leading 0 as octal; ipcalc reads it as 10.0.0.10)"},
		{"10.0.0.0/-1", "invalid prefix \"10.0.0.0/-1\": prefix length \"-1\" is not a decimal number"},
		{"10.0.0.0/1000", "invalid prefix \"10.0.0.0/1000\": prefix length /1000 is out of range for IPv4 (0-32)"},
		{"2001:db8::/ffff:ffff::", "invalid prefix \"2001:db8::/ffff:ffff::\": \"/ffff:ffff::\" is netmask notation; write /32"},
		{"10.0.0.0/ffff::", "invalid prefix \"10.0.0.0/ffff::\": prefix length \"ffff::\" is not a decimal number"},
		{"127.1/8", "invalid prefix \"127.1/8\": address \"127.1\": only 2 parts; an IPv4 address has 4 (short forms like 127.1 are not accepted) (`ping 127.1` pings 127.0.0.1: inet_aton reads the last of 2 parts as the remaining 3 bytes)"},
	})
}

// TestPrefixMath checks the numbers ipcalc and sipcalc print; the values
// were read off ipcalc 0.5 and sipcalc 1.1.6 (TestPrefixMathMatchesIpcalc
// asks ipcalc itself for the IPv4 ones).
func TestPrefixMath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		prefix, netmask, wildcard, last, first, lastUsable, size string
	}{
		{"192.168.1.77/24", "255.255.255.0", "0.0.0.255", "192.168.1.255", "192.168.1.1", "192.168.1.254", "256"},
		{"10.0.0.0/8", "255.0.0.0", "0.255.255.255", "10.255.255.255", "10.0.0.1", "10.255.255.254", "16777216"},
		{"192.168.1.0/31", "255.255.255.254", "0.0.0.1", "192.168.1.1", "192.168.1.0", "192.168.1.1", "2"},
		{"192.168.1.5/32", "255.255.255.255", "0.0.0.0", "192.168.1.5", "192.168.1.5", "192.168.1.5", "1"},
		{"0.0.0.0/0", "0.0.0.0", "255.255.255.255", "255.255.255.255", "0.0.0.1", "255.255.255.254", "4294967296"},
		{"2001:db8::1/64", "ffff:ffff:ffff:ffff::", "::ffff:ffff:ffff:ffff", "2001:db8::ffff:ffff:ffff:ffff", "2001:db8::1", "2001:db8::ffff:ffff:ffff:ffff", "18446744073709551616"},
		{"2001:db8::/127", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", "::1", "2001:db8::1", "2001:db8::", "2001:db8::1", "2"},
		{"2001:db8::7/128", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::", "2001:db8::7", "2001:db8::7", "2001:db8::7", "1"},
		{"::/0", "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "340282366920938463463374607431768211456"},
	}
	for _, tt := range tests {
		p := netip.MustParsePrefix(tt.prefix)
		u := netaddr.UsableRange(p)
		got := []string{netaddr.Netmask(p).String(), netaddr.Wildcard(p).String(), netaddr.LastAddr(p).String(),
			u.First.String(), u.Last.String(), netaddr.PrefixSize(p).String()}
		want := []string{tt.netmask, tt.wildcard, tt.last, tt.first, tt.lastUsable, tt.size}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s: netmask, wildcard, last, first usable, last usable, size = %q, want %q", tt.prefix, got, want)
				break
			}
		}
	}
}

func TestHostRange(t *testing.T) {
	t.Parallel()
	tests := []struct{ prefix, want string }{
		{"10.0.0.0/30", "10.0.0.1-10.0.0.2"},
		{"10.0.0.0/31", "10.0.0.0-10.0.0.1"},
		{"10.0.0.9/32", "10.0.0.9-10.0.0.9"},
		{"2001:db8::/126", "2001:db8::-2001:db8::3"}, // fping -g takes IPv6 prefixes whole
	}
	for _, tt := range tests {
		if got := netaddr.HostRange(netip.MustParsePrefix(tt.prefix)).String(); got != tt.want {
			t.Errorf("HostRange(%s) = %s, want %s", tt.prefix, got, tt.want)
		}
	}
}
