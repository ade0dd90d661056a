// Command netdiag is a network diagnostics suite in one binary: interfaces,
// ping and sweeps, port classification and scanning, address validation, a
// TCP test server and client, and a one-shot "is my network OK?" check.
//
// main is the only place that exits: every command returns an error, and
// exitcode.Code maps it to the documented exit status (0 success, 1 negative
// result, 2 usage or system error).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/urfave/cli/v2"

	"netdiag/diag"
	"netdiag/diag/cliargs"
	"netdiag/diag/exitcode"
	"netdiag/tcp"
)

// version is netdiag's version, overridable at link time with
// -ldflags "-X main.version=...".
var version = "0.1.0-dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// The first Ctrl-C cancels ctx and the command prints what it has; once
	// that happened, restore default handling so a second Ctrl-C (or one
	// while a command waits on a terminal's stdin) kills the process.
	go func() {
		<-ctx.Done()
		stop()
	}()
	err := run(ctx, newApp(os.Stdout, os.Stderr), os.Args)
	stop()
	os.Exit(report(os.Stderr, err))
}

// run normalizes argv with the one flag layer (cliargs.Normalize) and runs
// the app on it.
func run(ctx context.Context, app *cli.App, argv []string) error {
	args, err := cliargs.Normalize(app, argv)
	if err != nil {
		return err
	}
	return app.RunContext(ctx, args)
}

// report prints err (unless it is silent) to w and returns the exit code.
func report(w io.Writer, err error) int {
	if err != nil && !exitcode.IsSilent(err) {
		fmt.Fprintf(w, "netdiag: %v\n", err)
	}
	return exitcode.Code(err)
}

// newApp builds the netdiag CLI writing to the given writers. It never exits
// the process: errors, including usage errors, are returned from Run.
func newApp(stdout, stderr io.Writer) *cli.App {
	app := &cli.App{
		Name:    "netdiag",
		Usage:   "network diagnostics in one binary: ifaces, ping, port, scan, ip, tcp, udp, check, trace, exporter",
		Version: version,
		Description: "netdiag replaces ping, fping, nc, nmap -sT, ipcalc and ifconfig for everyday diagnosis.\n" +
			"Every command prints a table by default and JSON lines with --json.\n" +
			"Flags may come before or after the arguments. " + cliargs.DurationUsage + "\n\n" +
			"Exit codes: 0 success, 1 negative result (host down, invalid address, no open port), 2 usage or system error.",
		Writer:               stdout,
		ErrWriter:            stderr,
		EnableBashCompletion: true,
		Suggest:              true,
		Commands:             append(diag.Commands(), tcp.Command(), completionCommand(), manCommand()),
		// Only main exits: keep urfave/cli from calling os.Exit.
		ExitErrHandler: func(*cli.Context, error) {},
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				msg := fmt.Sprintf("unknown command %q", c.Args().First())
				if s := cli.SuggestCommand(c.App.Commands, c.Args().First()); s != "" {
					msg += "; " + strings.TrimSuffix(strings.ToLower(s[:1])+s[1:], "?") + "?"
				}
				return exitcode.Usagef("%s\nRun 'netdiag --help' for the list of commands.", msg)
			}
			if err := cli.ShowAppHelp(c); err != nil {
				return err
			}
			return exitcode.Usagef("no command given")
		},
	}
	app.OnUsageError = usageError
	setup(app.Commands)
	app.Commands = append(app.Commands, helpCommand())
	// urfave/cli adds --help only when it adds its own help command.
	app.Flags = append(app.Flags, cli.HelpFlag)
	return app
}

// helpCommand is "help [COMMAND]", a fresh one for every app and command
// made of subcommands. urfave/cli's own help command is one package-level
// value that its runs modify (it becomes its own subcommand), which leaks
// from one app to the next in a test process.
func helpCommand() *cli.Command {
	return &cli.Command{
		Name:            "help",
		Aliases:         []string{"h"},
		Usage:           "show the commands, or one command's help",
		ArgsUsage:       "[COMMAND]",
		HideHelpCommand: true,
		Action: func(c *cli.Context) error {
			if name := c.Args().First(); name != "" {
				return cli.ShowCommandHelp(c.Lineage()[1], name)
			}
			if parent := c.Lineage()[1]; parent.Command != nil && parent.Command.Name != "" {
				return cli.ShowSubcommandHelp(parent)
			}
			return cli.ShowAppHelp(c)
		},
	}
}

// usageError turns a flag-parsing error into a one-line usage error (exit 2)
// with a hint, instead of urfave/cli's full help text.
func usageError(c *cli.Context, err error, isSubcommand bool) error {
	name := "netdiag"
	if isSubcommand && c.Command != nil {
		name = strings.TrimSpace(c.Command.HelpName)
	}
	return exitcode.UsageHint(err, name)
}

// setup gives every command the same habits: usage errors in one line, no
// "help" subcommand under a command that has none of its own (so "netdiag
// ping help" pings a host named help), and for a command made of
// subcommands ("tcp"), a help subcommand, and its usage and exit 2 when
// none or an unknown one is named.
func setup(cmds []*cli.Command) {
	for _, c := range cmds {
		c.OnUsageError = usageError
		c.HideHelpCommand = true
		if len(c.Subcommands) == 0 {
			continue
		}
		if c.Action == nil {
			c.Action = subcommandMissing
		}
		setup(c.Subcommands)
		c.Subcommands = append(c.Subcommands, helpCommand())
	}
}

// subcommandMissing is the action of a command made of subcommands.
func subcommandMissing(c *cli.Context) error {
	if err := cli.ShowSubcommandHelp(c); err != nil {
		return err
	}
	name := strings.TrimSpace(c.Command.HelpName)
	if c.Args().Present() {
		return exitcode.Usagef("%s: unknown subcommand %q\nRun '%s --help' for usage.", name, c.Args().First(), name)
	}
	return exitcode.Usagef("%s: no subcommand given", name)
}
