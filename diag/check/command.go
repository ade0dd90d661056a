// Package check implements "netdiag check": is my network OK? local stack, interfaces, gateway, DNS, internet.
package check

import (
	"github.com/urfave/cli/v2"

	"netdiag/diag/exitcode"
)

// Command returns the "check" command.
func Command() *cli.Command {
	return &cli.Command{
		Name:  "check",
		Usage: "is my network OK? local stack, interfaces, gateway, DNS, internet",
		Action: func(*cli.Context) error {
			return exitcode.Usagef("check: not implemented yet")
		},
	}
}
