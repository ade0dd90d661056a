package udp

import (
	"strings"
	"testing"
	"time"

	"netdiag/internal/testnet"
)

// Multicast in namespaces: a sender in one, two members of the group in
// the other (on one port, as --group shares it), over a veth pair. Both
// members receive the datagram sent to the group, for IPv4 and IPv6.
func TestMulticastTwoMembers(t *testing.T) {
	bin := testnet.Binary(t)
	a, b := testnet.Netns(t, "mcs"), testnet.Netns(t, "mcm")
	testnet.MustRun(t, "ip", "-n", a, "link", "add", "va", "type", "veth", "peer", "name", "vb", "netns", b)
	for _, c := range [][]string{
		{"-n", a, "addr", "add", "10.77.0.1/24", "dev", "va"},
		{"-n", a, "addr", "add", "fd77::1/64", "dev", "va", "nodad"},
		{"-n", a, "link", "set", "va", "up"},
		{"-n", a, "route", "add", "224.0.0.0/4", "dev", "va"},
		{"-n", b, "addr", "add", "10.77.0.2/24", "dev", "vb"},
		{"-n", b, "addr", "add", "fd77::2/64", "dev", "vb", "nodad"},
		{"-n", b, "link", "set", "vb", "up"},
	} {
		testnet.MustRun(t, "ip", c...)
	}
	// A veth sends nothing (its queue drops) until the kernel's link
	// watch has marked both ends up.
	for _, end := range [][2]string{{a, "va"}, {b, "vb"}} {
		testnet.WaitUntil(t, 10*time.Second, end[1]+" up", func() (bool, error) {
			return strings.Contains(testnet.MustRun(t, "ip", "-n", end[0], "link", "show", end[1]), "state UP"), nil
		})
	}
	for _, tc := range []struct{ family, group string }{{"-4", "239.1.2.3"}, {"-6", "ff15::1234"}} {
		t.Run(tc.group, func(t *testing.T) {
			var members []*process
			for range 2 {
				m := start(t, testnet.InNetns(b, bin, "udp", "server", tc.family, "-p", "5400", "--group", tc.group+"%vb", "--json")...)
				m.expect([]byte(`"type":"listen"`))
				members = append(members, m)
			}
			target := tc.group + ":5400"
			if strings.Contains(tc.group, ":") {
				target = "[" + tc.group + "]:5400"
			}
			argv := testnet.InNetns(a, bin, "udp", "client", "--send", "to the group", "--wait", "0", target)
			res := testnet.Run(t, 30*time.Second, "", argv[0], argv[1:]...)
			if res.Code != 0 {
				t.Fatalf("client: exit %d\n%s%s", res.Code, res.Stdout, res.Stderr)
			}
			for _, m := range members {
				m.expect([]byte(`"dir":"in","seq":1,"bytes":12,"text":"to the group"`))
			}
		})
	}
}
