package cliargs

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// ShortOptions rewrites argv ("netdiag ping -c1 -qn host") so that
// single-letter options work as getopt reads them, as in ping, fping and nc:
// a value written against its option ("-c1" is "-c 1", "-W0.5" is
// "-W 0.5") and several options in one word ("-qn" is "-q -n", "-qc3" is
// "-q -c 3"). urfave/cli, built on Go's flag package, would take "-c1" for
// an undefined flag named "c1".
//
// It finds the command (and subcommand) named in argv and rewrites only the
// words after it that are not flags of that command as written, start with
// a single "-" and a letter that is one of its one-letter flags, and, for a
// group, consist of one-letter boolean flags up to an optional last one that
// takes a value. Anything else is left alone, so a mistyped flag still gets
// the parser's error and an argument such as "-1.2.3.4" its own. A word that
// is the value of the flag before it ("--send -c1") and everything after
// "--" are never touched. argv is not modified.
func ShortOptions(app *cli.App, argv []string) []string {
	if len(argv) < 2 {
		return argv
	}
	var flags []cli.Flag
	cmds, i := app.Commands, 1
	for i < len(argv) {
		c := findCommand(cmds, argv[i])
		if c == nil {
			break
		}
		flags, cmds = c.Flags, c.Subcommands
		i++
	}
	if flags == nil {
		return argv
	}
	out := append([]string(nil), argv[:i]...)
	for ; i < len(argv); i++ {
		a := argv[i]
		if a == "--" {
			return append(out, argv[i:]...)
		}
		if f := asWritten(flags, a); f != nil {
			out = append(out, a)
			if takesValue(f) && !strings.Contains(a, "=") && i+1 < len(argv) {
				i++
				out = append(out, argv[i])
			}
			continue
		}
		out = append(out, split(flags, a)...)
	}
	return out
}

// split returns the words a group of one-letter options stands for, or a
// alone when it is not one.
func split(flags []cli.Flag, a string) []string {
	if len(a) < 3 || a[0] != '-' || a[1] == '-' {
		return []string{a}
	}
	var words []string
	for j := 1; j < len(a); j++ {
		f := lookup(flags, a[j:j+1])
		if f == nil {
			return []string{a}
		}
		words = append(words, "-"+a[j:j+1])
		if takesValue(f) {
			if rest := a[j+1:]; rest != "" {
				words = append(words, rest)
			}
			return words
		}
	}
	return words
}

// asWritten returns the flag a word names as it stands ("-c", "--count",
// "--count=3"), or nil.
func asWritten(flags []cli.Flag, a string) cli.Flag {
	if len(a) < 2 || a[0] != '-' {
		return nil
	}
	name, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-"), "=")
	return lookup(flags, name)
}

// takesValue reports whether a flag reads the next word as its value.
func takesValue(f cli.Flag) bool {
	_, isBool := f.(*cli.BoolFlag)
	return !isBool
}

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
