package port

import (
	"fmt"
	"testing"

	"github.com/urfave/cli/v2"

	"netdiag/diag/cliargs/cliargstest"
)

// TestFlagsToOptions drives the command line → Options function with the
// one flag layer, as netdiag does, without listing any socket.
func TestFlagsToOptions(t *testing.T) {
	format := func(c *cli.Context) (string, error) {
		opt, err := flagsToOptions(c)
		var lists []string
		for _, l := range opt.Lists {
			lists = append(lists, l.String())
		}
		return fmt.Sprintf("lists %v proto %q local %v all %v", lists, opt.Proto, opt.Local, opt.All), err
	}
	cliargstest.Options(t, Command(), format, []cliargstest.Case{
		{Args: []string{"80", "ssh,20-21", "-"}, Want: `lists [80 20-22 1-65535] proto "" local false all false`},
		{Args: []string{"8080", "--local", "--tcp"}, Want: `lists [8080] proto "tcp" local true all false`},
		{Args: []string{"-lu", "8080"}, Want: `lists [8080] proto "udp" local true all false`},
		{Args: []string{"8080", "-l", "-t", "-u"}, Want: `lists [8080] proto "" local true all false`},
		{Args: []string{"8080", "--all"}, Want: `lists [8080] proto "" local false all true`},
	})
	cliargstest.UsageErrors(t, Command(), format, []cliargstest.Case{
		{Args: []string{"8080", "--udp"}, Want: "add --local"},
		{Args: nil, Want: "give at least one port"},
		{Args: []string{"80", "--", "-5"}, Want: "negative port"},
		{Args: []string{"65536"}, Want: "out of range"},
	})
}
