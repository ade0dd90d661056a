package ip_test

import (
	"encoding/json"
	"net/netip"
	"testing"

	"netdiag/diag/ip"
)

// TestAnalyzeJSON pins the --json schema: field names, values and what is
// left out, for one input of each shape.
func TestAnalyzeJSON(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"192.168.1.10/24", "{\"input\":\"192.168.1.10/24\",\"valid\":true,\"kind\":\"prefix\",\"version\":4,\"address\":\"192.168.1.10\",\"expanded\":\"192.168.1.10\",\"integer\":\"3232235786\",\"hex\":\"0xc0a8010a\",\"binary\":\"11000000.10101000.00000001.00001010\",\"reverse_dns\":\"10.1.168.192.in-addr.arpa\",\"special\":{\"prefix\":\"192.168.0.0/16\",\"name\":\"Private-Use\",\"rfc\":\"RFC 1918\",\"source\":true,\"destination\":true,\"forwardable\":true,\"globally_reachable\":false,\"reserved_by_protocol\":false},\"properties\":{\"unspecified\":false,\"loopback\":false,\"private\":true,\"link_local\":false,\"multicast\":false,\"documentation\":false,\"shared\":false,\"benchmarking\":false,\"reserved\":false,\"global\":false,\"global_unicast\":false},\"prefix\":{\"network\":\"192.168.1.0/24\",\"length\":24,\"netmask\":\"255.255.255.0\",\"wildcard\":\"0.0.0.255\",\"broadcast\":\"192.168.1.255\",\"first_host\":\"192.168.1.1\",\"last_host\":\"192.168.1.254\",\"addresses\":\"256\",\"hosts\":\"254\",\"reverse_zone\":\"1.168.192.in-addr.arpa\"},\"host_bits_warning\":\"host bits set: 192.168.1.10/24 is inside network 192.168.1.0/24\"}"},
		{"127.0.0.010", "{\"input\":\"127.0.0.010\",\"valid\":false,\"error\":\"octet 4 \\\"010\\\" has a leading zero\",\"note\":\"`ping 127.0.0.010` pings 127.0.0.8: inet_aton reads a leading 0 as octal; ipcalc reads it as 127.0.0.10\"}"},
		{"2001:0:4136:e378:8000:63bf:3fff:fdd2", "{\"input\":\"2001:0:4136:e378:8000:63bf:3fff:fdd2\",\"valid\":true,\"kind\":\"address\",\"version\":6,\"address\":\"2001:0:4136:e378:8000:63bf:3fff:fdd2\",\"expanded\":\"2001:0000:4136:e378:8000:63bf:3fff:fdd2\",\"integer\":\"42540488182158724593221357832373272018\",\"hex\":\"0x200100004136e378800063bf3ffffdd2\",\"binary\":\"0010000000000001:0000000000000000:0100000100110110:1110001101111000:1000000000000000:0110001110111111:0011111111111111:1111110111010010\",\"reverse_dns\":\"2.d.d.f.f.f.f.3.f.b.3.6.0.0.0.8.8.7.3.e.6.3.1.4.0.0.0.0.1.0.0.2.ip6.arpa\",\"special\":{\"prefix\":\"2001::/32\",\"name\":\"TEREDO\",\"rfc\":\"RFC 4380, RFC 8190\",\"source\":true,\"destination\":true,\"forwardable\":true,\"globally_reachable\":null,\"reserved_by_protocol\":false},\"allocation\":\"Global Unicast, 2000::/3 (RFC 4291)\",\"properties\":{\"unspecified\":false,\"loopback\":false,\"private\":false,\"link_local\":false,\"multicast\":false,\"documentation\":false,\"shared\":false,\"benchmarking\":false,\"reserved\":false,\"global\":true,\"global_unicast\":true},\"embedded\":{\"kind\":\"teredo\",\"ipv4\":\"192.0.2.45\",\"server\":\"65.54.227.120\",\"port\":40000,\"flags\":32768,\"special\":{\"prefix\":\"192.0.2.0/24\",\"name\":\"Documentation (TEST-NET-1)\",\"rfc\":\"RFC 5737\",\"source\":false,\"destination\":false,\"forwardable\":false,\"globally_reachable\":false,\"reserved_by_protocol\":false}}}"},
		{"fe80::1%eth0", "{\"input\":\"fe80::1%eth0\",\"valid\":true,\"kind\":\"address\",\"version\":6,\"address\":\"fe80::1%eth0\",\"zone\":\"eth0\",\"expanded\":\"fe80:0000:0000:0000:0000:0000:0000:0001\",\"integer\":\"338288524927261089654018896841347694593\",\"hex\":\"0xfe800000000000000000000000000001\",\"binary\":\"1111111010000000:0000000000000000:0000000000000000:0000000000000000:0000000000000000:0000000000000000:0000000000000000:0000000000000001\",\"reverse_dns\":\"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.e.f.ip6.arpa\",\"special\":{\"prefix\":\"fe80::/10\",\"name\":\"Link-Local Unicast\",\"rfc\":\"RFC 4291\",\"source\":true,\"destination\":true,\"forwardable\":false,\"globally_reachable\":false,\"reserved_by_protocol\":true},\"allocation\":\"Link-Scoped Unicast, fe80::/10 (RFC 4291)\",\"properties\":{\"unspecified\":false,\"loopback\":false,\"private\":false,\"link_local\":true,\"multicast\":false,\"documentation\":false,\"shared\":false,\"benchmarking\":false,\"reserved\":false,\"global\":false,\"global_unicast\":false}}"},
		{"::ffff:192.0.2.1/120", "{\"input\":\"::ffff:192.0.2.1/120\",\"valid\":true,\"kind\":\"prefix\",\"version\":6,\"address\":\"::ffff:192.0.2.1\",\"expanded\":\"0000:0000:0000:0000:0000:ffff:c000:0201\",\"integer\":\"281473902969345\",\"hex\":\"0x00000000000000000000ffffc0000201\",\"binary\":\"0000000000000000:0000000000000000:0000000000000000:0000000000000000:0000000000000000:1111111111111111:1100000000000000:0000001000000001\",\"reverse_dns\":\"1.0.2.0.0.0.0.c.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa\",\"special\":{\"prefix\":\"::ffff:0:0/96\",\"name\":\"IPv4-mapped Address\",\"rfc\":\"RFC 4291\",\"source\":false,\"destination\":false,\"forwardable\":false,\"globally_reachable\":false,\"reserved_by_protocol\":true},\"allocation\":\"Reserved by IETF, ::/8 (RFC 4291)\",\"properties\":{\"unspecified\":false,\"loopback\":false,\"private\":false,\"link_local\":false,\"multicast\":false,\"documentation\":false,\"shared\":false,\"benchmarking\":false,\"reserved\":true,\"global\":false,\"global_unicast\":false},\"embedded\":{\"kind\":\"ipv4-mapped\",\"ipv4\":\"192.0.2.1\",\"special\":{\"prefix\":\"192.0.2.0/24\",\"name\":\"Documentation (TEST-NET-1)\",\"rfc\":\"RFC 5737\",\"source\":false,\"destination\":false,\"forwardable\":false,\"globally_reachable\":false,\"reserved_by_protocol\":false}},\"prefix\":{\"network\":\"::ffff:192.0.2.0/120\",\"length\":120,\"netmask\":\"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00\",\"wildcard\":\"::ff\",\"first_host\":\"::ffff:192.0.2.1\",\"last_host\":\"::ffff:192.0.2.255\",\"addresses\":\"256\",\"hosts\":\"255\",\"reverse_zone\":\"2.0.0.0.0.c.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa\"},\"host_bits_warning\":\"host bits set: ::ffff:192.0.2.1/120 is inside network ::ffff:192.0.2.0/120\"}"},
		{"ff02::1:2", "{\"input\":\"ff02::1:2\",\"valid\":true,\"kind\":\"address\",\"version\":6,\"address\":\"ff02::1:2\",\"expanded\":\"ff02:0000:0000:0000:0000:0000:0001:0002\",\"integer\":\"338963523518870617245727861364146372610\",\"hex\":\"0xff020000000000000000000000010002\",\"binary\":\"1111111100000010:0000000000000000:0000000000000000:0000000000000000:0000000000000000:0000000000000000:0000000000000001:0000000000000010\",\"reverse_dns\":\"2.0.0.0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.2.0.f.f.ip6.arpa\",\"allocation\":\"Multicast, ff00::/8 (RFC 4291)\",\"multicast_scope\":\"link-local (2)\",\"properties\":{\"unspecified\":false,\"loopback\":false,\"private\":false,\"link_local\":false,\"multicast\":true,\"documentation\":false,\"shared\":false,\"benchmarking\":false,\"reserved\":false,\"global\":false,\"global_unicast\":false}}"},
		{"2002:c000:204::1", "{\"input\":\"2002:c000:204::1\",\"valid\":true,\"kind\":\"address\",\"version\":6,\"address\":\"2002:c000:204::1\",\"expanded\":\"2002:c000:0204:0000:0000:0000:0000:0001\",\"integer\":\"42549574682102084431821433448024768513\",\"hex\":\"0x2002c000020400000000000000000001\",\"binary\":\"0010000000000010:1100000000000000:0000001000000100:0000000000000000:0000000000000000:0000000000000000:0000000000000000:0000000000000001\",\"reverse_dns\":\"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.4.0.2.0.0.0.0.c.2.0.0.2.ip6.arpa\",\"special\":{\"prefix\":\"2002::/16\",\"name\":\"6to4\",\"rfc\":\"RFC 3056\",\"source\":true,\"destination\":true,\"forwardable\":true,\"globally_reachable\":null,\"reserved_by_protocol\":false},\"allocation\":\"Global Unicast, 2000::/3 (RFC 4291)\",\"properties\":{\"unspecified\":false,\"loopback\":false,\"private\":false,\"link_local\":false,\"multicast\":false,\"documentation\":false,\"shared\":false,\"benchmarking\":false,\"reserved\":false,\"global\":true,\"global_unicast\":true},\"embedded\":{\"kind\":\"6to4\",\"ipv4\":\"192.0.2.4\",\"special\":{\"prefix\":\"192.0.2.0/24\",\"name\":\"Documentation (TEST-NET-1)\",\"rfc\":\"RFC 5737\",\"source\":false,\"destination\":false,\"forwardable\":false,\"globally_reachable\":false,\"reserved_by_protocol\":false}}}"},
		{"", "{\"input\":\"\",\"valid\":false,\"error\":\"empty string\"}"},
		{"10.0.0.0/255.0.0.0", "{\"input\":\"10.0.0.0/255.0.0.0\",\"valid\":false,\"error\":\"\\\"/255.0.0.0\\\" is netmask notation; write /8\"}"},
	}
	for _, tt := range tests {
		b, err := json.Marshal(ip.Analyze(tt.in))
		if err != nil || string(b) != tt.want {
			t.Errorf("Analyze(%q) as JSON:\n got: %s\nwant: %s", tt.in, b, tt.want)
		}
	}
}

