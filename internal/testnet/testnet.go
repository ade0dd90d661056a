// Package testnet holds the helpers netdiag's tests share: requiring tools
// and root (failing loudly, never skipping), building the netdiag binary
// once, running it, and creating network namespaces that are removed when the
// test ends, even when it fails.
//
// Tests send traffic only to loopback or into namespaces they create here.
package testnet

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// RequireTools fails the test (it never skips) when a tool is not on PATH.
func RequireTools(t testing.TB, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("this test needs %q, which is not installed: run ./.ci/run (it installs every test peer) or install it by hand", tool)
		}
	}
}

// RequireRoot fails the test (it never skips) when not running as root.
func RequireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatalf("this test needs root (network namespaces, raw sockets, sysctl): run it as root, as CI does")
	}
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// Binary builds the netdiag binary once per test process, as README.md's
// install line and bench/build.sh do (static, urfave_cli_no_docs), and
// returns its path. The binary lives in a temporary directory removed at
// process exit by the OS's tmp cleaning; tests must not modify it.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "netdiag-test-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "netdiag")
		cmd := exec.Command("go", "build", "-tags", "urfave_cli_no_docs", "-o", binPath, "netdiag")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build netdiag: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// Result is what a finished process left behind.
type Result struct {
	Stdout, Stderr string
	Code           int
}

// Run runs a command with a time limit and returns its output and exit
// code. It fails the test only if the command could not be started or ran
// past the limit; a non-zero exit is returned, not fatal.
func Run(t testing.TB, timeout time.Duration, stdin string, name string, args ...string) Result {
	t.Helper()
	var stdout bytes.Buffer
	res := RunTo(t, timeout, stdin, &stdout, name, args...)
	res.Stdout = stdout.String()
	return res
}

// RunTo is Run with standard output going to stdout (a file such as
// /dev/full, say) instead of Result.Stdout.
func RunTo(t testing.TB, timeout time.Duration, stdin string, stdout io.Writer, name string, args ...string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = stdout, &stderr
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	err := cmd.Run()
	res := Result{Stderr: stderr.String()}
	var exitErr *exec.ExitError
	switch {
	case ctx.Err() != nil:
		out := "(not captured)"
		if b, ok := stdout.(*bytes.Buffer); ok {
			out = b.String()
		}
		t.Fatalf("%s %s: still running after %v\nstdout:\n%s\nstderr:\n%s", name, strings.Join(args, " "), timeout, out, res.Stderr)
	case errors.As(err, &exitErr):
		res.Code = exitErr.ExitCode()
	case err != nil:
		t.Fatalf("%s: %v", name, err)
	}
	return res
}

var nsCounter atomic.Int64

// Netns creates a network namespace named "nd-<tag>-<pid>-<n>" with its
// loopback up, and removes it (with every interface inside) when the test
// ends, whether it passed or not. It requires root and iproute2.
func Netns(t testing.TB, tag string) string {
	t.Helper()
	RequireRoot(t)
	RequireTools(t, "ip")
	name := fmt.Sprintf("nd-%s-%d-%d", tag, os.Getpid(), nsCounter.Add(1))
	MustRun(t, "ip", "netns", "add", name)
	t.Cleanup(func() {
		if out, err := exec.Command("ip", "netns", "del", name).CombinedOutput(); err != nil {
			t.Errorf("removing namespace %s: %v: %s", name, err, out)
		}
	})
	MustRun(t, "ip", "-n", name, "link", "set", "lo", "up")
	return name
}

// MustRun runs a setup command and fails the test if it fails; it returns
// stdout.
func MustRun(t testing.TB, name string, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// InNetns returns the argv that runs argv inside namespace ns.
func InNetns(ns string, argv ...string) []string {
	return append([]string{"ip", "netns", "exec", ns}, argv...)
}

// Override returns the flags of base with those that extra names replaced
// by extra's: netdiag refuses a flag given twice, so a test that changes
// one of a helper's default flags drops the default. Both are lists of
// "--flag value" pairs; every value of a flag that extra names (a list flag
// such as --host) is dropped from base.
func Override(base []string, extra ...string) []string {
	named := map[string]bool{}
	for i := 0; i+1 < len(extra); i += 2 {
		named[extra[i]] = true
	}
	var out []string
	for i := 0; i+1 < len(base); i += 2 {
		if !named[base[i]] {
			out = append(out, base[i], base[i+1])
		}
	}
	return append(out, extra...)
}

// OnlyFile returns the name and contents of the one file that matches the
// glob pattern, and fails the test when there is not exactly one.
func OnlyFile(t testing.TB, pattern string) (string, []byte) {
	t.Helper()
	files, err := filepath.Glob(pattern)
	if err != nil || len(files) != 1 {
		t.Fatalf("files %v matching %s (%v), want one", files, pattern, err)
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	return files[0], b
}

// Refused checks the Result of a command line that netdiag must refuse at
// once: exit 2, nothing on stdout, and on stderr a "netdiag: " error line
// containing want (which may span the error and the hint after it), at
// most a hint line after it, and no panic. what names the command line in
// the failure.
func Refused(t testing.TB, what string, r Result, want string) {
	t.Helper()
	msg := strings.TrimSpace(r.Stderr)
	if r.Code != 2 || r.Stdout != "" || !strings.HasPrefix(msg, "netdiag: ") || !strings.Contains(r.Stderr, want) ||
		strings.Count(msg, "\n") > 1 || strings.Contains(msg, "goroutine ") {
		t.Errorf("%s: exit %d\nstdout: %s\nstderr: %s\nwant exit 2, nothing on stdout and an error line with %q on stderr (and at most a hint line)",
			what, r.Code, r.Stdout, r.Stderr, want)
	}
}
