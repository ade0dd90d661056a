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
	"strings"

	"github.com/urfave/cli/v2"

	"netdiag/diag/exitcode"
	"netdiag/diag/netaddr"
	"netdiag/diag/render"
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
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "up", Usage: "hide interfaces that are administratively down"},
			&cli.BoolFlag{Name: "ipv4", Aliases: []string{"4"}, Usage: "IPv4 addresses and routes only"},
			&cli.BoolFlag{Name: "ipv6", Aliases: []string{"6"}, Usage: "IPv6 addresses and routes only"},
			&cli.BoolFlag{Name: "brief", Aliases: []string{"br"}, Usage: "one line per interface: name, state, addresses (like ip -br addr)"},
			render.JSONFlag(),
		},
		Action: run,
	}
}

// flagsToOptions turns the command line into Options and a View.
func flagsToOptions(c *cli.Context) (Options, View, error) {
	opt := Options{UpOnly: c.Bool("up"), Names: c.Args().Slice()}
	switch {
	case c.Bool("ipv4") && c.Bool("ipv6"):
		return opt, Full, exitcode.Usagef("-4 and -6 exclude each other; give neither for both families")
	case c.Bool("ipv4"):
		opt.Family = netaddr.IPv4
	case c.Bool("ipv6"):
		opt.Family = netaddr.IPv6
	}
	if c.Bool("brief") && c.Bool("json") {
		return opt, Full, exitcode.Usagef("--brief and --json exclude each other")
	}
	for _, n := range opt.Names {
		if strings.HasPrefix(n, "-") {
			return opt, Full, exitcode.Usagef("flag %s after an interface name: put flags first (netdiag ifaces [flags] NAME...)", n)
		}
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
			if perr := Print(render.FromCLI(c), res, view); perr != nil {
				return perr
			}
		}
		return exitcode.Negativef("%v", unknown)
	case err != nil:
		return err
	}
	return Print(render.FromCLI(c), res, view)
}
