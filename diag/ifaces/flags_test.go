package ifaces

import (
	"fmt"
	"testing"

	"github.com/urfave/cli/v2"

	"netdiag/diag/cliargs/cliargstest"
)

// TestFlagsToOptions drives the command line → Options function with the
// one flag layer, as netdiag does.
func TestFlagsToOptions(t *testing.T) {
	format := func(c *cli.Context) (string, error) {
		opt, view, err := flagsToOptions(c)
		name := map[View]string{Full: "full", Brief: "brief"}[view]
		return fmt.Sprintf("names %v up %v family %v view %s", opt.Names, opt.UpOnly, opt.Family, name), err
	}
	cliargstest.Options(t, Command(), format, []cliargstest.Case{
		{Args: nil, Want: "names [] up false family any view full"},
		{Args: []string{"lo", "-4", "--up", "eth0"}, Want: "names [lo eth0] up true family IPv4 view full"},
		{Args: []string{"-br", "-6"}, Want: "names [] up false family IPv6 view brief"},
	})
	cliargstest.UsageErrors(t, Command(), format, []cliargstest.Case{
		{Args: []string{"-4", "-6"}, Want: "-4 and -6 exclude each other"},
		{Args: []string{"--brief", "--json"}, Want: "--brief and --json exclude each other"},
	})
}
