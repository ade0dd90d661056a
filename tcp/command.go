// Package tcp implements "netdiag tcp server" and "netdiag tcp client": the
// quick TCP test server and client.
package tcp

import (
	"github.com/urfave/cli/v2"

	"netdiag/diag/exitcode"
)

// Command returns the "tcp" command with its server and client subcommands.
func Command() *cli.Command {
	return &cli.Command{
		Name:  "tcp",
		Usage: "quick TCP test server and client (text in any encoding, hex, echo/reply)",
		Subcommands: []*cli.Command{
			{Name: "server", Usage: "serve many TCP clients at once", Action: func(*cli.Context) error { return exitcode.Usagef("tcp server: not implemented yet") }},
			{Name: "client", Usage: "connect to a TCP server and talk", Action: func(*cli.Context) error { return exitcode.Usagef("tcp client: not implemented yet") }},
		},
	}
}
