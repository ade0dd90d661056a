package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/urfave/cli/v2"

	"netdiag/internal/testnet"
)

// run runs the app in-process the way main does and returns stdout, stderr
// and the exit code.
func runApp(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	app := newApp(&stdout, &stderr)
	err := run(context.Background(), app, append([]string{"netdiag"}, args...))
	code := report(&stderr, err)
	return stdout.String(), stderr.String(), code
}

// leafCommands returns the full name path of every runnable command.
// The help commands are left out: TestHelpCommand covers them.
func leafCommands(prefix []string, cmds []*cli.Command) [][]string {
	var out [][]string
	for _, c := range cmds {
		if c.Name == "help" {
			continue
		}
		path := append(append([]string{}, prefix...), c.Name)
		out = append(out, path)
		out = append(out, leafCommands(path, c.Subcommands)...)
	}
	return out
}

func TestVersion(t *testing.T) {
	stdout, _, code := runApp(t, "--version")
	if code != 0 || !strings.Contains(stdout, "netdiag version "+version) {
		t.Fatalf("--version: code %d, stdout %q", code, stdout)
	}
}

func TestNoCommandIsUsageError(t *testing.T) {
	stdout, stderr, code := runApp(t)
	if code != 2 || !strings.Contains(stdout, "COMMANDS:") || !strings.Contains(stderr, "no command given") {
		t.Fatalf("code %d\nstdout %q\nstderr %q", code, stdout, stderr)
	}
}

func TestUnknownCommand(t *testing.T) {
	_, stderr, code := runApp(t, "pnig", "127.0.0.1")
	if code != 2 {
		t.Fatalf("code %d, want 2", code)
	}
	want := "netdiag: unknown command \"pnig\"; did you mean \"ping\"?\nRun 'netdiag --help' for the list of commands.\n"
	if stderr != want {
		t.Fatalf("stderr %q, want %q", stderr, want)
	}
}

// TestUnknownFlagEveryCommand checks that a bad flag on any command is exit 2
// with a one-line hint naming that command's help, never a help dump or a
// stack trace.
func TestUnknownFlagEveryCommand(t *testing.T) {
	var buf bytes.Buffer
	for _, path := range leafCommands(nil, newApp(&buf, &buf).Commands) {
		args := append(append([]string{}, path...), "--no-such-flag")
		stdout, stderr, code := runApp(t, args...)
		name := strings.Join(path, " ")
		if code != 2 {
			t.Errorf("%s: code %d, want 2", name, code)
		}
		wantHint := "Run 'netdiag " + name + " --help' for usage.\n"
		if !strings.HasPrefix(stderr, "netdiag: unknown flag --no-such-flag\n") || !strings.HasSuffix(stderr, wantHint) {
			t.Errorf("%s: stderr %q", name, stderr)
		}
		if stdout != "" || strings.Contains(stderr, "goroutine") {
			t.Errorf("%s: unexpected output: stdout %q stderr %q", name, stdout, stderr)
		}
	}
}

func TestHelpEveryCommand(t *testing.T) {
	var buf bytes.Buffer
	for _, path := range leafCommands(nil, newApp(&buf, &buf).Commands) {
		stdout, stderr, code := runApp(t, append(path, "--help")...)
		if code != 0 || !strings.Contains(stdout, "netdiag "+strings.Join(path, " ")) || stderr != "" {
			t.Errorf("%v --help: code %d\nstdout %q\nstderr %q", path, code, stdout, stderr)
		}
	}
}

// TestBashCompletion sources the generated script in a real bash and asks it
// to complete "netdiag pi" and "netdiag tcp s".
func TestBashCompletion(t *testing.T) {
	testnet.RequireTools(t, "bash")
	bin := testnet.Binary(t)
	dir := t.TempDir()
	if err := os.Symlink(bin, filepath.Join(dir, "netdiag")); err != nil {
		t.Fatal(err)
	}
	script := `PATH="` + dir + `:$PATH"
source <(netdiag completion bash)
COMP_WORDS=(netdiag pi); COMP_CWORD=1; _netdiag_complete; echo "${COMPREPLY[*]}"
COMP_WORDS=(netdiag tcp s); COMP_CWORD=2; _netdiag_complete; echo "${COMPREPLY[*]}"`
	res := testnet.Run(t, 30*time.Second, "", "bash", "-c", script)
	if res.Code != 0 || res.Stdout != "ping\nserver\n" {
		t.Fatalf("completion: code %d stdout %q stderr %q", res.Code, res.Stdout, res.Stderr)
	}
}

func TestCompletionShells(t *testing.T) {
	for shell, want := range map[string]string{"bash": "complete -o", "zsh": "compdef", "fish": "complete -c netdiag"} {
		stdout, _, code := runApp(t, "completion", shell)
		if code != 0 || !strings.Contains(stdout, want) {
			t.Errorf("completion %s: code %d, missing %q", shell, code, want)
		}
	}
	if _, stderr, code := runApp(t, "completion", "tcsh"); code != 2 || !strings.Contains(stderr, `unknown shell "tcsh"`) {
		t.Errorf("completion tcsh: code %d stderr %q", code, stderr)
	}
}

