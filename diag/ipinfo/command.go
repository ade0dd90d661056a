// Package ipinfo implements "netdiag ip": validate and explain IPv4/IPv6 addresses and prefixes.
package ipinfo

import (
	"github.com/urfave/cli/v2"

	"netdiag/diag/exitcode"
)

// Command returns the "ip" command.
func Command() *cli.Command {
	return &cli.Command{
		Name:  "ip",
		Usage: "validate and explain IPv4/IPv6 addresses and prefixes",
		Action: func(*cli.Context) error {
			return exitcode.Usagef("ip: not implemented yet")
		},
	}
}
