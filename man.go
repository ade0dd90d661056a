package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"netdiag/diag/exitcode"
	"netdiag/internal/manpage"
)

// manCommand prints the manual pages generated from the command tree.
func manCommand() *cli.Command {
	return &cli.Command{
		Name:      "man",
		Usage:     "print the manual page of netdiag or of a command (man pages from the command tree)",
		ArgsUsage: "[COMMAND [SUBCOMMAND]]",
		Description: "Prints a man(7) page to read with man -l:\n" +
			"  netdiag man ping | man -l -\n" +
			"--dir DIR writes every page (netdiag.1, netdiag-ping.1, …) into DIR, as docs/man holds them.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "dir", Usage: "write every page into `DIR` instead"},
		},
		Action: func(c *cli.Context) error {
			pages := manpage.Pages(c.App)
			if dir := c.String("dir"); dir != "" {
				for _, p := range pages {
					if err := os.WriteFile(filepath.Join(dir, p.Name), p.Text, 0o644); err != nil {
						return fmt.Errorf("man: %w", err)
					}
				}
				return nil
			}
			name := strings.Join(append([]string{c.App.Name}, c.Args().Slice()...), "-") + ".1"
			for _, p := range pages {
				if p.Name == name {
					_, err := c.App.Writer.Write(p.Text)
					return err
				}
			}
			return exitcode.Usagef("man: no page for %q; try netdiag man, netdiag man ping or netdiag man tcp server", strings.Join(c.Args().Slice(), " "))
		},
	}
}
