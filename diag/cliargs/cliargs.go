// Package cliargs lets netdiag's commands take flags after their arguments
// ("netdiag ping 127.0.0.1 -c 3"), as ping, fping and nmap do: urfave/cli
// stops reading flags at the first argument.
package cliargs

import (
	"strings"

	"github.com/urfave/cli/v2"

	"netdiag/diag/exitcode"
)

// Interspersed returns the command's positional arguments, applying the
// flags mixed in among them to c. "--" ends the flags: everything after it
// is an argument. A boolean flag takes no value unless written -f=value.
// Errors are usage errors (exit 2) naming the flag and the help command.
func Interspersed(c *cli.Context) ([]string, error) {
	help := "netdiag --help"
	if c.Command != nil && c.Command.HelpName != "" {
		help = c.Command.HelpName + " --help"
	}
	var args []string
	rest := c.Args().Slice()
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		if a == "--" {
			return append(args, rest[i+1:]...), nil
		}
		if len(a) < 2 || a[0] != '-' {
			args = append(args, a)
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		f := lookup(c.Command.Flags, name)
		if f == nil {
			return nil, exitcode.Usagef("flag provided but not defined: %s\nRun '%s' for usage.", a, help)
		}
		if !takesValue(f) && !hasValue {
			value, hasValue = "true", true
		}
		if !hasValue {
			if i+1 == len(rest) {
				return nil, exitcode.Usagef("flag needs an argument: %s\nRun '%s' for usage.", a, help)
			}
			i++
			value = rest[i]
		}
		if err := c.Set(f.Names()[0], value); err != nil {
			return nil, exitcode.Usagef("invalid value %q for flag %s: %v", value, a, err)
		}
	}
	return args, nil
}

func lookup(flags []cli.Flag, name string) cli.Flag {
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				return f
			}
		}
	}
	return nil
}
