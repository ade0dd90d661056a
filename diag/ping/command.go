// Package ping implements "netdiag ping": ICMP echo to one host, printed
// as iputils ping prints it, or to thousands at once, printed as fping
// does, with one socket per address family for any number of hosts.
//
// Run is the core: Options in, Events out through a callback, a Summary
// back; it never prints. Probe is the small API other commands use to ping
// one address a few times. The command glue (this file) turns flags into
// Options, picks a printer and maps the outcome to an exit code.
package ping

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"netdiag/diag/cliargs"
	"netdiag/diag/exitcode"
	"netdiag/diag/netaddr"
	"netdiag/diag/render"
)

// Command returns the "ping" command.
func Command() *cli.Command {
	return &cli.Command{
		Name:      "ping",
		Usage:     "ICMP echo to one host or thousands (iputils- and fping-style)",
		ArgsUsage: "TARGET... (address, name, 10.0.0.0/24, 10.0.0.1-50)",
		Description: "With one host, pings it until Ctrl-C or -c COUNT and prints what iputils ping prints: a line per\n" +
			"reply, \"no answer yet\" for each probe whose -W timeout passed, ICMP errors from routers, and the\n" +
			"summary. Ctrl-C prints the summary; SIGQUIT (Ctrl-\\) prints statistics so far and goes on.\n\n" +
			"With several hosts, -g PREFIX|RANGE or -f FILE, pings them all at once (one echo each unless -c) and\n" +
			"prints fping-style lines: HOST is alive / is unreachable, then a summary.\n\n" +
			"Times take seconds (0.2) or units (200ms). Sockets: unprivileged ICMP sockets where\n" +
			"net.ipv4.ping_group_range allows them, else raw sockets (root or CAP_NET_RAW).\n\n" +
			"Exit codes: 0 a reply came (sweeps: every host answered), 1 no reply (sweeps: a host did not\n" +
			"answer), 2 usage or system error (unresolvable name, invalid flag, no permission).",
		Flags: append([]cli.Flag{
			&cli.IntFlag{Name: "count", Aliases: []string{"c"}, DefaultText: "until Ctrl-C; sweeps 1", Usage: "stop after `N` probes per host (with -w: after N replies)"},
			&cli.DurationFlag{Name: "interval", Aliases: []string{"i"}, Value: time.Second, DefaultText: "1", Usage: "`SECONDS` between probes to one host"},
			&cli.DurationFlag{Name: "timeout", Aliases: []string{"W"}, DefaultText: "10; sweeps 0.5", Usage: "`SECONDS` each probe waits for its reply before it counts as lost"},
			&cli.DurationFlag{Name: "deadline", Aliases: []string{"w"}, DefaultText: "none", Usage: "stop after `SECONDS` whatever the counts"},
			&cli.IntFlag{Name: "size", Aliases: []string{"s"}, Value: DefaultSize, Usage: "data `BYTES` per request (0-65507; IPv6 to 65527)"},
			&cli.IntFlag{Name: "ttl", Aliases: []string{"t"}, DefaultText: "the system's", Usage: "IPv4 `TTL` or IPv6 hop limit of requests (1-255)"},
			&cli.StringFlag{Name: "interface", Aliases: []string{"I"}, Usage: "send from this `ADDRESS` or through this interface NAME"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print only the summary (sweeps: and per-host statistics)"},
			&cli.BoolFlag{Name: "timestamps", Aliases: []string{"D"}, Usage: "start each line with a Unix timestamp, as ping -D"},
			&cli.BoolFlag{Name: "generate", Aliases: []string{"g"}, Usage: "sweep: TARGET is a prefix or range, or two addresses START END"},
			&cli.StringFlag{Name: "file", Aliases: []string{"f"}, Usage: "read targets from `FILE`, one per line (- for standard input; # starts a comment)"},
			&cli.BoolFlag{Name: "alive", Aliases: []string{"a"}, Usage: "sweep: print only the addresses that answered"},
			&cli.BoolFlag{Name: "unreachable", Aliases: []string{"u"}, Usage: "sweep: print only the addresses that did not answer"},
			&cli.IntFlag{Name: "retries", Aliases: []string{"r"}, DefaultText: fmt.Sprint(DefaultRetries, ", as fping"), Usage: "sweeps without -c: send a host that did not answer up to `N` more probes, each waiting 1.5 times longer"},
			&cli.Float64Flag{Name: "rate", DefaultText: fmt.Sprint(DefaultRate, " for sweeps; none for one host"), Usage: "most echo requests per second over all hosts, `N`; 0 for no limit"},
			&cli.BoolFlag{Name: "privileged", Usage: "use a raw ICMP socket (root or CAP_NET_RAW)"},
			&cli.BoolFlag{Name: "unprivileged", Usage: "use an unprivileged ICMP socket (net.ipv4.ping_group_range)"},
			&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "say on standard error which socket and address were chosen"},
			&cli.BoolFlag{Name: "numeric", Aliases: []string{"n"}, Usage: "accepted for iputils compatibility: netdiag never looks up names of replies"},
			cliargs.JSONFlag(),
		}, cliargs.FamilyFlags("FAMILY only")...),
		Action: run,
	}
}

