// Package portinfo implements "netdiag port": classify ports and name their services; --local shows what uses them.
package portinfo

import (
	"github.com/urfave/cli/v2"

	"netdiag/diag/exitcode"
)

// Command returns the "port" command.
func Command() *cli.Command {
	return &cli.Command{
		Name:  "port",
		Usage: "classify ports and name their services; --local shows what uses them",
		Action: func(*cli.Context) error {
			return exitcode.Usagef("port: not implemented yet")
		},
	}
}
