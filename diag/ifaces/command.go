// Package ifaces implements "netdiag ifaces": list interfaces, addresses, counters and default gateways.
package ifaces

import (
	"github.com/urfave/cli/v2"

	"netdiag/diag/exitcode"
)

// Command returns the "ifaces" command.
func Command() *cli.Command {
	return &cli.Command{
		Name:  "ifaces",
		Usage: "list interfaces, addresses, counters and default gateways",
		Action: func(*cli.Context) error {
			return exitcode.Usagef("ifaces: not implemented yet")
		},
	}
}