// TestHelpCommand checks "netdiag help [COMMAND]" and that a command made of
// subcommands, run without one, shows its usage and exits 2 as bare
// "netdiag" does.
func TestHelpCommand(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{[]string{"help"}, 0, "COMMANDS:", ""},
		{[]string{"--help"}, 0, "COMMANDS:", ""},
		{[]string{"-h"}, 0, "COMMANDS:", ""},
		{[]string{"tcp", "--help"}, 0, "COMMANDS:", ""},
		{[]string{"help", "ping"}, 0, "netdiag ping [command options]", ""},
		{[]string{"help", "tcp"}, 0, "server", ""},
		{[]string{"tcp", "help", "client"}, 0, "netdiag tcp client", ""},
		{[]string{"tcp"}, 2, "COMMANDS:", "netdiag: netdiag tcp: no subcommand given\n"},
		{[]string{"tcp", "bogus"}, 2, "COMMANDS:", "netdiag: netdiag tcp: unknown subcommand \"bogus\"\nRun 'netdiag tcp --help' for usage.\n"},
	} {
		stdout, stderr, code := runApp(t, tc.args...)
		if code != tc.code || !strings.Contains(stdout, tc.stdout) || stderr != tc.stderr {
			t.Errorf("%q: code %d\nstdout %q\nstderr %q", tc.args, code, stdout, stderr)
		}
	}
}

// TestFlagHabits tries, on every command, what a new user types: flags
// after the arguments, one-letter flags in every form, durations in seconds
// or Go's form, misspelled flags and bad values. Every case stops before
// anything is sent: its answer is a usage error (exit 2) from the command's
// own checks, which proves the flag reached the command, or the output of a
// command that needs no network.
func TestFlagHabits(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		code   int
		stdout string // a part of stdout
		stderr string // a part of stderr
	}{
		// Flags after the arguments.
		{[]string{"port", "22", "--json"}, 0, `{"type":"port","port":22,`, ""},
		{[]string{"ip", "10.0.0.1", "--json"}, 0, `"address":"10.0.0.1"`, ""},
		{[]string{"ifaces", "lo", "-4", "--json"}, 0, `"name":"lo"`, ""},
		{[]string{"ifaces", "lo", "-4", "-6"}, 2, "", "-4 and -6 exclude each other"},
		{[]string{"ping", "127.0.0.1", "-4", "-6"}, 2, "", "-4 and -6 exclude each other"},
		{[]string{"scan", "127.0.0.1", "-4", "-6"}, 2, "", "-4 and -6 exclude each other"},
		{[]string{"tcp", "client", "127.0.0.1:1", "-4", "-6"}, 2, "", "-4 and -6 exclude each other"},
		{[]string{"tcp", "server", "-p", "0", "-4", "-6"}, 2, "", "-4 and -6 exclude each other"},
		{[]string{"check", "--count", "0"}, 2, "", "--count 0: give 1 to 100"},
		// One-letter flags in every form, and a trailing "--".
		{[]string{"ping", "-c0", "127.0.0.1"}, 2, "", "-c 0: must be at least 1"},
		{[]string{"ping", "127.0.0.1", "-c", "0"}, 2, "", "-c 0: must be at least 1"},
		{[]string{"ping", "127.0.0.1", "--count=0", "--"}, 2, "", "-c 0: must be at least 1"},
		{[]string{"ping", "-qc0", "127.0.0.1"}, 2, "", "-c 0: must be at least 1"},
		{[]string{"check", "-c0"}, 2, "", "--count 0: give 1 to 100"},
		{[]string{"scan", "127.0.0.1", "-p0-"}, 2, "", "-p: invalid port list \"0-\""},
		{[]string{"tcp", "client", "-c0", "--send", "x", "127.0.0.1:1"}, 2, "", "--repeat must be 1 or more"},
		{[]string{"port", "-q", "--local", "-t", "-u", "0", "--", "-1"}, 2, "", "negative port"},
		// Durations: seconds or Go's form, everywhere.
		{[]string{"scan", "127.0.0.1", "--timeout", "0.5", "--banner-timeout", "0"}, 2, "", "--banner-timeout 0s: must be positive"},
		{[]string{"scan", "127.0.0.1", "-W", "500ms", "--banner-timeout", "0"}, 2, "", "--banner-timeout 0s: must be positive"},
		{[]string{"tcp", "client", "-w", "2", "--timeout", "2", "--interval", "0.1", "127.0.0.1:1"}, 2, "", "--repeat and --interval repeat --send TEXT"},
		{[]string{"tcp", "server", "--idle-timeout", "30", "-p", "0", "--echo", "--discard"}, 2, "", "--reply, --echo and --discard exclude each other"},
		{[]string{"ping", "-i", "0.2", "-W", "0", "127.0.0.1"}, 2, "", "-W 0: must be more than 0"},
		{[]string{"check", "--timeout", "0"}, 2, "", "--timeout 0s: give a duration above 0"},
		{[]string{"scan", "127.0.0.1", "--timeout", "soon"}, 2, "", `--timeout "soon": not a number of seconds (0.5) or a duration (500ms, 2s)`},
		// Unknown flags, named as typed, with a did-you-mean.
		{[]string{"ip", "10.0.0.1", "--bogus"}, 2, "", "netdiag: unknown flag --bogus\nRun 'netdiag ip --help' for usage.\n"},
		{[]string{"ping", "--cout", "1", "127.0.0.1"}, 2, "", "unknown flag --cout; did you mean --count?"},
		{[]string{"scan", "127.0.0.1", "--port", "22"}, 2, "", "unknown flag --port; did you mean --ports?"},
		{[]string{"tcp", "server", "--max-con", "1"}, 2, "", "unknown flag --max-con; did you mean --max-conns?"},
		// Repeated and malformed values.
		{[]string{"ping", "-c1", "-c", "2", "127.0.0.1"}, 2, "", "-c is given twice (-c 1, then -c 2): give it once"},
		{[]string{"ping", "-c", "99999999999999999999", "127.0.0.1"}, 2, "", "-c 99999999999999999999: too large"},
		{[]string{"scan", "127.0.0.1", "--rate", "fast"}, 2, "", `--rate "fast": not a number`},
		// Arguments that look like flags but name none are arguments.
		{[]string{"ip", "-1.2.3.4"}, 1, "-1.2.3.4  invalid", ""},
		{[]string{"ip", "--", "-q"}, 1, "-q  invalid", ""},
	} {
		stdout, stderr, code := runApp(t, tc.args...)
		if code != tc.code || !strings.Contains(stdout, tc.stdout) || !strings.Contains(stderr, tc.stderr) || (tc.stderr == "") != (stderr == "") {
			t.Errorf("%q: code %d, want %d\nstdout %q\nstderr %q", tc.args, code, tc.code, stdout, stderr)
		}
		if code == 2 && strings.Count(strings.TrimSpace(stderr), "\n") > 1 {
			t.Errorf("%q: a usage error takes at most two lines: %q", tc.args, stderr)
		}
	}
}

