package ping

import (
	"fmt"
	"testing"

	"github.com/urfave/cli/v2"

	"netdiag/diag/cliargs/cliargstest"
)

// TestFlagsToOptions drives the command line → Options function with the
// one flag layer, as netdiag does, without pinging anything.
func TestFlagsToOptions(t *testing.T) {
	format := func(c *cli.Context) (string, error) {
		opt, v, err := flagsToOptions(c)
		var targets []string
		for _, tg := range opt.Targets {
			targets = append(targets, tg.Input)
		}
		if c.Bool("generate") && len(opt.Targets) > 0 {
			targets = []string{opt.Targets[0].Range.String()}
		}
		return fmt.Sprintf("count %d interval %v timeout %v rate %v retries %d family %v sweep %v targets %v deadline %v",
			opt.Count, opt.Interval, opt.Timeout, opt.Rate, opt.Retries, opt.Family, v.sweep, targets, opt.Deadline), err
	}
	cliargstest.Options(t, Command(), format, []cliargstest.Case{
		{Args: []string{"127.0.0.1"}, Want: "count 0 interval 1s timeout 0s rate 0 retries 0 family any sweep false targets [127.0.0.1] deadline 0s"},
		{Args: []string{"127.0.0.1", "-c3", "-i0.2", "-W", "0.5", "-w", "2"}, Want: "count 3 interval 200ms timeout 500ms rate 0 retries 0 family any sweep false targets [127.0.0.1] deadline 2s"},
		{Args: []string{"-4", "localhost"}, Want: "count 0 interval 1s timeout 0s rate 0 retries 0 family IPv4 sweep false targets [localhost] deadline 0s"},
		{Args: []string{"127.0.0.0/30"}, Want: fmt.Sprintf("count 1 interval 1s timeout %v rate %v retries %d family any sweep true targets [127.0.0.0/30] deadline 0s", DefaultSweepTimeout, float64(DefaultRate), DefaultRetries)},
		{Args: []string{"-g", "127.0.0.1", "127.0.0.5", "--rate", "0", "-c", "2"}, Want: "count 2 interval 1s timeout 500ms rate 0 retries 0 family any sweep true targets [127.0.0.1-127.0.0.5] deadline 0s"},
		{Args: []string{"-a", "127.0.0.1", "::1", "-r", "1"}, Want: "count 1 interval 1s timeout 500ms rate 100 retries 1 family any sweep true targets [127.0.0.1 ::1] deadline 0s"},
	})
	cliargstest.UsageErrors(t, Command(), format, []cliargstest.Case{
		{Args: []string{"-c0", "h"}, Want: "-c 0: must be at least 1"},
		{Args: []string{"-W0", "h"}, Want: "-W 0: must be more than 0"},
		{Args: []string{"-w0", "h"}, Want: "-w 0: must be more than 0"},
		{Args: []string{"-t0", "h"}, Want: "-t 0: must be 1 to 255"},
		{Args: []string{"-s", "70000", "h"}, Want: "-s 70000: must be 0 to 65527"},
		{Args: []string{"--rate", "-1", "h"}, Want: "--rate -1: must be positive"},
		{Args: []string{"-a", "-u", "127.0.0.0/30"}, Want: "-a and -u exclude each other"},
		{Args: []string{"-4", "-6", "h"}, Want: "-4 and -6 exclude each other"},
		{Args: []string{"--privileged", "--unprivileged", "h"}, Want: "--privileged and --unprivileged exclude each other"},
		{Args: []string{"-g", "127.0.0.1"}, Want: "-g 127.0.0.1: give a prefix"},
		{Args: nil, Want: "no target given"},
	})
}
