package cliargs_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/urfave/cli/v2"

	"netdiag/diag/cliargs"
	"netdiag/diag/exitcode"
)

func testApp() *cli.App {
	return &cli.App{
		Name: "app",
		Commands: []*cli.Command{
			{Name: "ping", Flags: []cli.Flag{
				&cli.IntFlag{Name: "count", Aliases: []string{"c"}, Usage: "stop after `N` probes"},
				&cli.DurationFlag{Name: "timeout", Aliases: []string{"W"}},
				&cli.Float64Flag{Name: "rate"},
				&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}},
				&cli.BoolFlag{Name: "numeric", Aliases: []string{"n"}},
				&cli.BoolFlag{Name: "ipv4", Aliases: []string{"4"}},
				&cli.BoolFlag{Name: "ipv6", Aliases: []string{"6"}},
				&cli.BoolFlag{Name: "brief", Aliases: []string{"br"}},
				&cli.StringSliceFlag{Name: "host"},
			}},
			{Name: "tcp", Subcommands: []*cli.Command{{Name: "client", Flags: []cli.Flag{
				&cli.StringFlag{Name: "send", Aliases: []string{"s"}},
				&cli.BoolFlag{Name: "hex", Aliases: []string{"x"}},
			}}}},
		},
	}
}

func TestNormalize(t *testing.T) {
	for _, tc := range []struct{ in, want []string }{
		// Flags after arguments, in every form of a one-letter flag.
		{[]string{"ping", "host", "-c1"}, []string{"ping", "--count=1", "--", "host"}},
		{[]string{"ping", "host", "-c", "1"}, []string{"ping", "--count=1", "--", "host"}},
		{[]string{"ping", "host", "--count=1", "--"}, []string{"ping", "--count=1", "--", "host"}},
		{[]string{"ping", "-count", "1", "host"}, []string{"ping", "--count=1", "--", "host"}},
		{[]string{"ping", "-c=1", "host"}, []string{"ping", "--count=1", "--", "host"}},
		{[]string{"ping", "-qc3", "host", "-n"}, []string{"ping", "--quiet", "--count=3", "--numeric", "--", "host"}},
		{[]string{"ping", "-qc", "3", "host"}, []string{"ping", "--quiet", "--count=3", "--", "host"}},
		{[]string{"ping", "-46", "-br", "host"}, []string{"ping", "--ipv4", "--ipv6", "--brief", "--", "host"}},
		{[]string{"ping", "-q=false", "h"}, []string{"ping", "--quiet=false", "--", "h"}},
		// Values are taken as they are, even when they look like flags.
		{[]string{"ping", "-c", "-1", "h"}, []string{"ping", "--count=-1", "--", "h"}},
		{[]string{"tcp", "client", "-xs414243", "h:1"}, []string{"tcp", "client", "--hex", "--send=414243", "--", "h:1"}},
		{[]string{"tcp", "client", "--send", "-qc1", "h:1"}, []string{"tcp", "client", "--send=-qc1", "--", "h:1"}},
		// Numbers lose leading zeros; durations take seconds or Go's form.
		{[]string{"ping", "-c", "010", "h"}, []string{"ping", "--count=10", "--", "h"}},
		{[]string{"ping", "-W0.5", "h"}, []string{"ping", "--timeout=500ms", "--", "h"}},
		{[]string{"ping", "-W", "2", "h"}, []string{"ping", "--timeout=2s", "--", "h"}},
		{[]string{"ping", "--timeout=1m30s", "h"}, []string{"ping", "--timeout=1m30s", "--", "h"}},
		{[]string{"ping", "--rate", "1e3", "h"}, []string{"ping", "--rate=1000", "--", "h"}},
		// Lists may repeat.
		{[]string{"ping", "--host", "a", "--host=b"}, []string{"ping", "--host=a", "--host=b", "--"}},
		// Arguments that name no flag, and everything after "--".
		{[]string{"ping", "-", "-1.2.3.4", "-::1", "-1"}, []string{"ping", "--", "-", "-1.2.3.4", "-::1", "-1"}},
		{[]string{"ping", "h", "--", "-c1", "--bogus"}, []string{"ping", "--", "h", "-c1", "--bogus"}},
		// Not ours to judge: the app's flags, commands of subcommands, help,
		// unknown commands and completion requests.
		{[]string{"--version"}, []string{"--version"}},
		{[]string{"tcp"}, []string{"tcp"}},
		{[]string{"help", "ping", "-x"}, []string{"help", "ping", "-x"}},
		{[]string{"nope", "-c1"}, []string{"nope", "-c1"}},
		{[]string{"ping", "-c", "--generate-bash-completion"}, []string{"ping", "-c", "--generate-bash-completion"}},
		{[]string{"ping", "--help", "x"}, []string{"ping", "--help", "--", "x"}},
	} {
		argv := append([]string{"app"}, tc.in...)
		orig := slices.Clone(argv)
		got, err := cliargs.Normalize(testApp(), argv)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if want := append([]string{"app"}, tc.want...); !slices.Equal(got, want) {
			t.Errorf("%q: got %q, want %q", tc.in, got[1:], tc.want)
		}
		if !slices.Equal(argv, orig) {
			t.Errorf("%q: argv modified to %q", tc.in, argv)
		}
	}
}