// TestFlagPlaceholders checks that help names the value of every flag that
// takes one ("--timeout SECONDS", not "--timeout value").
func TestFlagPlaceholders(t *testing.T) {
	var buf bytes.Buffer
	var walk func(cmds []*cli.Command)
	walk = func(cmds []*cli.Command) {
		for _, c := range cmds {
			for _, f := range c.Flags {
				if _, isBool := f.(*cli.BoolFlag); isBool {
					continue
				}
				if u := f.(cli.DocGenerationFlag).GetUsage(); strings.Count(u, "`") < 2 {
					t.Errorf("%s --%s: usage %q names no value in backquotes", c.Name, f.Names()[0], u)
				}
			}
			walk(c.Subcommands)
		}
	}
	walk(newApp(&buf, &buf).Commands)
}

// TestShortOptions checks that getopt-style words ("-c0", "-p0-") reach the
// commands as their flags: the commands' own checks answer, not "flag
// provided but not defined". Both are rejected before anything is sent.
func TestShortOptions(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"ping", "-c0", "127.0.0.1"}, "netdiag: -c 0: must be at least 1\n"},
		{[]string{"ping", "-qc0", "127.0.0.1"}, "netdiag: -c 0: must be at least 1\n"},
		{[]string{"scan", "127.0.0.1", "-p0-"}, "netdiag: -p: invalid port list \"0-\": \"0-\": range without its end (write 0-65535, or - for all ports)\n"},
	} {
		_, stderr, code := runApp(t, tc.args...)
		if code != 2 || stderr != tc.want {
			t.Errorf("%q: code %d, stderr %q; want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}

// TestTargetErrorsPerTarget: a name that does not resolve among several
// targets is reported for itself, and the others still run (ping and scan
// alike); the exit code is 2, as fping's for a name it cannot resolve.
// Names under .invalid fail without asking DNS (RFC 6761).
func TestTargetErrorsPerTarget(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		stdout string
		stderr string
	}{
		{[]string{"scan", "-p", "1", "--all", "127.0.0.1", "nosuch.invalid", "127.0.0.2"}, "127.0.0.2", `netdiag: scan: cannot resolve "nosuch.invalid": no such host (names under .invalid never resolve, RFC 6761) (not scanned)`},
		{[]string{"ping", "-c1", "127.0.0.1", "nosuch.invalid", "127.0.0.2"}, "127.0.0.2", "nosuch.invalid"},
	} {
		stdout, stderr, code := runApp(t, tc.args...)
		if code != 2 || !strings.Contains(stdout, "127.0.0.1") || !strings.Contains(stdout, tc.stdout) || !strings.Contains(stdout+stderr, tc.stderr) {
			t.Errorf("%q: code %d, want 2\nstdout %q\nstderr %q", tc.args, code, stdout, stderr)
		}
	}
	if _, stderr, code := runApp(t, "scan", "-p", "1", "nosuch.invalid"); code != 2 || !strings.Contains(stderr, `cannot resolve "nosuch.invalid"`) {
		t.Errorf("scan of one unresolvable name: code %d, stderr %q", code, stderr)
	}
}