// view is how results are printed, from the flags.
type view struct {
	sweep      bool // fping-style output
	quiet      bool
	alive      bool
	unreach    bool
	timestamps bool
	verbose    bool
	count      int
	from       string // -I as given, for the PING line
}

// flagsToOptions turns the command line into Options and the view.
func flagsToOptions(c *cli.Context) (Options, view, error) {
	args := c.Args().Slice()
	v := view{quiet: c.Bool("quiet"), alive: c.Bool("alive"), unreach: c.Bool("unreachable"),
		timestamps: c.Bool("timestamps"), verbose: c.Bool("verbose"), from: c.String("interface")}
	opt := Options{Count: c.Int("count"), Size: c.Int("size"), TTL: c.Int("ttl"), Rate: c.Float64("rate"), Retries: c.Int("retries"),
		Interval: c.Duration("interval"), Timeout: c.Duration("timeout"), Deadline: c.Duration("deadline")}
	var err error
	if opt.Family, err = cliargs.Family(c); err != nil {
		return opt, v, err
	}
	switch {
	case c.IsSet("count") && opt.Count < 1:
		return opt, v, exitcode.Usagef("-c %d: must be at least 1", opt.Count)
	case c.IsSet("timeout") && opt.Timeout == 0:
		return opt, v, exitcode.Usagef("-W 0: must be more than 0")
	case c.IsSet("deadline") && opt.Deadline == 0:
		return opt, v, exitcode.Usagef("-w 0: must be more than 0")
	case opt.Size < 0 || opt.Size > MaxSizeIPv6:
		return opt, v, exitcode.Usagef("-s %d: must be 0 to %d (IPv4 to %d)", opt.Size, MaxSizeIPv6, MaxSizeIPv4)
	case c.IsSet("ttl") && (opt.TTL < 1 || opt.TTL > 255):
		return opt, v, exitcode.Usagef("-t %d: must be 1 to 255", opt.TTL)
	case opt.Rate < 0:
		return opt, v, exitcode.Usagef("--rate %v: must be positive, or 0 for no limit", opt.Rate)
	case opt.Retries < 0:
		return opt, v, exitcode.Usagef("-r %d: must be 0 or more", opt.Retries)
	case c.Bool("privileged") && c.Bool("unprivileged"):
		return opt, v, exitcode.Usagef("--privileged and --unprivileged exclude each other")
	case c.Bool("alive") && c.Bool("unreachable"):
		return opt, v, exitcode.Usagef("-a and -u exclude each other; give neither to see both")
	}
	switch {
	case c.Bool("privileged"):
		opt.Mode = Privileged
	case c.Bool("unprivileged"):
		opt.Mode = Unprivileged
	}
	if s := c.String("interface"); s != "" {
		if opt.Source, opt.Interface, err = sourceOrInterface(s); err != nil {
			return opt, v, err
		}
	}
	if opt.Targets, err = targets(c, args); err != nil {
		return opt, v, err
	}
	v.sweep = c.Bool("generate") || c.IsSet("file") || v.alive || v.unreach || len(opt.Targets) > 1 || opt.Targets[0].IsSweep()
	if v.sweep {
		if !c.IsSet("count") {
			opt.Count = 1
			if !c.IsSet("retries") {
				opt.Retries = DefaultRetries
			}
		}
		if !c.IsSet("timeout") {
			opt.Timeout = DefaultSweepTimeout
		}
		if !c.IsSet("rate") {
			opt.Rate = DefaultRate
		}
	}
	v.count = opt.Count
	return opt, v, nil
}

