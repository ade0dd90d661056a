// Package cliargstest runs the table tests of a command's flags → Options
// function through the one flag layer (cliargs.Parse), as netdiag runs it:
// the command lines a table gives must yield the Options it expects, or a
// usage error that says what it expects.
package cliargstest

import (
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"netdiag/diag/cliargs"
	"netdiag/diag/exitcode"
)

// Case is one command line (the arguments after the command's name) and
// what it must give: the Options as the test's format function prints
// them, or a part of the usage error.
type Case struct {
	Args []string
	Want string
}

// Format turns the parsed command line into Options with the command's
// flags → Options function and prints the fields a table checks; it
// returns that function's error.
type Format func(*cli.Context) (string, error)

// Options checks that each case's command line, parsed with cmd's flags,
// gives Options that format prints as Want.
func Options(t *testing.T, cmd *cli.Command, format Format, cases []Case) {
	t.Helper()
	for _, tc := range cases {
		check(t, cmd, format, tc.Args, tc.Want, false)
	}
}

// UsageErrors checks that each case's command line parses with cmd's
// flags, and that format's flags → Options function then refuses it with
// a usage error (exit code 2) containing Want.
func UsageErrors(t *testing.T, cmd *cli.Command, format Format, cases []Case) {
	t.Helper()
	for _, tc := range cases {
		check(t, cmd, format, tc.Args, tc.Want, true)
	}
}

// Table checks a table that mixes both: a Want that starts with "error: "
// is a part of the usage error the command line must give, as in
// UsageErrors; any other is the Options as format prints them.
func Table(t *testing.T, cmd *cli.Command, format Format, cases []Case) {
	t.Helper()
	for _, tc := range cases {
		want, isErr := strings.CutPrefix(tc.Want, "error: ")
		check(t, cmd, format, tc.Args, want, isErr)
	}
}

// check runs one command line: it must give Options that format prints as
// want or, with isErr, a usage error containing want.
func check(t *testing.T, cmd *cli.Command, format Format, args []string, want string, isErr bool) {
	t.Helper()
	got, err := format(parse(t, cmd, args))
	switch {
	case isErr && (err == nil || !strings.Contains(err.Error(), want) || exitcode.Code(err) != exitcode.Failure):
		t.Errorf("%q: %v, want a usage error with %q", args, err, want)
	case !isErr && (err != nil || got != want):
		t.Errorf("%q:\n got %s (error %v)\nwant %s", args, got, err, want)
	}
}

// parse parses args with cmd's flags, failing the test if the flag layer
// itself refuses them.
func parse(t *testing.T, cmd *cli.Command, args []string) *cli.Context {
	t.Helper()
	c, err := cliargs.Parse(cmd, args...)
	if err != nil {
		t.Fatalf("%q: %v", args, err)
	}
	return c
}
