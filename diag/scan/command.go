// Package scan implements "netdiag scan": TCP connect scan: open, closed and filtered ports.
package scan

import (
	"github.com/urfave/cli/v2"

	"netdiag/diag/exitcode"
)

// Command returns the "scan" command.
func Command() *cli.Command {
	return &cli.Command{
		Name:  "scan",
		Usage: "TCP connect scan: open, closed and filtered ports",
		Action: func(*cli.Context) error {
			return exitcode.Usagef("scan: not implemented yet")
		},
	}
}
