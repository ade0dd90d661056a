// Package trace implements "netdiag trace": the path to a host hop by hop,
// with loss and latency per hop, as mtr -r reports it, and the hop where a
// broken path stops answering.
//
// Every hop is probed at once: each round sends one probe per TTL, on one
// socket whose TTL is set per packet, so a report of -c 10 probes per hop
// -i 0.1 s apart takes about a second plus one timeout however long the
// path. Probes are ICMP echo requests (the default, through the ping
// package's icmpsock sockets: unprivileged where
// net.ipv4.ping_group_range allows), UDP datagrams to port 33434 and up
// (traceroute's default), or TCP connection attempts (tcptraceroute). The
// routers' "time exceeded" and "unreachable" answers are read from the
// socket's error queue (IP_RECVERR) or a raw socket.
//
// Run is the core: Options in, Events out, a Result back; it never
// prints. Print, Live and the JSON lines render a Result. Command is the
// CLI glue.
package trace

import (
	"errors"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"syscall"

	"github.com/urfave/cli/v2"

	"netdiag/diag/cliargs"
	"netdiag/diag/exitcode"
	"netdiag/diag/netaddr"
	"netdiag/diag/ping/icmpsock"
	"netdiag/diag/render"
)

// Command returns the "trace" command.
func Command() *cli.Command {
	return &cli.Command{
		Name:      "trace",
		Usage:     "the path to a host hop by hop, with loss and latency per hop (traceroute, mtr, tracepath)",
		ArgsUsage: "HOST",
		Description: "Probes every hop of the path to HOST at once, -c times, and prints a report like mtr -r: per hop\n" +
			"the routers that answered (several when the load is shared), loss, and last/avg/best/worst/stdev\n" +
			"round trips in ms. ICMP unreachable answers are marked as traceroute marks them (!H !N !P !X !F).\n" +
			"A hop that loses probes while a later hop loses none only rate-limits its answers: it is labelled\n" +
			"so, not counted as loss on the path. On a terminal the report refreshes in place while probes run.\n\n" +
			"Probes: ICMP echo (default; unprivileged where net.ipv4.ping_group_range allows, else root), UDP to\n" +
			"port 33434 and up (--udp), TCP connection attempts to --port (--tcp). --mtu discovers the path MTU\n" +
			"as tracepath does and names the hop where it drops.\n\n" +
			cliargs.DurationUsage + "\n\n" +
			"Exit codes: 0 the destination answered, 1 it did not, 2 usage or system error.",
		Flags: append([]cli.Flag{
			&cli.BoolFlag{Name: "icmp", Aliases: []string{"I"}, Usage: "probe with ICMP echo requests (the default)"},
			&cli.BoolFlag{Name: "udp", Aliases: []string{"U"}, Usage: "probe with UDP datagrams to port 33434 and up (traceroute's default)"},
			&cli.BoolFlag{Name: "tcp", Aliases: []string{"T"}, Usage: "probe with TCP connection attempts to --port (tcptraceroute)"},
			&cli.StringFlag{Name: "port", Aliases: []string{"p"}, DefaultText: "UDP 33434, TCP 80", Usage: "UDP: the first `PORT`; TCP: the port (number or service name)"},
			&cli.IntFlag{Name: "max-hops", Aliases: []string{"m"}, Value: DefaultMaxHops, Usage: "probe TTLs up to `N`"},
			&cli.IntFlag{Name: "first-hop", Aliases: []string{"f"}, Value: 1, Usage: "start at TTL `N`"},
			&cli.IntFlag{Name: "count", Aliases: []string{"c", "q"}, Value: DefaultCount, Usage: "`N` probes per hop"},
			&cli.DurationFlag{Name: "interval", Aliases: []string{"i"}, DefaultText: "0.2; UDP 1", Usage: "`SECONDS` between rounds (each round probes every hop at once)"},
			&cli.DurationFlag{Name: "timeout", Aliases: []string{"W"}, Value: DefaultTimeout, DefaultText: "2", Usage: "`SECONDS` a probe waits for its answer before it counts as lost"},
			&cli.BoolFlag{Name: "numeric", Aliases: []string{"n"}, Usage: "print addresses only: no reverse DNS lookups"},
			&cli.StringFlag{Name: "source", Usage: "send from `ADDRESS`"},
			&cli.StringFlag{Name: "interface", Usage: "send through the interface `NAME` (Linux)"},
			&cli.BoolFlag{Name: "mtu", Usage: "discover the path MTU (don't-fragment probes, as tracepath) and the hop where it drops"},
			cliargs.JSONFlag(),
		}, cliargs.FamilyFlags("trace over FAMILY")...),
		Action: run,
	}
}