func TestNumbers(t *testing.T) {
	t.Parallel()
	tests := []struct{ addr, integer, hex, binary string }{
		{"0.0.0.0", "0", "0x00000000", "00000000.00000000.00000000.00000000"},
		{"255.255.255.255", "4294967295", "0xffffffff", "11111111.11111111.11111111.11111111"},
		{"127.0.0.1", "2130706433", "0x7f000001", "01111111.00000000.00000000.00000001"},
		{"::", "0", "0x00000000000000000000000000000000", "0000000000000000:0000000000000000:0000000000000000:0000000000000000:0000000000000000:0000000000000000:0000000000000000:0000000000000000"},
		{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "340282366920938463463374607431768211455", "0xffffffffffffffffffffffffffffffff",
			"1111111111111111:1111111111111111:1111111111111111:1111111111111111:1111111111111111:1111111111111111:1111111111111111:1111111111111111"},
	}
	for _, tt := range tests {
		a := netip.MustParseAddr(tt.addr)
		if i, h, b := ip.Integer(a).String(), ip.Hex(a), ip.Binary(a); i != tt.integer || h != tt.hex || b != tt.binary {
			t.Errorf("%s: %s %s %s", tt.addr, i, h, b)
		}
	}
}

func TestReverseZone(t *testing.T) {
	t.Parallel()
	tests := []struct{ prefix, want string }{
		{"192.168.1.0/24", "1.168.192.in-addr.arpa"},
		{"10.0.0.0/8", "10.in-addr.arpa"},
		{"0.0.0.0/0", "in-addr.arpa"},
		{"192.168.1.0/25", ""},
		{"192.168.1.7/32", "7.1.168.192.in-addr.arpa"},
		{"2001:db8::/32", "8.b.d.0.1.0.0.2.ip6.arpa"},
		{"2001:db8::/33", ""},
		{"::/0", "ip6.arpa"},
	}
	for _, tt := range tests {
		if got := ip.ReverseZone(netip.MustParsePrefix(tt.prefix)); got != tt.want {
			t.Errorf("ReverseZone(%s) = %q, want %q", tt.prefix, got, tt.want)
		}
	}
}

func TestMulticastScope(t *testing.T) {
	t.Parallel()
	tests := []struct{ addr, want string }{
		{"ff01::1", "interface-local (1)"},
		{"ff02::1%eth0", "link-local (2)"},
		{"ff05::2", "site-local (5)"},
		{"ff0e::1", "global (e)"},
		{"ff06::1", "unassigned (6)"},
		{"ff00::1", "reserved (0)"},
		{"2001:db8::1", ""},
		{"224.0.0.1", ""},
	}
	for _, tt := range tests {
		if got := ip.MulticastScope(netip.MustParseAddr(tt.addr)); got != tt.want {
			t.Errorf("MulticastScope(%s) = %q, want %q", tt.addr, got, tt.want)
		}
	}
}
