package cliargs

import (
	"fmt"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"netdiag/diag/exitcode"
	"netdiag/diag/netaddr"
	"netdiag/diag/render"
)

// JSONFlag returns a fresh --json flag; every command registers one.
func JSONFlag() *cli.BoolFlag {
	return &cli.BoolFlag{Name: "json", Usage: "print results as JSON (one object per line) for scripts"}
}

// Output returns a command's Output: it writes to the app's Writer, in JSON
// lines when --json is set.
func Output(c *cli.Context) *render.Output {
	return render.New(c.App.Writer, c.Bool("json"))
}

// FamilyFlags returns fresh -4/--ipv4 and -6/--ipv6 flags; what limits
// says what they limit ("IPv4 only", "resolve names to IPv4 addresses only").
func FamilyFlags(limits string) []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: "ipv4", Aliases: []string{"4"}, Usage: strings.ReplaceAll(limits, "FAMILY", "IPv4")},
		&cli.BoolFlag{Name: "ipv6", Aliases: []string{"6"}, Usage: strings.ReplaceAll(limits, "FAMILY", "IPv6")},
	}
}

// Family reads the FamilyFlags of c (see FamilyOf).
func Family(c *cli.Context) (netaddr.Family, error) {
	return FamilyOf(c.Bool("ipv4"), c.Bool("ipv6"))
}

// FamilyOf turns -4 and -6 into a Family: AnyFamily unless one is set, and a
// usage error for both.
func FamilyOf(v4, v6 bool) (netaddr.Family, error) {
	switch {
	case v4 && v6:
		return netaddr.AnyFamily, exitcode.Usagef("-4 and -6 exclude each other; give neither for both families")
	case v4:
		return netaddr.IPv4, nil
	case v6:
		return netaddr.IPv6, nil
	}
	return netaddr.AnyFamily, nil
}

// DurationUsage is the help text's note on how every duration flag is
// written.
const DurationUsage = "Durations are seconds (0.5) or Go durations (500ms, 2s, 1m)."

// Parse normalizes argv (the words after the command's name) and parses it
// for cmd alone, returning the context its Action would see. It is how
// table tests drive a command's flags-to-Options function without running
// the command.
func Parse(cmd *cli.Command, argv ...string) (*cli.Context, error) {
	var got *cli.Context
	c := *cmd
	c.Action = func(ctx *cli.Context) error { got = ctx; return nil }
	c.Subcommands, c.HideHelpCommand = nil, true
	c.Flags = slices.Clone(cmd.Flags)
	app := &cli.App{Name: "netdiag", Commands: []*cli.Command{&c}, HideHelpCommand: true,
		ExitErrHandler: func(*cli.Context, error) {}}
	args, err := Normalize(app, append([]string{"netdiag", c.Name}, argv...))
	if err != nil {
		return nil, err
	}
	if err := app.Run(args); err != nil {
		return nil, fmt.Errorf("parsing %q: %w", argv, err)
	}
	if got == nil {
		return nil, fmt.Errorf("parsing %q: the command did not run (help?)", argv)
	}
	return got, nil
}