// flagsToOptions turns the command line into Options.
func flagsToOptions(c *cli.Context) (Options, error) {
	args := c.Args().Slice()
	switch {
	case len(args) == 0:
		return Options{}, exitcode.Usagef("no host given\nUsage: netdiag trace [flags] HOST; for example: netdiag trace -n 192.0.2.1")
	case len(args) > 1:
		return Options{}, exitcode.Usagef("trace takes one host, got %d: %q", len(args), args)
	}
	opt := Options{Count: c.Int("count"), MaxHops: c.Int("max-hops"), FirstHop: c.Int("first-hop"),
		Interval: c.Duration("interval"), Timeout: c.Duration("timeout"), Numeric: c.Bool("numeric"),
		MTU: c.Bool("mtu"), Interface: c.String("interface")}
	var err error
	if opt.Family, err = cliargs.Family(c); err != nil {
		return opt, err
	}
	if opt.Target, err = netaddr.ParseHost(args[0]); err != nil {
		return opt, exitcode.Usage(err)
	}
	methods := 0
	for i, name := range []string{"icmp", "udp", "tcp"} {
		if c.Bool(name) {
			methods++
			opt.Method = Method(i)
		}
	}
	switch {
	case methods > 1:
		return opt, exitcode.Usagef("--icmp, --udp and --tcp exclude each other")
	case opt.Count < 1 || opt.Count > MaxCount:
		return opt, exitcode.Usagef("-c %d: must be 1 to %d", opt.Count, MaxCount)
	case opt.MaxHops < 1 || opt.MaxHops > MaxTTL:
		return opt, exitcode.Usagef("-m %d: must be 1 to %d", opt.MaxHops, MaxTTL)
	case opt.FirstHop < 1 || opt.FirstHop > opt.MaxHops:
		return opt, exitcode.Usagef("-f %d: must be 1 to the max hops (%d)", opt.FirstHop, opt.MaxHops)
	case opt.Timeout <= 0:
		return opt, exitcode.Usagef("-W %v: must be more than 0", opt.Timeout)
	case opt.Interval < 0:
		return opt, exitcode.Usagef("-i %v: must not be negative", opt.Interval)
	case opt.MTU && opt.Method == TCP:
		return opt, exitcode.Usagef("--mtu needs ICMP or UDP probes: TCP connection attempts cannot be made larger")
	case c.IsSet("port") && opt.Method == ICMP:
		return opt, exitcode.Usagef("-p is for --udp and --tcp probes; ICMP probes have no port")
	}
	if c.IsSet("interval") && opt.Interval == 0 {
		opt.Interval = -1 // -i 0: the rounds back to back
	}
	if c.IsSet("port") {
		if opt.Port, err = netaddr.ParsePort(c.String("port")); err != nil {
			return opt, exitcode.Usage(err)
		}
		if opt.Port == 0 {
			return opt, exitcode.Usagef("-p 0: give a port from 1 to 65535")
		}
	}
	if s := c.String("source"); s != "" {
		if opt.Source, err = netaddr.ParseAddr(s); err != nil {
			return opt, exitcode.Usage(fmt.Errorf("--source: %w", err))
		}
		if opt.Interface != "" {
			return opt, exitcode.Usagef("--source and --interface exclude each other")
		}
	}
	if opt.Interface != "" {
		if _, err := net.InterfaceByName(opt.Interface); err != nil {
			return opt, exitcode.Usagef("--interface %s: no such interface on this host", opt.Interface)
		}
	}
	return opt, nil
}

func run(c *cli.Context) error {
	opt, err := flagsToOptions(c)
	if err != nil {
		return err
	}
	out := cliargs.Output(c)
	var live *Live
	var emit func(Event)
	if !out.JSON() && render.IsTerminal(c.App.Writer) {
		live = NewLive(out, withDefaults(opt))
		emit = live.Event
	}
	res, err := Run(c.Context, opt, emit)
	var oe *OptionError
	var pe *icmpsock.PermissionError
	switch {
	case errors.As(err, &oe):
		return exitcode.Usage(err)
	case errors.As(err, &pe):
		return permissionError{pe}
	case errors.Is(err, syscall.EADDRNOTAVAIL) && opt.Source.IsValid():
		return fmt.Errorf("--source %s: no interface of this host has that address (netdiag ifaces lists them): %w", opt.Source, err)
	case err != nil && len(res.Hops) == 0:
		return err
	}
	switch {
	case live != nil:
		if perr := live.Finish(&res); perr != nil {
			return perr
		}
	default:
		if perr := Print(out, &res, withDefaults(opt)); perr != nil {
			return perr
		}
	}
	switch {
	case err != nil:
		return err
	case !res.Reached:
		return exitcode.NegativeResult()
	}
	return nil
}

// permissionError is icmpsock's in trace's words: the command to run
// again is trace, and one more fix: UDP and TCP probes need no privilege.
type permissionError struct{ *icmpsock.PermissionError }

// fixItem matches a numbered fix of icmpsock's message ("  2. give …").
var fixItem = regexp.MustCompile(`(?m)^  (\d+)\. `)

func (e permissionError) Error() string {
	s := strings.Replace(e.PermissionError.Error(), " ping ...", " trace ...", 1)
	n := 0
	for _, m := range fixItem.FindAllStringSubmatch(s, -1) {
		n, _ = strconv.Atoi(m[1])
	}
	if n == 0 {
		return s + "\n  or probe with --udp or --tcp, which need no privilege"
	}
	return s + fmt.Sprintf("\n  %d. probe with --udp or --tcp, which need no privilege", n+1)
}

func (e permissionError) Unwrap() error { return e.PermissionError }

// withDefaults returns opt with the defaults Run applies, for the header.
func withDefaults(opt Options) Options {
	o, err := opt.withDefaults()
	if err != nil {
		return opt
	}
	return o
}
