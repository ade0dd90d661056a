package trace

import (
	"fmt"
	"strings"
	"testing"

	"netdiag/diag/cliargs"
	"netdiag/diag/exitcode"
)

// TestFlagsToOptions drives the command line → Options function through
// the one flag layer, as netdiag does, without tracing anything.
func TestFlagsToOptions(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string // Options fields, as fmt prints them
	}{
		{[]string{"192.0.2.1"}, "target 192.0.2.1 method icmp port 0 first 1 max 30 count 5 interval 0s timeout 2s numeric false mtu false family any"},
		{[]string{"-n", "-c10", "-i0.1", "-W", "0.5", "192.0.2.1"}, "target 192.0.2.1 method icmp port 0 first 1 max 30 count 10 interval 100ms timeout 500ms numeric true mtu false family any"},
		{[]string{"192.0.2.1", "-q", "3", "-m", "12", "-f", "2"}, "target 192.0.2.1 method icmp port 0 first 2 max 12 count 3 interval 0s timeout 2s numeric false mtu false family any"},
		{[]string{"-U", "-p", "40000", "example.test"}, "target example.test method udp port 40000 first 1 max 30 count 5 interval 0s timeout 2s numeric false mtu false family any"},
		{[]string{"-T", "-p", "https", "-6", "example.test"}, "target example.test method tcp port 443 first 1 max 30 count 5 interval 0s timeout 2s numeric false mtu false family IPv6"},
		{[]string{"--tcp", "2001:db8::1"}, "target 2001:db8::1 method tcp port 0 first 1 max 30 count 5 interval 0s timeout 2s numeric false mtu false family any"},
		{[]string{"--mtu", "-4", "-i", "0", "192.0.2.1"}, "target 192.0.2.1 method icmp port 0 first 1 max 30 count 5 interval -1ns timeout 2s numeric false mtu true family IPv4"},
		{[]string{"--udp", "--mtu", "192.0.2.1", "--json"}, "target 192.0.2.1 method udp port 0 first 1 max 30 count 5 interval 0s timeout 2s numeric false mtu true family any"},
	} {
		c, err := cliargs.Parse(Command(), tc.args...)
		if err != nil {
			t.Fatalf("%q: %v", tc.args, err)
		}
		opt, err := flagsToOptions(c)
		if err != nil {
			t.Errorf("%q: %v", tc.args, err)
			continue
		}
		got := fmt.Sprintf("target %s method %v port %d first %d max %d count %d interval %v timeout %v numeric %v mtu %v family %v",
			opt.Target, opt.Method, opt.Port, opt.FirstHop, opt.MaxHops, opt.Count, opt.Interval, opt.Timeout, opt.Numeric, opt.MTU, opt.Family)
		if got != tc.want {
			t.Errorf("%q:\n got %s\nwant %s", tc.args, got, tc.want)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "no host given"},
		{[]string{"192.0.2.1", "192.0.2.2"}, "trace takes one host, got 2"},
		{[]string{"-c0", "h.test"}, "-c 0: must be 1 to 10000"},
		{[]string{"-m", "256", "h.test"}, "-m 256: must be 1 to 255"},
		{[]string{"-f", "9", "-m", "8", "h.test"}, "-f 9: must be 1 to the max hops (8)"},
		{[]string{"-W0", "h.test"}, "-W 0s: must be more than 0"},
		{[]string{"-U", "-T", "h.test"}, "--icmp, --udp and --tcp exclude each other"},
		{[]string{"-T", "--mtu", "h.test"}, "--mtu needs ICMP or UDP probes"},
		{[]string{"-p", "80", "h.test"}, "-p is for --udp and --tcp probes"},
		{[]string{"-T", "-p", "0", "h.test"}, "-p 0: give a port from 1 to 65535"},
		{[]string{"-T", "-p", "nosuchservice", "h.test"}, "nosuchservice"},
		{[]string{"-4", "-6", "h.test"}, "-4 and -6 exclude each other"},
		{[]string{"--source", "1.2.3", "h.test"}, "--source:"},
		{[]string{"--interface", "nd-no-such-if", "h.test"}, "--interface nd-no-such-if: no such interface"},
		{[]string{"--source", "127.0.0.1", "--interface", "lo", "h.test"}, "--source and --interface exclude each other"},
		{[]string{"999.1.1.1"}, "999.1.1.1"},
	} {
		c, err := cliargs.Parse(Command(), tc.args...)
		if err != nil {
			t.Fatalf("%q: %v", tc.args, err)
		}
		if _, err := flagsToOptions(c); err == nil || !strings.Contains(err.Error(), tc.want) || exitcode.Code(err) != exitcode.Failure {
			t.Errorf("%q: %v, want a usage error with %q", tc.args, err, tc.want)
		}
	}
}
