// Package ping implements "netdiag ping": ICMP echo to one host or thousands (iputils- and fping-style).
package ping

import (
	"github.com/urfave/cli/v2"

	"netdiag/diag/exitcode"
)

// Command returns the "ping" command.
func Command() *cli.Command {
	return &cli.Command{
		Name:  "ping",
		Usage: "ICMP echo to one host or thousands (iputils- and fping-style)",
		Action: func(*cli.Context) error {
			return exitcode.Usagef("ping: not implemented yet")
		},
	}
}
