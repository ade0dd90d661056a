// Package cliargs is netdiag's one flag layer: the normalizer every command
// line goes through before urfave/cli parses it, and the flag definitions
// the commands share (--json, -4/-6, durations).
//
// urfave/cli, built on Go's flag package, stops reading flags at the first
// argument, takes "-c1" for a flag named "c1", reads durations only in Go's
// form and reports unknown flags with one dash. Normalize turns a command
// line written with getopt habits (ping, fping, nc, nmap) into one the
// parser reads without surprises:
//
//   - flags may come after the arguments: "netdiag port 22 --json";
//   - one-letter flags take their value attached or apart, and group:
//     "-c1", "-c 1", "--count=1", "-qc3";
//   - "--" ends the flags; a lone "-" and words such as "-1" or
//     "-1.2.3.4" that name no flag are arguments;
//   - every duration flag takes seconds ("0.5", as ping does) or a Go
//     duration ("500ms", "2s");
//   - numbers are checked, so "too large" is told apart from "not a
//     number";
//   - an unknown flag is named as typed, with a did-you-mean;
//   - a flag given twice is an error, unless it is a list.
//
// The result lists the command path, then every flag in its canonical
// "--name=value" form, then "--" and the arguments.
package cliargs

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"netdiag/diag/exitcode"
	"netdiag/internal/suggest"
)

// completionFlag is the hidden flag shells append to ask for completions.
const completionFlag = "--generate-bash-completion"

// helpFlag is the -h/--help flag urfave/cli adds to every command.
var helpFlag cli.Flag = &cli.BoolFlag{Name: "help", Aliases: []string{"h"}}

// Normalize rewrites argv (argv[0] is the program) for app as the package
// doc describes. Errors are usage errors (exit 2) in one line plus a line
// naming the command's help. argv is not modified.
func Normalize(app *cli.App, argv []string) ([]string, error) {
	if len(argv) < 2 || argv[len(argv)-1] == completionFlag {
		return argv, nil
	}
	cmds := app.Commands
	var cmd *cli.Command
	path := []string{app.Name}
	i := 1
	for i < len(argv) {
		c := findCommand(cmds, argv[i])
		if c == nil {
			break
		}
		cmd, cmds = c, c.Subcommands
		path = append(path, c.Name)
		i++
		if len(c.Subcommands) == 0 {
			break
		}
	}
	if cmd != nil && len(cmd.Subcommands) > 0 && i < len(argv) && len(argv[i]) > 1 && argv[i][0] == '-' && lookup(cmd.Flags, strings.TrimLeft(argv[i], "-")) == nil {
		return nil, exitcode.UsageHint(unknown(cmd.Flags, argv[i], strings.TrimLeft(argv[i], "-")), strings.Join(path, " "))
	}
	if cmd == nil || len(cmd.Subcommands) > 0 {
		// The app's own flags (--help, --version), an unknown command or
		// subcommand, or "help": urfave/cli and the actions say what is
		// wrong with them.
		return argv, nil
	}
	words, args, err := parse(cmd.Flags, argv[i:])
	if err != nil {
		return nil, exitcode.UsageHint(err, strings.Join(path, " "))
	}
	out := make([]string, 0, len(argv)+2)
	out = append(out, argv[:i]...)
	out = append(out, words...)
	out = append(out, "--")
	return append(out, args...), nil
}

