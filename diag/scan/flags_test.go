package scan

import (
	"fmt"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"netdiag/diag/cliargs/cliargstest"
)

// TestFlagsToOptions drives the command line → Options function with the
// one flag layer, as netdiag does, without scanning anything.
func TestFlagsToOptions(t *testing.T) {
	format := func(c *cli.Context) (string, error) {
		var warn strings.Builder
		opt, err := flagsToOptions(c, &warn)
		var targets []string
		for _, tg := range opt.Targets {
			targets = append(targets, tg.Input)
		}
		return fmt.Sprintf("ports %d timeout %v retries %d conc %d rate %v family %v all %v targets %v warned %q",
			opt.Ports.Len(), opt.Timeout, opt.Retries, opt.Concurrency, opt.Rate, opt.Family, opt.All, targets, strings.TrimSpace(warn.String())), err
	}
	cliargstest.Options(t, Command(), format, []cliargstest.Case{
		{Args: []string{"127.0.0.1"}, Want: `ports 0 timeout 1s retries 6 conc 512 rate 0 family any all false targets [127.0.0.1] warned ""`},
		{Args: []string{"127.0.0.1", "-p", "22,80", "-W0.25", "-r0", "--concurrency", "8", "--rate", "100", "--all"}, Want: `ports 2 timeout 250ms retries -1 conc 8 rate 100 family any all true targets [127.0.0.1] warned ""`},
		{Args: []string{"-6", "localhost", "127.0.0.1/31", "-p-"}, Want: `ports 65535 timeout 1s retries 6 conc 512 rate 0 family IPv6 all false targets [localhost 127.0.0.1/31] warned "netdiag: 127.0.0.1/31 has host bits set; scanning 127.0.0.0/31"`},
	})
	cliargstest.UsageErrors(t, Command(), format, []cliargstest.Case{
		{Args: nil, Want: "scan: no target given"},
		{Args: []string{"h", "-W0"}, Want: "--timeout 0s: must be positive"},
		{Args: []string{"h", "--banner-timeout", "0"}, Want: "--banner-timeout 0s: must be positive"},
		{Args: []string{"h", "-r", "-1"}, Want: "--retries -1: must be 0 or more"},
		{Args: []string{"h", "--concurrency", "0"}, Want: "--concurrency 0: must be at least 1"},
		{Args: []string{"h", "--rate", "-1"}, Want: "--rate -1: must be positive"},
		{Args: []string{"h", "-4", "-6"}, Want: "-4 and -6 exclude each other"},
		{Args: []string{"h", "-p", "x-y"}, Want: "-p: "},
		{Args: []string{"300.0.0.1"}, Want: "300.0.0.1"},
	})
}
