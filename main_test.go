package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/urfave/cli/v2"

	"netdiag/diag/cliargs"
	"netdiag/internal/testnet"
)

// run runs the app in-process the way main does and returns stdout, stderr
// and the exit code.
func run(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	app := newApp(&stdout, &stderr)
	err := app.Run(cliargs.ShortOptions(app, append([]string{"netdiag"}, args...)))
	code := report(&stderr, err)
	return stdout.String(), stderr.String(), code
}

// leafCommands returns the full name path of every runnable command.
func leafCommands(prefix []string, cmds []*cli.Command) [][]string {
	var out [][]string
	for _, c := range cmds {
		path := append(append([]string{}, prefix...), c.Name)
		out = append(out, path)
		out = append(out, leafCommands(path, c.Subcommands)...)
	}
	return out
}

func TestVersion(t *testing.T) {
	stdout, _, code := run(t, "--version")
	if code != 0 || !strings.Contains(stdout, "netdiag version "+version) {
		t.Fatalf("--version: code %d, stdout %q", code, stdout)
	}
}

func TestNoCommandIsUsageError(t *testing.T) {
	stdout, stderr, code := run(t)
	if code != 2 || !strings.Contains(stdout, "COMMANDS:") || !strings.Contains(stderr, "no command given") {
		t.Fatalf("code %d\nstdout %q\nstderr %q", code, stdout, stderr)
	}
}

func TestUnknownCommand(t *testing.T) {
	_, stderr, code := run(t, "pnig", "127.0.0.1")
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
		stdout, stderr, code := run(t, args...)
		name := strings.Join(path, " ")
		if code != 2 {
			t.Errorf("%s: code %d, want 2", name, code)
		}
		wantHint := "Run 'netdiag " + name + " --help' for usage.\n"
		if !strings.HasPrefix(stderr, "netdiag: flag provided but not defined: -no-such-flag\n") || !strings.HasSuffix(stderr, wantHint) {
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
		stdout, stderr, code := run(t, append(path, "--help")...)
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
		stdout, _, code := run(t, "completion", shell)
		if code != 0 || !strings.Contains(stdout, want) {
			t.Errorf("completion %s: code %d, missing %q", shell, code, want)
		}
	}
	if _, stderr, code := run(t, "completion", "tcsh"); code != 2 || !strings.Contains(stderr, `unknown shell "tcsh"`) {
		t.Errorf("completion tcsh: code %d stderr %q", code, stderr)
	}
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
		_, stderr, code := run(t, tc.args...)
		if code != 2 || stderr != tc.want {
			t.Errorf("%q: code %d, stderr %q; want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}
