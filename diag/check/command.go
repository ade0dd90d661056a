// Package check implements "netdiag check": is my network OK? It checks
// the network layer by layer, the way one would by hand — ping 127.0.0.1
// and ::1 (the local stack), look at the interfaces, ping the default
// gateway (the LAN), ask each configured DNS resolver for a name, ping a
// few internet hosts (with a TCP connection as the fallback when ICMP is
// filtered) — all at once and each bounded in time, then names the first
// broken layer and the likely fix in one sentence.
//
// Run is the core: Options in, a Result out, nothing printed. Print renders
// a Result as a checklist or JSON lines. Command is the CLI glue.
package check

import (
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/urfave/cli/v2"

	"netdiag/diag/cliargs"
	"netdiag/diag/exitcode"
	"netdiag/diag/netaddr"
)

// maxTimeout and maxCount bound the flags: a check is meant to be quick.
const (
	maxTimeout = time.Minute
	maxCount   = 100
)

// Command returns the "check" command.
func Command() *cli.Command {
	return &cli.Command{
		Name:      "check",
		Usage:     "is my network OK? local stack, interfaces, gateway, DNS, internet",
		UsageText: "netdiag check [--gateway ADDR] [--dns-name NAME] [--host HOST]... [--json]",
		Description: "Checks the network layer by layer, all at once, each step bounded by --timeout:\n" +
			"  local stack  ping 127.0.0.1 and ::1\n" +
			"  interfaces   at least one interface besides loopback is up, with an address\n" +
			"  gateway      the default gateway answers ping (or, if not, ARP/NDP: then it filters ICMP)\n" +
			"  DNS          each resolver in /etc/resolv.conf resolves --dns-name, and how fast\n" +
			"  internet     --host answers ping, or TCP port --port when ICMP is filtered\n" +
			"then names the first broken layer and the likely fix.\n\n" +
			"Default internet hosts: 1.1.1.1 and 8.8.8.8, plus 2606:4700:4700::1111 and\n" +
			"2001:4860:4860::8888 when there is an IPv6 default route.\n\n" +
			"Exit status: 0 every step passed (warnings allowed), 1 a step failed, 2 usage or system error.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "gateway", Usage: "ping `ADDR` as the gateway instead of the default routes' gateways"},
			&cli.StringFlag{Name: "dns-name", Value: DefaultDNSName, Usage: "the host `NAME` each resolver must resolve"},
			&cli.StringSliceFlag{Name: "host", Usage: "internet `HOST` to reach (address or name; repeat for several) (default: 1.1.1.1, 8.8.8.8 and their IPv6 twins)"},
			&cli.StringFlag{Name: "resolv-conf", Value: DefaultResolvConf, Usage: "read the resolvers from `FILE`"},
			&cli.StringFlag{Name: "port", Value: DefaultPort.String(), Usage: "TCP `PORT` (number or service name) tried when an internet host ignores ping"},
			&cli.DurationFlag{Name: "timeout", Value: DefaultTimeout, Usage: "`SECONDS` each step waits for answers"},
			&cli.IntFlag{Name: "count", Aliases: []string{"c"}, Value: DefaultCount, Usage: "echo requests, `N`, per ping"},
			cliargs.JSONFlag(),
		},
		Action: run,
	}
}

// run is the command's action.
func run(c *cli.Context) error {
	opt, err := flagsToOptions(c)
	if err != nil {
		return exitcode.Usage(err)
	}
	res, err := Run(c.Context, opt)
	if err != nil {
		return err
	}
	if err := Print(cliargs.Output(c), res); err != nil {
		return err
	}
	switch {
	case res.Interrupted:
		return exitcode.Usage(errors.New("interrupted"))
	case res.Diagnosis.Status == Fail:
		return exitcode.NegativeResult()
	}
	return nil
}

// flagsToOptions reads the flags into Options, rejecting bad values.
func flagsToOptions(c *cli.Context) (Options, error) {
	if c.Args().Present() {
		return Options{}, fmt.Errorf("check takes no arguments (got %q); name internet hosts with --host", c.Args().First())
	}
	opt := Options{ResolvConf: c.String("resolv-conf"), Timeout: c.Duration("timeout"), Count: c.Int("count")}
	if s := c.String("gateway"); s != "" {
		a, err := netaddr.ParseAddr(s)
		if err != nil {
			return Options{}, fmt.Errorf("--gateway: %w", err)
		}
		if err := unicast(a); err != nil {
			return Options{}, fmt.Errorf("--gateway %s: %w", a, err)
		}
		opt.Gateway = a
	}
	h, err := netaddr.ParseHost(c.String("dns-name"))
	switch {
	case err != nil:
		return Options{}, fmt.Errorf("--dns-name: %w", err)
	case !h.NeedsDNS():
		return Options{}, fmt.Errorf("--dns-name %s: give a host name to resolve, not an address", h)
	}
	opt.DNSName = h.Name
	for _, s := range c.StringSlice("host") {
		h, err := netaddr.ParseHost(s)
		if err != nil {
			return Options{}, fmt.Errorf("--host: %w", err)
		}
		if err := unicast(h.Addr); h.Addr.IsValid() && err != nil {
			return Options{}, fmt.Errorf("--host %s: %w", h, err)
		}
		opt.Hosts = append(opt.Hosts, h)
	}
	if opt.Port, err = netaddr.ParsePort(c.String("port")); err != nil {
		return Options{}, fmt.Errorf("--port: %w", err)
	}
	if opt.Port == 0 {
		return Options{}, errors.New("--port 0: no connection can be made to port 0")
	}
	if opt.Timeout <= 0 || opt.Timeout > maxTimeout {
		return Options{}, fmt.Errorf("--timeout %v: give a duration above 0 and at most %v", opt.Timeout, maxTimeout)
	}
	if opt.Count < 1 || opt.Count > maxCount {
		return Options{}, fmt.Errorf("--count %d: give 1 to %d", opt.Count, maxCount)
	}
	if opt.ResolvConf == "" {
		return Options{}, errors.New("--resolv-conf: empty file name")
	}
	return opt, nil
}

// unicast rejects addresses no one can answer ping from.
func unicast(a netip.Addr) error {
	switch {
	case a.IsUnspecified():
		return errors.New("the unspecified address is not a host")
	case a.IsMulticast():
		return errors.New("a multicast address is not a host")
	}
	return nil
}
