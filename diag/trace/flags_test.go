package trace

import (
	"fmt"
	"testing"

	"github.com/urfave/cli/v2"

	"netdiag/diag/cliargs/cliargstest"
)

// TestFlagsToOptions drives the command line → Options function through
// the one flag layer, as netdiag does, without tracing anything.
func TestFlagsToOptions(t *testing.T) {
	format := func(c *cli.Context) (string, error) {
		opt, err := flagsToOptions(c)
		return fmt.Sprintf("target %s method %v port %d first %d max %d count %d interval %v timeout %v numeric %v mtu %v family %v",
			opt.Target, opt.Method, opt.Port, opt.FirstHop, opt.MaxHops, opt.Count, opt.Interval, opt.Timeout, opt.Numeric, opt.MTU, opt.Family), err
	}
	cliargstest.Options(t, Command(), format, []cliargstest.Case{
		{Args: []string{"192.0.2.1"}, Want: "target 192.0.2.1 method icmp port 0 first 1 max 30 count 5 interval 0s timeout 2s numeric false mtu false family any"},
		{Args: []string{"-n", "-c10", "-i0.1", "-W", "0.5", "192.0.2.1"}, Want: "target 192.0.2.1 method icmp port 0 first 1 max 30 count 10 interval 100ms timeout 500ms numeric true mtu false family any"},
		{Args: []string{"192.0.2.1", "-q", "3", "-m", "12", "-f", "2"}, Want: "target 192.0.2.1 method icmp port 0 first 2 max 12 count 3 interval 0s timeout 2s numeric false mtu false family any"},
		{Args: []string{"-U", "-p", "40000", "example.test"}, Want: "target example.test method udp port 40000 first 1 max 30 count 5 interval 0s timeout 2s numeric false mtu false family any"},
		{Args: []string{"-T", "-p", "https", "-6", "example.test"}, Want: "target example.test method tcp port 443 first 1 max 30 count 5 interval 0s timeout 2s numeric false mtu false family IPv6"},
		{Args: []string{"--tcp", "2001:db8::1"}, Want: "target 2001:db8::1 method tcp port 0 first 1 max 30 count 5 interval 0s timeout 2s numeric false mtu false family any"},
		{Args: []string{"--mtu", "-4", "-i", "0", "192.0.2.1"}, Want: "target 192.0.2.1 method icmp port 0 first 1 max 30 count 5 interval -1ns timeout 2s numeric false mtu true family IPv4"},
		{Args: []string{"--udp", "--mtu", "192.0.2.1", "--json"}, Want: "target 192.0.2.1 method udp port 0 first 1 max 30 count 5 interval 0s timeout 2s numeric false mtu true family any"},
	})
	cliargstest.UsageErrors(t, Command(), format, []cliargstest.Case{
		{Args: nil, Want: "no host given"},
		{Args: []string{"192.0.2.1", "192.0.2.2"}, Want: "trace takes one host, got 2"},
		{Args: []string{"-c0", "h.test"}, Want: "-c 0: must be 1 to 10000"},
		{Args: []string{"-m", "256", "h.test"}, Want: "-m 256: must be 1 to 255"},
		{Args: []string{"-f", "9", "-m", "8", "h.test"}, Want: "-f 9: must be 1 to the max hops (8)"},
		{Args: []string{"-W0", "h.test"}, Want: "-W 0s: must be more than 0"},
		{Args: []string{"-U", "-T", "h.test"}, Want: "--icmp, --udp and --tcp exclude each other"},
		{Args: []string{"-T", "--mtu", "h.test"}, Want: "--mtu needs ICMP or UDP probes"},
		{Args: []string{"-p", "80", "h.test"}, Want: "-p is for --udp and --tcp probes"},
		{Args: []string{"-T", "-p", "0", "h.test"}, Want: "-p 0: give a port from 1 to 65535"},
		{Args: []string{"-T", "-p", "nosuchservice", "h.test"}, Want: "nosuchservice"},
		{Args: []string{"-4", "-6", "h.test"}, Want: "-4 and -6 exclude each other"},
		{Args: []string{"--source", "1.2.3", "h.test"}, Want: "--source:"},
		{Args: []string{"--interface", "nd-no-such-if", "h.test"}, Want: "--interface nd-no-such-if: no such interface"},
		{Args: []string{"--source", "127.0.0.1", "--interface", "lo", "h.test"}, Want: "--source and --interface exclude each other"},
		{Args: []string{"999.1.1.1"}, Want: "999.1.1.1"},
	})
}
