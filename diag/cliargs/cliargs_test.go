package cliargs_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"netdiag/diag/cliargs"
	"netdiag/diag/exitcode"
)

// run parses argv as "app cmd ARGS..." with Interspersed and returns the
// positional arguments and the flag values it saw.
func run(t *testing.T, argv ...string) (args []string, count int, quiet bool, err error) {
	t.Helper()
	app := &cli.App{
		Name: "app", ExitErrHandler: func(*cli.Context, error) {},
		Commands: []*cli.Command{{
			Name:  "cmd",
			Flags: []cli.Flag{&cli.IntFlag{Name: "count", Aliases: []string{"c"}}, &cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}}},
			Action: func(c *cli.Context) error {
				args, err = cliargs.Interspersed(c)
				count, quiet = c.Int("count"), c.Bool("quiet")
				return nil
			},
		}},
	}
	if rerr := app.Run(append([]string{"app", "cmd"}, argv...)); rerr != nil {
		t.Fatalf("%v: %v", argv, rerr)
	}
	return args, count, quiet, err
}

func TestInterspersed(t *testing.T) {
	for _, tc := range []struct {
		argv  []string
		args  []string
		count int
		quiet bool
	}{
		{[]string{"-c", "3", "host"}, []string{"host"}, 3, false},
		{[]string{"host", "-c", "3", "other"}, []string{"host", "other"}, 3, false},
		{[]string{"host", "--count=4", "-q"}, []string{"host"}, 4, true},
		{[]string{"host", "-q=false", "-c", "-1"}, []string{"host"}, -1, false},
		{[]string{"host", "--", "-c", "5"}, []string{"host", "-c", "5"}, 0, false},
		{[]string{"-", "host"}, []string{"-", "host"}, 0, false},
	} {
		args, count, quiet, err := run(t, tc.argv...)
		if err != nil || !slices.Equal(args, tc.args) || count != tc.count || quiet != tc.quiet {
			t.Errorf("%q: args %q count %d quiet %v err %v; want %q %d %v", tc.argv, args, count, quiet, err, tc.args, tc.count, tc.quiet)
		}
	}
	for _, tc := range []struct {
		argv []string
		want string
	}{
		{[]string{"host", "--bogus"}, "flag provided but not defined: --bogus\nRun 'app cmd --help' for usage."},
		{[]string{"host", "-c"}, "flag needs an argument: -c"},
		{[]string{"host", "-c", "many"}, `invalid value "many" for flag -c`},
	} {
		_, _, _, err := run(t, tc.argv...)
		if err == nil || !strings.Contains(err.Error(), tc.want) || exitcode.Code(err) != exitcode.Failure {
			t.Errorf("%q: error %v (exit %d), want %q and exit 2", tc.argv, err, exitcode.Code(err), tc.want)
		}
	}
}
