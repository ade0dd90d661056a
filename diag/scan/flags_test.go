package scan

import (
	"fmt"
	"strings"
	"testing"

	"netdiag/diag/cliargs"
	"netdiag/diag/exitcode"
)

// TestFlagsToOptions drives the command line → Options function with the
// one flag layer, as netdiag does, without scanning anything.
func TestFlagsToOptions(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
		warn string
	}{
		{[]string{"127.0.0.1"}, "ports 0 timeout 1s retries 6 conc 512 rate 0 family any all false targets [127.0.0.1]", ""},
		{[]string{"127.0.0.1", "-p", "22,80", "-W0.25", "-r0", "--concurrency", "8", "--rate", "100", "--all"}, "ports 2 timeout 250ms retries -1 conc 8 rate 100 family any all true targets [127.0.0.1]", ""},
		{[]string{"-6", "localhost", "127.0.0.1/31", "-p-"}, "ports 65535 timeout 1s retries 6 conc 512 rate 0 family IPv6 all false targets [localhost 127.0.0.1/31]", "127.0.0.1/31 has host bits set; scanning 127.0.0.0/31"},
	} {
		c, err := cliargs.Parse(Command(), tc.args...)
		if err != nil {
			t.Fatalf("%q: %v", tc.args, err)
		}
		var warn strings.Builder
		opt, err := flagsToOptions(c, &warn)
		if err != nil {
			t.Errorf("%q: %v", tc.args, err)
			continue
		}
		var targets []string
		for _, tg := range opt.Targets {
			targets = append(targets, tg.Input)
		}
		got := fmt.Sprintf("ports %d timeout %v retries %d conc %d rate %v family %v all %v targets %v",
			opt.Ports.Len(), opt.Timeout, opt.Retries, opt.Concurrency, opt.Rate, opt.Family, opt.All, targets)
		if got != tc.want || !strings.Contains(warn.String(), tc.warn) {
			t.Errorf("%q:\n got %s (warned %q)\nwant %s (warned %q)", tc.args, got, warn.String(), tc.want, tc.warn)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "scan: no target given"},
		{[]string{"h", "-W0"}, "--timeout 0s: must be positive"},
		{[]string{"h", "--banner-timeout", "0"}, "--banner-timeout 0s: must be positive"},
		{[]string{"h", "-r", "-1"}, "--retries -1: must be 0 or more"},
		{[]string{"h", "--concurrency", "0"}, "--concurrency 0: must be at least 1"},
		{[]string{"h", "--rate", "-1"}, "--rate -1: must be positive"},
		{[]string{"h", "-4", "-6"}, "-4 and -6 exclude each other"},
		{[]string{"h", "-p", "x-y"}, "-p: "},
		{[]string{"300.0.0.1"}, "300.0.0.1"},
	} {
		c, err := cliargs.Parse(Command(), tc.args...)
		if err != nil {
			t.Fatalf("%q: %v", tc.args, err)
		}
		if _, err := flagsToOptions(c, &strings.Builder{}); err == nil || !strings.Contains(err.Error(), tc.want) || exitcode.Code(err) != exitcode.Failure {
			t.Errorf("%q: %v, want a usage error with %q", tc.args, err, tc.want)
		}
	}
}
