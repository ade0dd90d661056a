// Package exporter implements "netdiag exporter": continuous probing
// exported as Prometheus metrics, smokeping_prober and blackbox_exporter in
// one, on netdiag's own engines.
//
// Every target is probed on its own interval: ICMP echo on the ping
// engine (one ping run, so one socket per address family, for all targets
// that share their settings), a TCP connect, or a DNS lookup through
// check's resolver probe. /metrics carries smokeping_prober's metric names
// for ping and their analogues for TCP and DNS; /probe answers one-shot
// probes as blackbox_exporter does. The configuration (targets, interval,
// modules, labels) is YAML, reloaded on SIGHUP and POST /-/reload; a bad
// one is refused with its file, line and reason while the old one keeps
// running.
//
// Run is the core; Command is the CLI glue.
package exporter

import (
	"github.com/urfave/cli/v2"

	"netdiag/diag/cliargs"
)

// Command returns the "exporter" command.
func Command() *cli.Command {
	return &cli.Command{
		Name:      "exporter",
		Usage:     "continuous ping, TCP and DNS probes as Prometheus metrics (smokeping_prober, blackbox_exporter)",
		ArgsUsage: "[TARGET...] (HOST, PREFIX or RANGE: ping; HOST:PORT: TCP connect; dns://RESOLVER[:PORT]: DNS lookup)",
		Description: "Probes every target each --interval and serves /metrics for Prometheus: smokeping_requests_total,\n" +
			"smokeping_response_duration_seconds and smokeping_response_ttl for ping, netdiag_tcp_* and netdiag_dns_*\n" +
			"for TCP and DNS. /probe?target=…&module=icmp|tcp_connect|dns probes once, as blackbox_exporter does.\n" +
			"Targets come from the arguments and from --config FILE (YAML: targets, interval, modules, labels),\n" +
			"which SIGHUP and POST /-/reload read again; a bad one is refused and the old one keeps running.\n\n" +
			"It listens on " + DefaultListen + " only: /probe makes this host send probes wherever the caller\n" +
			"asks, so listening anywhere else takes an explicit --listen (and --web-config for TLS and basic auth).\n" +
			"SIGTERM or Ctrl-C shuts it down. Exit codes: 0 clean shutdown, 2 usage, configuration or system error.",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "listen", Aliases: []string{"l"}, Value: DefaultListen, Usage: "serve HTTP on `HOST:PORT`"},
			&cli.StringFlag{Name: "config", Usage: "read targets, modules and labels from the YAML `FILE`"},
			&cli.StringFlag{Name: "web-config", Usage: "exporter-toolkit web configuration `FILE` (TLS, basic auth)"},
			&cli.DurationFlag{Name: "interval", Aliases: []string{"i"}, Value: DefaultInterval, DefaultText: "1", Usage: "`SECONDS` between probes of a target that sets none"},
			&cli.DurationFlag{Name: "timeout", Aliases: []string{"W"}, DefaultText: "the interval", Usage: "`SECONDS` a probe waits before it counts as failed"},
			&cli.StringFlag{Name: "buckets", Value: bucketsText(), Usage: "latency histogram bucket bounds, comma-separated `SECONDS` (smokeping_prober's)"},
			&cli.StringFlag{Name: "log-level", Value: "info", Usage: "least `LEVEL` logged: debug, info, warn or error"},
			&cli.BoolFlag{Name: "privileged", Usage: "ping with a raw ICMP socket (root or CAP_NET_RAW)"},
			&cli.BoolFlag{Name: "unprivileged", Usage: "ping with an unprivileged ICMP socket (net.ipv4.ping_group_range)"},
			cliargs.JSONFlag(), // the log, as JSON lines
		}, cliargs.FamilyFlags("resolve names to FAMILY addresses only")...),
		Action: func(c *cli.Context) error {
			opt, err := flagsToOptions(c)
			if err != nil {
				return err
			}
			return Run(c.Context, opt, c.App.ErrWriter)
		},
	}
}
