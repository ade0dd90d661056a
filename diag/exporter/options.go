package exporter

import (
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"netdiag/diag/cliargs"
	"netdiag/diag/exitcode"
	"netdiag/diag/netaddr"
	"netdiag/diag/ping"
)

// Defaults of the command's flags.
const (
	// DefaultListen is where the exporter listens: loopback only, because
	// /probe makes this host send probes wherever the caller asks. Port
	// 9374 is smokeping_prober's.
	DefaultListen = "127.0.0.1:9374"
	// DefaultInterval is the time between probes of one target.
	DefaultInterval = time.Second
)

// Options configures Run.
type Options struct {
	// Listen is the HOST:PORT the HTTP server listens on.
	Listen string
	// ConfigFile is the YAML configuration ("" for none); WebConfigFile
	// the exporter-toolkit web configuration (TLS, basic auth).
	ConfigFile    string
	WebConfigFile string
	// Targets are the command line's targets (see argSpecs).
	Targets []string
	// Interval and Timeout are the defaults of targets that set none;
	// Timeout 0 means each target's interval.
	Interval, Timeout time.Duration
	// Family limits names to IPv4 or IPv6 addresses (-4, -6).
	Family netaddr.Family
	// Buckets are the latency histograms' upper bounds, in seconds.
	Buckets []float64
	// Mode is the kind of ICMP socket.
	Mode ping.Mode
	// LogJSON writes the log as JSON lines; LogLevel is the least level
	// logged.
	LogJSON  bool
	LogLevel slog.Level
	// Resolver resolves target names; nil means net.DefaultResolver.
	Resolver *net.Resolver
}

// defaults returns the settings targets take when they give none.
func (o *Options) defaults() defaults {
	return defaults{interval: o.Interval, timeout: o.Timeout, family: o.Family}
}

// flagsToOptions turns the command line into Options.
func flagsToOptions(c *cli.Context) (Options, error) {
	opt := Options{Listen: c.String("listen"), ConfigFile: c.String("config"), WebConfigFile: c.String("web-config"),
		Targets: c.Args().Slice(), Interval: c.Duration("interval"), Timeout: c.Duration("timeout"), LogJSON: c.Bool("json")}
	var err error
	if opt.Family, err = cliargs.Family(c); err != nil {
		return opt, err
	}
	switch {
	case opt.Interval <= 0:
		return opt, exitcode.Usagef("-i %v: must be more than 0", c.Duration("interval"))
	case c.IsSet("timeout") && opt.Timeout <= 0:
		return opt, exitcode.Usagef("-W 0: must be more than 0")
	case c.Bool("privileged") && c.Bool("unprivileged"):
		return opt, exitcode.Usagef("--privileged and --unprivileged exclude each other")
	case len(opt.Targets) == 0 && opt.ConfigFile == "":
		return opt, exitcode.UsageHint(fmt.Errorf("no target given: name targets or a --config file"), "netdiag exporter")
	}
	switch {
	case c.Bool("privileged"):
		opt.Mode = ping.Privileged
	case c.Bool("unprivileged"):
		opt.Mode = ping.Unprivileged
	}
	if _, err := netaddr.ParseHostPort(opt.Listen); err != nil {
		return opt, exitcode.Usagef("--listen: %v", err)
	}
	if opt.Buckets, err = parseBuckets(c.String("buckets")); err != nil {
		return opt, exitcode.Usagef("--buckets %s: %v", c.String("buckets"), err)
	}
	if err := opt.LogLevel.UnmarshalText([]byte(c.String("log-level"))); err != nil {
		return opt, exitcode.Usagef("--log-level %q: debug, info, warn or error", c.String("log-level"))
	}
	return opt, nil
}

// parseBuckets reads a comma-separated list of ascending, positive
// histogram bounds in seconds.
func parseBuckets(s string) ([]float64, error) {
	var out []float64
	for f := range strings.SplitSeq(s, ",") {
		f = strings.TrimSpace(f)
		v, err := strconv.ParseFloat(f, 64)
		switch {
		case err != nil:
			return nil, fmt.Errorf("%q is not a number of seconds", f)
		case v <= 0 || v != v || v > 1e9:
			return nil, fmt.Errorf("%s: a bound must be a positive number of seconds", f)
		case len(out) > 0 && v <= out[len(out)-1]:
			return nil, fmt.Errorf("%s: bounds must ascend", f)
		}
		out = append(out, v)
	}
	return out, nil
}

// bucketsText is DefaultBuckets as the flag's default.
func bucketsText() string {
	s := make([]string, len(DefaultBuckets))
	for i, b := range DefaultBuckets {
		s[i] = strconv.FormatFloat(b, 'g', -1, 64)
	}
	return strings.Join(s, ",")
}
