// Package ifaces implements "netdiag ifaces", the ifconfig / "ip addr"
// equivalent: every interface with its index, name, state (admin up/down,
// carrier), flags, MTU, hardware address, addresses (prefix length, family,
// scope, IPv4 broadcast), traffic counters, and the IPv4 and IPv6 default
// gateways with the interface that holds each.
//
// Usage:
//
//	netdiag ifaces [--up] [-4|-6] [--brief|--json] [NAME...]
//
// NAME keeps only the named interfaces (an unknown name exits 1 and lists
// the names that exist); --up hides administratively down interfaces; -4 and
// -6 keep one address family; --brief prints one line per interface like
// "ip -br addr"; --json prints one JSON object for scripts.
//
// On Linux everything comes from the kernel over rtnetlink in one pass
// (links with 64-bit counters, addresses, routes) and needs no privilege.
// Elsewhere netdiag uses Go's portable net.Interfaces and says "not available
// here" for counters and routes instead of printing zeros.
//
// Gathering is separate from printing: Gather returns a Result (data with
// JSON tags), Print renders it. Other commands use Gather and DefaultRoutes.
package ifaces

import (
	"errors"

	"github.com/urfave/cli/v2"

	"netdiag/diag/cliargs"
	"netdiag/diag/exitcode"
)

// Command returns the "ifaces" command.
func Command() *cli.Command {
	return &cli.Command{
		Name:      "ifaces",
		Usage:     "list interfaces, addresses, counters and default gateways",
		ArgsUsage: "[NAME...]",
		Description: "Lists every network interface (or only the NAMEs given) with its state, flags, MTU,\n" +
			"hardware address, addresses and traffic counters, then the default gateways.\n" +
			"The primary global address of the interface holding the default route is highlighted.\n\n" +
			"Exit codes: 0 success, 1 an interface NAME does not exist, 2 usage or system error.",
		Flags: append([]cli.Flag{
			&cli.BoolFlag{Name: "up", Usage: "hide interfaces that are administratively down"},
			&cli.BoolFlag{Name: "brief", Aliases: []string{"br"}, Usage: "one line per interface: name, state, addresses (like ip -br addr)"},
			cliargs.JSONFlag(),
		}, cliargs.FamilyFlags("FAMILY addresses and routes only")...),
		Action: run,
	}
}

// flagsToOptions turns the command line into Options and a View.
func flagsToOptions(c *cli.Context) (Options, View, error) {
	opt := Options{UpOnly: c.Bool("up"), Names: c.Args().Slice()}
	var err error
	if opt.Family, err = cliargs.Family(c); err != nil {
		return opt, Full, err
	}
	if c.Bool("brief") && c.Bool("json") {
		return opt, Full, exitcode.Usagef("--brief and --json exclude each other")
	}
	if c.Bool("brief") {
		return opt, Brief, nil
	}
	return opt, Full, nil
}

func run(c *cli.Context) error {
	opt, view, err := flagsToOptions(c)
	if err != nil {
		return err
	}
	res, err := Gather(c.Context, opt)
	var unknown *UnknownNamesError
	switch {
	case errors.As(err, &unknown):
		if len(res.Interfaces) > 0 {
			if perr := Print(cliargs.Output(c), res, view); perr != nil {
				return perr
			}
		}
		return exitcode.Negativef("%v", unknown)
	case err != nil:
		return err
	}
	return Print(cliargs.Output(c), res, view)
}
