package cliargs_test

import (
	"slices"
	"testing"

	"github.com/urfave/cli/v2"

	"netdiag/diag/cliargs"
)

func TestShortOptions(t *testing.T) {
	app := &cli.App{
		Name:  "app",
		Flags: []cli.Flag{&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}}},
		Commands: []*cli.Command{
			{Name: "ping", Flags: []cli.Flag{
				&cli.IntFlag{Name: "count", Aliases: []string{"c"}},
				&cli.StringFlag{Name: "timeout", Aliases: []string{"W"}},
				&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}},
				&cli.BoolFlag{Name: "numeric", Aliases: []string{"n"}},
				&cli.BoolFlag{Name: "ipv4", Aliases: []string{"4"}},
				&cli.BoolFlag{Name: "ipv6", Aliases: []string{"6"}},
			}},
			{Name: "tcp", Subcommands: []*cli.Command{{Name: "client", Flags: []cli.Flag{
				&cli.StringFlag{Name: "send", Aliases: []string{"s"}},
				&cli.BoolFlag{Name: "hex", Aliases: []string{"x"}},
			}}}},
		},
	}
	for _, tc := range []struct{ in, want []string }{
		{[]string{"ping", "-c1", "host"}, []string{"ping", "-c", "1", "host"}},
		{[]string{"ping", "host", "-W0.5", "-qn"}, []string{"ping", "host", "-W", "0.5", "-q", "-n"}},
		{[]string{"ping", "-qc3", "host"}, []string{"ping", "-q", "-c", "3", "host"}},
		{[]string{"ping", "-qc", "3", "host"}, []string{"ping", "-q", "-c", "3", "host"}},
		{[]string{"ping", "-46", "host"}, []string{"ping", "-4", "-6", "host"}},
		// Flags as written, and their values, stay as they are.
		{[]string{"ping", "-c", "-1", "--count=2", "-q", "--quiet", "-4"}, []string{"ping", "-c", "-1", "--count=2", "-q", "--quiet", "-4"}},
		// Not a group of this command's one-letter flags: left to the parser.
		{[]string{"ping", "-cx", "-zz", "-qz", "--c1", "-", "-1.2.3.4"}, []string{"ping", "-c", "x", "-zz", "-qz", "--c1", "-", "-1.2.3.4"}},
		{[]string{"ping", "host", "--", "-c1"}, []string{"ping", "host", "--", "-c1"}},
		// Subcommands; a value that looks like a group is still a value.
		{[]string{"tcp", "client", "-xs414243", "--send", "-qc1", "h:1"}, []string{"tcp", "client", "-x", "-s", "414243", "--send", "-qc1", "h:1"}},
		// No command, or an unknown one: nothing to go by.
		{[]string{"-vc1"}, []string{"-vc1"}},
		{[]string{"nope", "-c1"}, []string{"nope", "-c1"}},
	} {
		argv := append([]string{"app"}, tc.in...)
		orig := slices.Clone(argv)
		got := cliargs.ShortOptions(app, argv)
		if want := append([]string{"app"}, tc.want...); !slices.Equal(got, want) {
			t.Errorf("%q: got %q, want %q", tc.in, got[1:], tc.want)
		}
		if !slices.Equal(argv, orig) {
			t.Errorf("%q: argv modified to %q", tc.in, argv)
		}
	}
}