// parse reads the words after a command: the flags in canonical form, and
// the arguments.
func parse(flags []cli.Flag, in []string) (words, args []string, err error) {
	seen := map[string]string{} // primary name -> the flag and value as first written
	add := func(f cli.Flag, typed, value string, hasValue bool) error {
		name, as := f.Names()[0], typed
		if hasValue {
			as += " " + value
		}
		if first, ok := seen[name]; ok && !isList(f) {
			return fmt.Errorf("%s is given twice (%s, then %s): give it once", typed, first, as)
		}
		seen[name] = as
		w, err := canonical(f, typed, value, hasValue)
		if err != nil {
			return err
		}
		words = append(words, w)
		return nil
	}
	for i := 0; i < len(in); i++ {
		a := in[i]
		if a == "--" {
			return words, append(args, in[i+1:]...), nil
		}
		if len(a) < 2 || a[0] != '-' {
			args = append(args, a)
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimPrefix(a[1:], "-"), "=")
		f := lookup(flags, name)
		if f == nil && !strings.HasPrefix(a, "--") {
			// A group of one-letter flags, or an argument such as "-1".
			group, gerr := splitGroup(flags, a)
			switch {
			case gerr == nil:
				for j, g := range group {
					if !takesValue(g.flag) || g.hasValue {
						if err := add(g.flag, g.typed, g.value, g.hasValue); err != nil {
							return nil, nil, err
						}
						continue
					}
					if j != len(group)-1 || i+1 == len(in) {
						return nil, nil, needsValue(g.flag, g.typed)
					}
					i++
					if err := add(g.flag, g.typed, in[i], true); err != nil {
						return nil, nil, err
					}
				}
				continue
			case !isLetter(a[1]):
				args = append(args, a)
				continue
			default:
				return nil, nil, gerr
			}
		}
		if f == nil {
			return nil, nil, unknown(flags, a, name)
		}
		if takesValue(f) && !hasValue {
			if i+1 == len(in) {
				return nil, nil, needsValue(f, a)
			}
			i++
			value, hasValue = in[i], true
		}
		if err := add(f, strings.SplitN(a, "=", 2)[0], value, hasValue); err != nil {
			return nil, nil, err
		}
	}
	return words, args, nil
}

// groupFlag is one flag of a group such as "-qc3".
type groupFlag struct {
	flag     cli.Flag
	typed    string // "-c"
	value    string // "3"
	hasValue bool
}

// splitGroup reads a word of one-letter flags ("-qn", "-c1", "-qc3"): every
// letter a boolean flag, up to a last one that takes the rest of the word
// (or the next word) as its value.
func splitGroup(flags []cli.Flag, a string) ([]groupFlag, error) {
	var out []groupFlag
	for j := 1; j < len(a); j++ {
		f := lookup(flags, a[j:j+1])
		if f == nil {
			if len(a) == 2 {
				return nil, unknown(flags, a, a[1:])
			}
			return nil, fmt.Errorf("unknown flag -%c in %s%s", a[j], a, suggestion(flags, a[1:]))
		}
		g := groupFlag{flag: f, typed: "-" + a[j:j+1]}
		if takesValue(f) {
			if rest := strings.TrimPrefix(a[j+1:], "="); rest != "" {
				g.value, g.hasValue = rest, true
			}
			return append(out, g), nil
		}
		out = append(out, g)
	}
	return out, nil
}

// canonical returns "--name=value" (or "--name" for a boolean flag) after
// checking the value against the flag's type. Durations in seconds become
// Go durations; numbers lose leading zeros (urfave/cli would read "010" as
// octal).
func canonical(f cli.Flag, typed, value string, hasValue bool) (string, error) {
	name := "--" + f.Names()[0]
	switch f.(type) {
	case *cli.BoolFlag:
		if !hasValue {
			return name, nil
		}
		b, err := strconv.ParseBool(value)
		if err != nil {
			return "", fmt.Errorf("%s=%s: give true or false, or leave the value out", typed, value)
		}
		return name + "=" + strconv.FormatBool(b), nil
	case *cli.IntFlag:
		n, err := strconv.ParseInt(value, 10, 64)
		switch {
		case errors.Is(err, strconv.ErrRange):
			return "", fmt.Errorf("%s %s: too large (at most %d)", typed, value, int64(math.MaxInt64))
		case err != nil:
			return "", fmt.Errorf("%s %q: not a whole number", typed, value)
		}
		return name + "=" + strconv.FormatInt(n, 10), nil
	case *cli.Float64Flag:
		x, err := strconv.ParseFloat(value, 64)
		switch {
		case errors.Is(err, strconv.ErrRange) || math.IsInf(x, 0):
			return "", fmt.Errorf("%s %s: too large", typed, value)
		case err != nil || math.IsNaN(x):
			return "", fmt.Errorf("%s %q: not a number", typed, value)
		}
		return name + "=" + strconv.FormatFloat(x, 'g', -1, 64), nil
	case *cli.DurationFlag:
		d, err := ParseDuration(value)
		if err != nil {
			return "", fmt.Errorf("%s %s", typed, err)
		}
		return name + "=" + d.String(), nil
	}
	return name + "=" + value, nil
}

