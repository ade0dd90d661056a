package scan

import (
	"errors"
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"netdiag/diag/cliargs"
	"netdiag/diag/exitcode"
	"netdiag/diag/netaddr"
	"netdiag/diag/render"
)

// Command returns the "scan" command.
func Command() *cli.Command {
	return &cli.Command{
		Name:      "scan",
		Usage:     "TCP connect scan: open, closed and filtered ports",
		ArgsUsage: "TARGET... [-p PORTS]",
		Description: "Tries a TCP connection to every port of every TARGET, as nmap -sT does, and prints the open ports\n" +
			"with their service names. TARGET is an address, a host name, a prefix (10.0.0.0/24) or a range\n" +
			"(10.0.0.1-50). PORTS: 22,80,8000-8100 or ssh,http, or - for all; the default is 1-1024 plus every\n" +
			"registered port with a service name. open = accepted, closed = refused, filtered = no answer within\n" +
			"--timeout (after retries) or an ICMP unreachable/prohibited. Ctrl-C prints what was found so far.\n\n" +
			"Exit codes: 0 an open port was found, 1 none, 2 usage or system error (or probes that failed).",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "ports", Aliases: []string{"p"}, Usage: "ports to scan: `LIST` such as 22,80,8000-8100 or ssh,http; - for all 65535 (default: 1-1024 and named ports)"},
			&cli.BoolFlag{Name: "all", Usage: "show closed and filtered counts per host, and those ports when a state has at most 25"},
			&cli.DurationFlag{Name: "timeout", Aliases: []string{"W"}, Value: DefaultTimeout, Usage: "`SECONDS` a port's last attempt waits for an answer before it reads filtered (earlier ones wait a few round trips)"},
			&cli.IntFlag{Name: "retries", Aliases: []string{"r"}, Value: DefaultRetries, Usage: "most retries, `N`, of a port whose attempt timed out (fewer unless answers show packet loss)"},
			&cli.IntFlag{Name: "concurrency", Value: DefaultConcurrency, Usage: "most connection attempts in flight, `N` (adaptive below this; capped under ulimit -n)"},
			&cli.Float64Flag{Name: "rate", Usage: "most new connection attempts per second, `N` (0: no limit)"},
			&cli.BoolFlag{Name: "banner", Aliases: []string{"b"}, Usage: "read and show what each open port's service says first"},
			&cli.DurationFlag{Name: "banner-timeout", Value: DefaultBannerTimeout, Usage: "`SECONDS` --banner waits for a service to speak"},
			&cli.BoolFlag{Name: "yes", Aliases: []string{"y"}, Usage: fmt.Sprintf("allow scans of more than %s addresses or %s probes", group(MaxAddrs), group(MaxProbes))},
			cliargs.JSONFlag(),
		}, cliargs.FamilyFlags("resolve names to FAMILY addresses only")...),
		Action: run,
	}
}

// flagsToOptions turns the command line into Options. warn receives
// notes about the input (a prefix with host bits set).
func flagsToOptions(c *cli.Context, warn io.Writer) (Options, error) {
	args := c.Args().Slice()
	if len(args) == 0 {
		return Options{}, exitcode.Usagef("scan: no target given\nUsage: netdiag scan [flags] TARGET... [-p PORTS]; for example: netdiag scan 127.0.0.1 -p 1-1024")
	}
	opt := Options{
		Timeout: c.Duration("timeout"), Retries: c.Int("retries"), Concurrency: c.Int("concurrency"),
		Rate: c.Float64("rate"), Banner: c.Bool("banner"), BannerTimeout: c.Duration("banner-timeout"),
		All: c.Bool("all"), AllowHuge: c.Bool("yes"),
	}
	var err error
	if opt.Family, err = cliargs.Family(c); err != nil {
		return opt, err
	}
	if opt.Retries == 0 {
		opt.Retries = -1 // none; Options' zero value means the default
	}
	switch {
	case opt.Timeout <= 0:
		return opt, exitcode.Usagef("--timeout %v: must be positive, such as 500ms or 2s", opt.Timeout)
	case opt.BannerTimeout <= 0:
		return opt, exitcode.Usagef("--banner-timeout %v: must be positive, such as 500ms or 2s", opt.BannerTimeout)
	case c.Int("retries") < 0:
		return opt, exitcode.Usagef("--retries %d: must be 0 or more", c.Int("retries"))
	case opt.Concurrency < 1:
		return opt, exitcode.Usagef("--concurrency %d: must be at least 1", opt.Concurrency)
	case opt.Rate < 0:
		return opt, exitcode.Usagef("--rate %v: must be positive, or 0 for no limit", opt.Rate)
	}
	if c.IsSet("ports") {
		if opt.Ports, err = netaddr.ParsePortList(c.String("ports")); err != nil {
			return opt, exitcode.Usage(fmt.Errorf("-p: %w", err))
		}
	}
	for _, a := range args {
		t, err := netaddr.ParseTarget(a)
		if err != nil {
			return opt, exitcode.Usage(err)
		}
		if t.Prefix.IsValid() {
			if p, err := netaddr.ParsePrefix(a); err == nil && netaddr.HostBitsSet(p) {
				fmt.Fprintf(warn, "netdiag: %s has host bits set; scanning %s\n", a, t.Prefix)
			}
		}
		opt.Targets = append(opt.Targets, t)
	}
	return opt, nil
}

func run(c *cli.Context) error {
	stderr := c.App.ErrWriter
	opt, err := flagsToOptions(c, stderr)
	if err != nil {
		return err
	}
	out := cliargs.Output(c)
	pr := NewPrinter(out, opt.Banner, opt.All)
	bar := &progressBar{w: stderr}
	ev := Events{OnOpen: pr.Open, OnHost: func(h *HostResult) { bar.clear(); pr.Host(h) }}
	if render.IsTerminal(stderr) {
		ev.OnProgress = bar.update
	}
	res, err := Run(c.Context, opt, ev)
	bar.clear()
	var optErr *OptionError
	var tooLarge *TooLargeError
	switch {
	case errors.As(err, &optErr), errors.As(err, &tooLarge):
		return exitcode.Usage(err)
	case err != nil && res.Probes == 0:
		return err
	}
	if perr := pr.Finish(res); perr != nil {
		return perr
	}
	if res.Concurrency < opt.Concurrency && res.Probes > uint64(res.Concurrency) {
		fmt.Fprintf(stderr, "netdiag: --concurrency %d lowered to %d to stay under ulimit -n %d\n", opt.Concurrency, res.Concurrency, res.FDLimit)
	}
	for _, u := range res.Unresolved {
		fmt.Fprintf(stderr, "netdiag: scan: %v (not scanned)\n", u.Err)
	}
	switch {
	case err != nil:
		return err
	case len(res.Unresolved) > 0:
		return &exitcode.Error{Code: exitcode.Failure}
	case res.FirstError != nil:
		return fmt.Errorf("%s probes failed; the first: %w", group(res.Counts.Failed), res.FirstError)
	case res.Counts.Open > 0:
		return nil
	case res.Interrupted:
		return errors.New("interrupted before any open port was found")
	}
	return exitcode.NegativeResult()
}
