package check

import (
	"fmt"
	"strings"
	"testing"

	"netdiag/diag/cliargs"
)

// TestFlagsToOptions drives the command line → Options function with the
// one flag layer, as netdiag does, without checking anything.
func TestFlagsToOptions(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "gateway invalid IP dns example.com hosts [] port 443 timeout 2s count 3 resolv /etc/resolv.conf"},
		{[]string{"--gateway", "10.0.0.1", "--dns-name", "lab.test", "--host", "127.0.0.2", "--host", "lab.test", "--port", "https", "--timeout", "0.5", "-c1", "--resolv-conf", "/tmp/r"},
			"gateway 10.0.0.1 dns lab.test hosts [127.0.0.2 lab.test] port 443 timeout 500ms count 1 resolv /tmp/r"},
	} {
		c, err := cliargs.Parse(Command(), tc.args...)
		if err != nil {
			t.Fatalf("%q: %v", tc.args, err)
		}
		opt, err := flagsToOptions(c)
		got := fmt.Sprintf("gateway %v dns %s hosts %v port %v timeout %v count %d resolv %s", opt.Gateway, opt.DNSName, opt.Hosts, opt.Port, opt.Timeout, opt.Count, opt.ResolvConf)
		if err != nil || got != tc.want {
			t.Errorf("%q:\n got %s, %v\nwant %s", tc.args, got, err, tc.want)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"1.1.1.1"}, "check takes no arguments"},
		{[]string{"--gateway", "ff02::1"}, "a multicast address is not a host"},
		{[]string{"--dns-name", "10.0.0.1"}, "give a host name to resolve, not an address"},
		{[]string{"--port", "0"}, "--port 0: no connection can be made to port 0"},
		{[]string{"--timeout", "61"}, "--timeout 1m1s: give a duration above 0 and at most 1m0s"},
		{[]string{"-c", "101"}, "--count 101: give 1 to 100"},
	} {
		c, err := cliargs.Parse(Command(), tc.args...)
		if err != nil {
			t.Fatalf("%q: %v", tc.args, err)
		}
		if _, err := flagsToOptions(c); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want an error with %q", tc.args, err, tc.want)
		}
	}
}