// maxSeconds is the longest duration a flag takes (Go's limit is about 292
// years).
const maxSeconds = float64(math.MaxInt64 / int64(time.Second))

// ParseDuration reads a duration flag's value: seconds ("0.5", "2", as
// ping's -i and -W take them) or a Go duration ("500ms", "1m30s"). It
// rejects negative, non-finite and too large values. Errors start with the
// value ("1x: ...").
func ParseDuration(s string) (time.Duration, error) {
	if x, err := strconv.ParseFloat(s, 64); err == nil {
		switch {
		case math.IsNaN(x) || math.IsInf(x, 0):
			return 0, fmt.Errorf("%s: not a number of seconds", s)
		case x < 0:
			return 0, fmt.Errorf("%s: must not be negative", s)
		case x > maxSeconds:
			return 0, fmt.Errorf("%s: too large (at most %.0f seconds)", s, maxSeconds)
		}
		return time.Duration(math.Round(x * float64(time.Second))), nil
	}
	d, err := time.ParseDuration(s)
	switch {
	case err != nil && strings.Contains(err.Error(), "invalid duration"):
		return 0, fmt.Errorf("%q: not a number of seconds (0.5) or a duration (500ms, 2s)", s)
	case err != nil:
		return 0, fmt.Errorf("%s: too large (at most %.0f seconds)", s, maxSeconds)
	case d < 0:
		return 0, fmt.Errorf("%s: must not be negative", s)
	}
	return d, nil
}

func needsValue(f cli.Flag, typed string) error {
	return fmt.Errorf("%s needs a value%s", typed, placeholder(f))
}

// placeholder returns " (SECONDS)" for a flag whose usage names its value
// in backquotes, or "".
func placeholder(f cli.Flag) string {
	if u, ok := f.(cli.DocGenerationFlag); ok {
		if _, rest, ok := strings.Cut(u.GetUsage(), "`"); ok {
			if name, _, ok := strings.Cut(rest, "`"); ok {
				return ": " + name
			}
		}
	}
	return ""
}

func unknown(flags []cli.Flag, typed, name string) error {
	return fmt.Errorf("unknown flag %s%s", typed, suggestion(flags, name))
}

// suggestion returns "; did you mean --ports?" for the flag name closest to
// name, or "" when none is close.
func suggestion(flags []cli.Flag, name string) string {
	var names []string
	for _, f := range append(flags, helpFlag) {
		for _, n := range f.Names() {
			if len(n) > 1 {
				names = append(names, n)
			}
		}
	}
	if best, ok := suggest.Closest(name, names); ok {
		return "; did you mean --" + best + "?"
	}
	return ""
}

func lookup(flags []cli.Flag, name string) cli.Flag {
	if name == "" {
		return nil
	}
	for _, f := range append(flags, helpFlag) {
		for _, n := range f.Names() {
			if n == name {
				return f
			}
		}
	}
	return nil
}

// takesValue reports whether a flag reads a value.
func takesValue(f cli.Flag) bool {
	_, isBool := f.(*cli.BoolFlag)
	return !isBool
}

// isList reports whether a flag may be given more than once.
func isList(f cli.Flag) bool {
	switch f.(type) {
	case *cli.StringSliceFlag, *cli.IntSliceFlag, *cli.Float64SliceFlag:
		return true
	}
	return false
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// findCommand returns the command of cmds called name (or one of its
// aliases), or nil.
func findCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}
