package ping

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"netdiag/diag/cliargs"
	"netdiag/diag/exitcode"
)

// TestFlagsToOptions drives the command line → Options function with the
// one flag layer, as netdiag does, without pinging anything.
func TestFlagsToOptions(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string // Options and view fields, as fmt prints them
	}{
		{[]string{"127.0.0.1"}, "count 0 interval 1s timeout 0s rate 0 retries 0 family any sweep false targets [127.0.0.1]"},
		{[]string{"127.0.0.1", "-c3", "-i0.2", "-W", "0.5", "-w", "2"}, "count 3 interval 200ms timeout 500ms rate 0 retries 0 family any sweep false targets [127.0.0.1]"},
		{[]string{"-4", "localhost"}, "count 0 interval 1s timeout 0s rate 0 retries 0 family IPv4 sweep false targets [localhost]"},
		{[]string{"127.0.0.0/30"}, fmt.Sprintf("count 1 interval 1s timeout %v rate %v retries %d family any sweep true targets [127.0.0.0/30]", DefaultSweepTimeout, float64(DefaultRate), DefaultRetries)},
		{[]string{"-g", "127.0.0.1", "127.0.0.5", "--rate", "0", "-c", "2"}, "count 2 interval 1s timeout 500ms rate 0 retries 0 family any sweep true targets [127.0.0.1-127.0.0.5]"},
		{[]string{"-a", "127.0.0.1", "::1", "-r", "1"}, "count 1 interval 1s timeout 500ms rate 100 retries 1 family any sweep true targets [127.0.0.1 ::1]"},
	} {
		c, err := cliargs.Parse(Command(), tc.args...)
		if err != nil {
			t.Fatalf("%q: %v", tc.args, err)
		}
		opt, v, err := flagsToOptions(c)
		if err != nil {
			t.Errorf("%q: %v", tc.args, err)
			continue
		}
		var targets []string
		for _, tg := range opt.Targets {
			targets = append(targets, tg.Input)
		}
		if tc.args[0] == "-g" {
			targets = []string{opt.Targets[0].Range.String()}
		}
		got := fmt.Sprintf("count %d interval %v timeout %v rate %v retries %d family %v sweep %v targets %v",
			opt.Count, opt.Interval, opt.Timeout, opt.Rate, opt.Retries, opt.Family, v.sweep, targets)
		if got != tc.want {
			t.Errorf("%q:\n got %s\nwant %s", tc.args, got, tc.want)
		}
		if len(tc.args) > 1 && tc.args[1] == "-c3" && opt.Deadline != 2*time.Second {
			t.Errorf("%q: deadline %v", tc.args, opt.Deadline)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-c0", "h"}, "-c 0: must be at least 1"},
		{[]string{"-W0", "h"}, "-W 0: must be more than 0"},
		{[]string{"-w0", "h"}, "-w 0: must be more than 0"},
		{[]string{"-t0", "h"}, "-t 0: must be 1 to 255"},
		{[]string{"-s", "70000", "h"}, "-s 70000: must be 0 to 65527"},
		{[]string{"--rate", "-1", "h"}, "--rate -1: must be positive"},
		{[]string{"-a", "-u", "127.0.0.0/30"}, "-a and -u exclude each other"},
		{[]string{"-4", "-6", "h"}, "-4 and -6 exclude each other"},
		{[]string{"--privileged", "--unprivileged", "h"}, "--privileged and --unprivileged exclude each other"},
		{[]string{"-g", "127.0.0.1"}, "-g 127.0.0.1: give a prefix"},
		{nil, "no target given"},
	} {
		c, err := cliargs.Parse(Command(), tc.args...)
		if err != nil {
			t.Fatalf("%q: %v", tc.args, err)
		}
		if _, _, err := flagsToOptions(c); err == nil || !strings.Contains(err.Error(), tc.want) || exitcode.Code(err) != exitcode.Failure {
			t.Errorf("%q: %v, want a usage error with %q", tc.args, err, tc.want)
		}
	}
}
