// Package diag holds netdiag's diagnostics: one subpackage per command, each
// a pure-ish core (Options in, Result values out, no printing) plus its
// *cli.Command, and the shared address, rendering and exit-code packages.
package diag

import (
	"github.com/urfave/cli/v2"

	"netdiag/diag/check"
	"netdiag/diag/exporter"
	"netdiag/diag/ifaces"
	"netdiag/diag/ip"
	"netdiag/diag/ping"
	"netdiag/diag/port"
	"netdiag/diag/scan"
	"netdiag/diag/trace"
	"netdiag/diag/udp"
)

// Commands returns the diagnostics commands in the order help lists them.
func Commands() []*cli.Command {
	return []*cli.Command{
		ifaces.Command(),
		ping.Command(),
		port.Command(),
		scan.Command(),
		ip.Command(),
		check.Command(),
		trace.Command(),
		exporter.Command(),
		udp.Command(),
	}
}