// sourceOrInterface reads -I: a local address, or an interface name.
func sourceOrInterface(s string) (netip.Addr, string, error) {
	if a, err := netaddr.ParseAddr(s); err == nil {
		return a, "", nil
	} else if strings.ContainsAny(s, ":") || strings.Trim(s, "0123456789.") == "" {
		return netip.Addr{}, "", exitcode.Usage(fmt.Errorf("-I: %w", err))
	}
	if _, err := net.InterfaceByName(s); err != nil {
		return netip.Addr{}, "", exitcode.Usagef("-I %s: no such interface or address on this host", s)
	}
	return netip.Addr{}, s, nil
}

// targets parses the arguments and -f FILE into targets; with -g, two
// addresses make a range.
func targets(c *cli.Context, args []string) ([]netaddr.Target, error) {
	if c.Bool("generate") && len(args) == 2 {
		if _, err := netaddr.ParseAddr(args[0]); err == nil {
			args = []string{args[0] + "-" + args[1]}
		}
	}
	var out []netaddr.Target
	for _, a := range args {
		t, err := netaddr.ParseTarget(a)
		if err != nil {
			return nil, exitcode.Usage(err)
		}
		if c.Bool("generate") && !t.IsSweep() {
			return nil, exitcode.Usagef("-g %s: give a prefix (10.0.0.0/24), a range (10.0.0.1-50) or two addresses START END", a)
		}
		out = append(out, t)
	}
	if name := c.String("file"); name != "" {
		ft, err := readTargets(c.App.Reader, name)
		if err != nil {
			return nil, err
		}
		out = append(out, ft...)
	}
	if len(out) == 0 {
		return nil, exitcode.Usagef("no target given\nUsage: netdiag ping [flags] TARGET...; for example: netdiag ping -c 3 127.0.0.1")
	}
	return out, nil
}

// readTargets reads one target per line from a file ("-": stdin), skipping
// blank lines and # comments.
func readTargets(stdin io.Reader, name string) ([]netaddr.Target, error) {
	r := stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, exitcode.Usage(fmt.Errorf("-f: %w", err))
		}
		defer f.Close()
		r = f
	}
	var out []netaddr.Target
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		s, _, _ := strings.Cut(sc.Text(), "#")
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		t, err := netaddr.ParseTarget(s)
		if err != nil {
			return nil, exitcode.Usage(fmt.Errorf("-f %s line %d: %w", name, line, err))
		}
		out = append(out, t)
	}
	if err := sc.Err(); err != nil {
		return nil, exitcode.Usage(fmt.Errorf("-f %s: %w", name, err))
	}
	return out, nil
}

func run(c *cli.Context) error {
	opt, v, err := flagsToOptions(c)
	if err != nil {
		return err
	}
	w := c.App.Writer
	var bw *render.BatchWriter
	if v.sweep && !render.IsTerminal(w) {
		bw = render.NewBatchWriter(w, sweepFlush)
		defer bw.Close()
		w = bw
	}
	out := render.New(w, c.Bool("json"))
	p := newPrinter(out, c.App.ErrWriter, v, opt)
	stats, stop := statsSignal()
	defer stop()
	opt.StatsRequests = stats
	// A ping run is a sender and a reader per family, all in system calls:
	// a second P only makes the Go scheduler hand the work between threads.
	// With one, a /16 sweep takes 2,208 context switches instead of 39,509
	// and 0.47 s of CPU instead of 0.71 (bench/ping.sh).
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	s, err := Run(c.Context, opt, p.event)
	var optErr *OptionError
	switch {
	case errors.As(err, &optErr):
		return exitcode.Usage(err)
	case err != nil && s.Count == 1 && s.Host(0).ResolveErr != "":
		return err
	case err != nil && s.Start.IsZero():
		return err
	}
	if perr := p.finish(s); perr != nil {
		return perr
	}
	if bw != nil {
		if werr := bw.Close(); werr != nil {
			return werr
		}
	}
	if err != nil {
		return err
	}
	return outcome(s, v, opt)
}

// outcome maps the statistics to the exit code: iputils' rule for one host
// (0 if a reply came; with -w and -c, only if -c replies came), fping's for
// sweeps (0 only if every host answered; 2 if a name did not resolve).
func outcome(s Summary, v view, opt Options) error {
	if s.ResolveFailures() > 0 {
		return &exitcode.Error{Code: exitcode.Failure}
	}
	alive, pinged := s.Alive()
	if v.sweep {
		if alive < pinged {
			return exitcode.NegativeResult()
		}
		return nil
	}
	t := s.Total()
	if t.Received == 0 || (opt.Deadline > 0 && opt.Count > 0 && t.Received < opt.Count) {
		return exitcode.NegativeResult()
	}
	return nil
}
