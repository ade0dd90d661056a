package ifaces

import (
	"fmt"
	"strings"
	"testing"

	"netdiag/diag/cliargs"
	"netdiag/diag/exitcode"
)

// TestFlagsToOptions drives the command line → Options function with the
// one flag layer, as netdiag does.
func TestFlagsToOptions(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "names [] up false family any view full"},
		{[]string{"lo", "-4", "--up", "eth0"}, "names [lo eth0] up true family IPv4 view full"},
		{[]string{"-br", "-6"}, "names [] up false family IPv6 view brief"},
	} {
		c, err := cliargs.Parse(Command(), tc.args...)
		if err != nil {
			t.Fatalf("%q: %v", tc.args, err)
		}
		opt, view, err := flagsToOptions(c)
		name := map[View]string{Full: "full", Brief: "brief"}[view]
		got := fmt.Sprintf("names %v up %v family %v view %s", opt.Names, opt.UpOnly, opt.Family, name)
		if err != nil || got != tc.want {
			t.Errorf("%q: %s, %v; want %s", tc.args, got, err, tc.want)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-4", "-6"}, "-4 and -6 exclude each other"},
		{[]string{"--brief", "--json"}, "--brief and --json exclude each other"},
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
