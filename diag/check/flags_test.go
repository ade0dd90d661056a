package check

import (
	"fmt"
	"testing"

	"github.com/urfave/cli/v2"

	"netdiag/diag/cliargs/cliargstest"
)

// TestFlagsToOptions drives the command line → Options function with the
// one flag layer, as netdiag does, without checking anything.
func TestFlagsToOptions(t *testing.T) {
	format := func(c *cli.Context) (string, error) {
		opt, err := flagsToOptions(c)
		return fmt.Sprintf("gateway %v dns %s hosts %v port %v timeout %v count %d resolv %s", opt.Gateway, opt.DNSName, opt.Hosts, opt.Port, opt.Timeout, opt.Count, opt.ResolvConf), err
	}
	cliargstest.Options(t, Command(), format, []cliargstest.Case{
		{Args: nil, Want: "gateway invalid IP dns example.com hosts [] port 443 timeout 2s count 3 resolv /etc/resolv.conf"},
		{Args: []string{"--gateway", "10.0.0.1", "--dns-name", "lab.test", "--host", "127.0.0.2", "--host", "lab.test", "--port", "https", "--timeout", "0.5", "-c1", "--resolv-conf", "/tmp/r"},
			Want: "gateway 10.0.0.1 dns lab.test hosts [127.0.0.2 lab.test] port 443 timeout 500ms count 1 resolv /tmp/r"},
	})
	cliargstest.UsageErrors(t, Command(), format, []cliargstest.Case{
		{Args: []string{"1.1.1.1"}, Want: "check takes no arguments"},
		{Args: []string{"--gateway", "ff02::1"}, Want: "a multicast address is not a host"},
		{Args: []string{"--dns-name", "10.0.0.1"}, Want: "give a host name to resolve, not an address"},
		{Args: []string{"--port", "0"}, Want: "--port 0: no connection can be made to port 0"},
		{Args: []string{"--timeout", "61"}, Want: "--timeout 1m1s: give a duration above 0 and at most 1m0s"},
		{Args: []string{"-c", "101"}, Want: "--count 101: give 1 to 100"},
	})
}