func TestNormalizeErrors(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
	}{
		{[]string{"ping", "h", "--cout", "3"}, "unknown flag --cout; did you mean --count?"},
		{[]string{"ping", "h", "--bogus"}, "unknown flag --bogus\n"},
		{[]string{"ping", "h", "-z"}, "unknown flag -z\n"},
		{[]string{"ping", "h", "-qz"}, "unknown flag -z in -qz"},
		{[]string{"ping", "--quite", "h"}, "unknown flag --quite; did you mean --quiet?"},
		{[]string{"ping", "h", "-c"}, "-c needs a value: N"},
		{[]string{"ping", "h", "-qc"}, "-c needs a value: N"},
		{[]string{"ping", "-c", "many", "h"}, `-c "many": not a whole number`},
		{[]string{"ping", "-c", "99999999999999999999", "h"}, "-c 99999999999999999999: too large (at most 9223372036854775807)"},
		{[]string{"ping", "--rate", "1e999", "h"}, "--rate 1e999: too large"},
		{[]string{"ping", "--rate", "NaN", "h"}, `--rate "NaN": not a number`},
		{[]string{"ping", "-W", "soon", "h"}, `-W "soon": not a number of seconds (0.5) or a duration (500ms, 2s)`},
		{[]string{"ping", "-W", "-1", "h"}, "-W -1: must not be negative"},
		{[]string{"ping", "-W", "-2s", "h"}, "-W -2s: must not be negative"},
		{[]string{"ping", "-W", "1e300", "h"}, "-W 1e300: too large"},
		{[]string{"ping", "-c1", "h", "--count", "2"}, "--count is given twice (-c 1, then --count 2): give it once"},
		{[]string{"ping", "-q", "-q", "h"}, "-q is given twice (-q, then -q): give it once"},
		{[]string{"ping", "--quiet=maybe", "h"}, "--quiet=maybe: give true or false"},
	} {
		_, err := cliargs.Normalize(testApp(), append([]string{"app"}, tc.in...))
		if err == nil || !strings.Contains(err.Error()+"\n", tc.want) || exitcode.Code(err) != exitcode.Failure {
			t.Errorf("%q: error %v (exit %d), want %q and exit 2", tc.in, err, exitcode.Code(err), tc.want)
			continue
		}
		if !strings.HasSuffix(err.Error(), "\nRun 'app ping --help' for usage.") {
			t.Errorf("%q: %q does not end with the help hint", tc.in, err)
		}
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"0": 0, "0.5": 500 * time.Millisecond, "2": 2 * time.Second, ".001": time.Millisecond,
		"500ms": 500 * time.Millisecond, "1m30s": 90 * time.Second, "100us": 100 * time.Microsecond,
	} {
		if got, err := cliargs.ParseDuration(in); err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "x", "1x", "-1", "-1ms", "Inf", "NaN", "1e10", "9999999h"} {
		if d, err := cliargs.ParseDuration(in); err == nil {
			t.Errorf("ParseDuration(%q) = %v, want an error", in, d)
		}
	}
}

func TestParse(t *testing.T) {
	cmd := testApp().Commands[0]
	c, err := cliargs.Parse(cmd, "h1", "-c2", "h2", "-W0.25")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Args().Slice(); !slices.Equal(got, []string{"h1", "h2"}) || c.Int("count") != 2 || c.Duration("timeout") != 250*time.Millisecond || !c.IsSet("count") || c.IsSet("quiet") {
		t.Errorf("args %q count %d timeout %v", got, c.Int("count"), c.Duration("timeout"))
	}
	if _, err := cliargs.Parse(cmd, "--nope"); err == nil || exitcode.Code(err) != exitcode.Failure {
		t.Errorf("--nope: %v", err)
	}
}
