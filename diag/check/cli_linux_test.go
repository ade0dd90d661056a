package check_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"netdiag/internal/testnet"
)

// TestCLIErrors: bad flags and arguments are refused before anything is
// sent: exit 2, one line on stderr, nothing on stdout. The runs happen in an
// empty namespace of their own, so even a bug could not reach a default
// host.
func TestCLIErrors(t *testing.T) {
	t.Parallel()
	ns := testnet.Netns(t, "chkcli")
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"1.1.1.1"}, `check takes no arguments (got "1.1.1.1"); name internet hosts with --host`},
		{[]string{"--gateway", "10.0.0"}, `--gateway: invalid IPv4 address "10.0.0"`},
		{[]string{"--gateway", "ff02::1"}, "--gateway ff02::1: a multicast address is not a host"},
		{[]string{"--host", "0.0.0.0"}, "--host 0.0.0.0: the unspecified address is not a host"},
		{[]string{"--host", "bad_name"}, `--host: invalid host name "bad_name"`},
		{[]string{"--dns-name", "10.0.0.1"}, "--dns-name 10.0.0.1: give a host name to resolve, not an address"},
		{[]string{"--dns-name", ""}, `--dns-name: invalid host name ""`},
		{[]string{"--port", "0"}, "--port 0: no connection can be made to port 0"},
		{[]string{"--port", "no-such-service"}, "--port:"},
		{[]string{"--timeout", "0s"}, "--timeout 0s: give a duration above 0 and at most 1m0s"},
		{[]string{"--timeout", "2m"}, "--timeout 2m0s: give a duration above 0 and at most 1m0s"},
		{[]string{"--count", "0"}, "--count 0: give 1 to 100"},
		{[]string{"--resolv-conf", ""}, "--resolv-conf: empty file name"},
		{[]string{"--resolv-conf", "/"}, "reading the resolver configuration: read /: is a directory"},
		{[]string{"--no-such-flag"}, "unknown flag --no-such-flag"},
	} {
		argv := testnet.InNetns(ns, append([]string{testnet.Binary(t), "check"}, testnet.Override([]string{"--host", "192.0.2.1", "--dns-name", "x.test"}, tc.args...)...)...)
		// The limit only catches a hang: these fail before any probe.
		testnet.Refused(t, fmt.Sprintf("check %q", tc.args), testnet.Run(t, time.Minute, "", argv[0], argv[1:]...), "netdiag: "+tc.msg)
	}
}

// timeRE matches a measured time in the checklist.
var timeRE = regexp.MustCompile(`\d+\.\d+ (ms|s)`)

// normalize replaces measured times with "T" and runs of blanks with two
// spaces, so checklists can be compared exactly.
func normalize(s string) string {
	s = timeRE.ReplaceAllString(s, "T")
	return regexp.MustCompile(` {2,}`).ReplaceAllString(s, "  ")
}

// TestChecklist checks the human output of a healthy and a broken network,
// line by line.
func TestChecklist(t *testing.T) {
	t.Parallel()
	l := newLab(t, true)
	run := func(args ...string) testnet.Result {
		argv := testnet.InNetns(l.client, append([]string{testnet.Binary(t), "check"}, args...)...)
		return testnet.Run(t, 15*time.Second, "", argv[0], argv[1:]...)
	}
	r := run(l.labArgs()...)
	want := `STEP  STATUS  TIME  DETAIL
local stack  ok  T  127.0.0.1 and ::1 answer ping
interfaces  ok  c0 10.77.0.2/24 fd77::2/64
gateway  ok  T  10.77.0.1 on c0 answers ping; fd77::1 on c0 answers ping
DNS  ok  T  check.test → 10.78.0.2, fd78::2 by 10.77.0.1
internet  ok  T  10.78.0.2 answers ping; fd78::2 answers ping
path MTU  ok  T  1500 bytes to 10.78.0.2, as c0's MTU

The network is OK: every step passed.
`
	if got := normalize(r.Stdout); got != want || r.Code != 0 || r.Stderr != "" {
		t.Errorf("healthy: exit %d, stderr %q, output:\n%s\nwant (times as T):\n%s", r.Code, r.Stderr, r.Stdout, want)
	}
	// The columns line up: every row's DETAIL starts where the header's does.
	lines := strings.Split(r.Stdout, "\n")
	col := strings.Index(lines[0], "DETAIL")
	for _, line := range lines[1:7] {
		if len(line) < col || line[col-2:col] != "  " || line[col] == ' ' {
			t.Errorf("row not aligned with DETAIL at %d: %q", col, line)
		}
	}

	in(t, l.client, "ip", "route", "del", "default")
	in(t, l.client, "ip", "-6", "route", "del", "default")
	r = run("--resolv-conf", l.resolvConf, "--dns-name", labName, "--host", host4)
	want = `STEP  STATUS  TIME  DETAIL
local stack  ok  T  127.0.0.1 and ::1 answer ping
interfaces  ok  c0 10.77.0.2/24 fd77::2/64
gateway  fail  no default route
DNS  ok  T  check.test → 10.78.0.2, fd78::2 by 10.77.0.1
internet  fail  10.78.0.2 unreachable: network is unreachable
path MTU  skipped  no internet host answers ping to probe with

No default route: the interface has no gateway — is DHCP running?
`
	if got := normalize(r.Stdout); got != want || r.Code != 1 || r.Stderr != "" {
		t.Errorf("no default route: exit %d, stderr %q, output:\n%s\nwant (times as T):\n%s", r.Code, r.Stderr, r.Stdout, want)
	}
}

// TestInterrupt: Ctrl-C during a check prints what it has at once and
// exits 2. The signal goes when the lab's DNS responder sees the check's
// query, so the check is surely under way; with the upstream silent and a
// one-minute timeout, a check that ignored it would pass the 30 s limit.
func TestInterrupt(t *testing.T) {
	t.Parallel()
	l := newLab(t, true)
	silenceUpstream(t, l)
	argv := testnet.InNetns(l.client, append([]string{testnet.Binary(t), "check", "--json", "--timeout", "1m"}, l.labArgs()...)...)
	cmd := exec.Command(argv[0], argv[1:]...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-l.dns.Asked():
	case err := <-done:
		t.Fatalf("the check ended (%v) before asking DNS:\n%s%s", err, stdout.String(), stderr.String())
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		<-done
		t.Fatal("the check never asked the lab's DNS")
	}
	// "ip netns exec" execs netdiag in its own process: signal it.
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatal("still running 30 s after SIGINT")
	}
	if code := cmd.ProcessState.ExitCode(); code != 2 || stderr.String() != "netdiag: interrupted\n" {
		t.Errorf("exit %d, stderr %q; want 2 and \"netdiag: interrupted\"", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), `{"type":"summary","status":"fail","text":"Interrupted: the check did not finish.",`) {
		t.Errorf("no interrupted summary in:\n%s", stdout.String())
	}
}
