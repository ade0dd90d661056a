package port

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"netdiag/diag/cliargs"
	"netdiag/diag/exitcode"
	"netdiag/diag/netaddr"
)

// Command returns the "port" command.
func Command() *cli.Command {
	return &cli.Command{
		Name:      "port",
		Usage:     "classify ports and name their services; --local shows what uses them",
		ArgsUsage: "PORT|RANGE|LIST|NAME...",
		Description: "For each port: its class (well-known 0-1023 / dynamic 1024-65535), its IANA range\n" +
			"(system / user (registered) / dynamic (private)) and its service names on tcp, udp and sctp.\n" +
			"Arguments: 80, 20-25, 22,80,443, a service name or alias (http, www), - for 1-65535.\n" +
			fmt.Sprintf("A list longer than %d ports shows only the ports with a service name (with --local: in use);\n", MaxListed) +
			"--all shows every port.\n\n" +
			"--local also says whether each port is in use on this machine (listening TCP, bound UDP,\n" +
			"IPv4 and IPv6) and by which process:  netdiag port --local 8080\n\n" +
			"Exit codes: 0 ok; with --local 0 when a port is in use and 1 when all are free (like lsof -i\n" +
			"and fuser); 2 for a bad port, name or flag, or when sockets cannot be listed.\n\n" +
			"Examples:\n" +
			"  netdiag port 80 ssh 8000-8010\n" +
			"  netdiag port --local 8080          is 8080 free, and if not, who has it?\n" +
			"  netdiag port --local -             everything listening here\n" +
			"  until netdiag port -q --local 8080; do sleep 0.1; done    wait for a server",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "local", Aliases: []string{"l"}, Usage: "show whether each port is in use here (listening TCP, bound UDP) and by which process"},
			&cli.BoolFlag{Name: "tcp", Aliases: []string{"t"}, Usage: "with --local: look at TCP sockets only"},
			&cli.BoolFlag{Name: "udp", Aliases: []string{"u"}, Usage: "with --local: look at UDP sockets only"},
			&cli.BoolFlag{Name: "all", Aliases: []string{"a"}, Usage: fmt.Sprintf("show every port of a list longer than %d ports", MaxListed)},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print nothing; the exit code is the answer"},
			cliargs.JSONFlag(),
		},
		Action: action,
	}
}

func action(c *cli.Context) error {
	opt, err := flagsToOptions(c)
	if err != nil {
		return err
	}
	rep, err := Run(opt)
	if err != nil {
		return fmt.Errorf("port --local: %w", err)
	}
	if !c.Bool("quiet") {
		if err := write(cliargs.Output(c), opt, rep); err != nil {
			return err
		}
	}
	if opt.Local && rep.InUse == 0 {
		return exitcode.NegativeResult()
	}
	return nil
}

// flagsToOptions turns the arguments and flags into Options. Every argument
// is parsed before anything runs, so a bad one is a usage error with no
// output.
func flagsToOptions(c *cli.Context) (Options, error) {
	args, local, tcp, udp := c.Args().Slice(), c.Bool("local"), c.Bool("tcp"), c.Bool("udp")
	opt := Options{Local: local, All: c.Bool("all")}
	switch {
	case (tcp || udp) && !local:
		return Options{}, exitcode.Usagef("port: --tcp and --udp choose the sockets --local looks at; add --local")
	case tcp && udp:
	case tcp:
		opt.Proto = "tcp"
	case udp:
		opt.Proto = "udp"
	}
	if len(args) == 0 {
		return Options{}, exitcode.Usagef("port: give at least one port, range, list or service name, e.g. netdiag port 80 8000-8100 ssh\nRun 'netdiag port --help' for usage.")
	}
	for _, arg := range args {
		l, err := netaddr.ParsePortList(arg)
		if err != nil {
			return Options{}, exitcode.Usage(fmt.Errorf("port: %w", err))
		}
		opt.Lists = append(opt.Lists, l)
	}
	return opt, nil
}
