package ping_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"netdiag/internal/testnet"
)

// TestCLIErrors runs the binary on bad input: each must exit 2 at once
// with a message saying what is wrong and nothing on stdout. The runs
// happen in an empty namespace, so even a guard that failed could send no
// packet anywhere (and DNS there is unreachable).
func TestCLIErrors(t *testing.T) {
	ns := testnet.Netns(t, "ping")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"no-such-host.invalid"}, `cannot resolve "no-such-host.invalid": no such host`},
		{[]string{"nonexistent-host.example"}, `cannot resolve "nonexistent-host.example"`},
		{[]string{"-c", "0", "127.0.0.1"}, "-c 0: must be at least 1"},
		{[]string{"-c", "-3", "127.0.0.1"}, "-c -3: must be at least 1"},
		{[]string{"-i", "-1", "127.0.0.1"}, "-i -1: must not be negative"},
		{[]string{"-i", "soon", "127.0.0.1"}, `-i "soon": not a number of seconds`},
		{[]string{"-W", "0", "127.0.0.1"}, "-W 0: must be more than 0"},
		{[]string{"-w", "-5", "127.0.0.1"}, "-w -5: must not be negative"},
		{[]string{"-s", "65508", "127.0.0.1"}, "size 65508: too large for 127.0.0.1 (at most 65507 data bytes)"},
		{[]string{"-s", "65528", "::1"}, "-s 65528: must be 0 to 65527 (IPv4 to 65507)"},
		{[]string{"-s", "-1", "127.0.0.1"}, "-s -1: must be 0 to 65527"},
		{[]string{"-t", "0", "127.0.0.1"}, "-t 0: must be 1 to 255"},
		{[]string{"-t", "256", "127.0.0.1"}, "-t 256: must be 1 to 255"},
		{[]string{"-4", "-6", "127.0.0.1"}, "-4 and -6 exclude each other"},
		{[]string{"-4", "::1"}, "not an IPv4 address"},
		{[]string{"--privileged", "--unprivileged", "127.0.0.1"}, "exclude each other"},
		{[]string{"-a", "-u", "127.0.0.1"}, "-a and -u exclude each other"},
		{[]string{"-r", "-1", "-g", "127.0.0.0/30"}, "-r -1: must be 0 or more"},
		{[]string{"-I", "no-such-if0", "127.0.0.1"}, "-I no-such-if0: no such interface or address on this host"},
		{[]string{"-I", "127.0.0.1", "::1"}, "source address 127.0.0.1 cannot send to ::1: the families differ"},
		{[]string{"-g", "127.0.0.1"}, "-g 127.0.0.1: give a prefix"},
		{[]string{"-g", "10.0.0.0/8"}, "10.0.0.0/8: too many addresses (at most 65536 in one run)"},
		{[]string{"-f", "/nonexistent/targets"}, "-f: open /nonexistent/targets: no such file or directory"},
		{[]string{"300.1.1.1"}, "300.1.1.1"},
		{[]string{}, "no target given"},
		{[]string{"127.0.0.1", "--bogus"}, "unknown flag --bogus"},
		{[]string{"127.0.0.1", "-c"}, "-c needs a value: N"},
	} {
		// The time limit only catches a hang (the guards must fail at
		// once, before any name lookup or packet).
		testnet.Refused(t, fmt.Sprintf("ping %q", tc.args), netdiag(t, ns, time.Minute, tc.args...), tc.want)
	}
	// iputils agrees that these are errors (it exits 1 or 2 for them).
	for _, args := range [][]string{{"-c", "0", "127.0.0.1"}, {"no-such-host.invalid"}} {
		if res := runIn(t, ns, 10*time.Second, append([]string{"ping"}, args...)...); res.Code == 0 {
			t.Errorf("iputils ping %v succeeded: %s", args, describe(res))
		}
	}
}

// TestFlagsAndFormats covers -D timestamps, -I with an address and an
// interface, -w with -c, flags after the target, and the reply line format.
func TestFlagsAndFormats(t *testing.T) {
	res := netdiag(t, "", 10*time.Second, "127.0.0.1", "-c", "2", "-i", "50ms", "-D", "-I", "127.0.0.1")
	if res.Code != 0 || !regexp.MustCompile(`(?m)^PING 127\.0\.0\.1 \(127\.0\.0\.1\) from 127\.0\.0\.1 56\(84\) bytes of data\.\n\[\d{10}\.\d{6}\] 64 bytes from 127\.0\.0\.1: icmp_seq=1 ttl=64 time=\d\.\d{3} ms\n`).MatchString(res.Stdout) {
		t.Errorf("-D -I 127.0.0.1: %s", describe(res))
	}
	if res := netdiag(t, "", 10*time.Second, "-c", "1", "-I", "lo", "::1"); res.Code != 0 || !strings.Contains(res.Stdout, "PING ::1(::1) from lo 56 data bytes") {
		t.Errorf("-I lo ::1: %s", describe(res))
	}
	// -w with -c: stop after -c replies, or at the deadline (iputils). A
	// run that waited for the 600 s deadline would pass the 60 s limit
	// and fail the test; the exact timing is TestRunDeadline's.
	nd, ip := pingBoth(t, "", time.Minute, "-w", "600", "-c", "2", "-i", "0.1", "127.0.0.1")
	if nd.Code != 0 || ip.Code != 0 || parseStats(t, "netdiag", nd.Stdout).received != 2 {
		t.Errorf("-w 600 -c 2: netdiag %s\niputils %s", describe(nd), describe(ip))
	}
	// -w alone: keep pinging until the deadline, a probe every -i: at
	// most one at 0, 0.1, …, 0.5 s (a loaded machine only sends fewer).
	res = netdiag(t, "", time.Minute, "-w", "0.5", "-i", "0.1", "127.0.0.1")
	if s := parseStats(t, "netdiag", res.Stdout); s.transmitted < 1 || s.transmitted > 6 || s.received+s.inFlight != s.transmitted ||
		(res.Code == 0) != (s.received > 0) {
		t.Errorf("-w 0.5 -i 0.1: %s", describe(res))
	}
}

// TestSignals checks Ctrl-C and SIGQUIT: SIGQUIT prints interim statistics
// on stderr and the run goes on; SIGINT prints the summary and exits 0
// when replies came, as iputils does. Each signal waits for output that
// shows the run got where the test needs it, never for a time.
func TestSignals(t *testing.T) {
	stdout, stderr, done, proc := startPing(t, testnet.Binary(t), "ping", "-i", "0.05", "127.0.0.1")
	stdout.WaitFor(t, "4 replies", func(s string) bool { return len(replyRE.FindAllString(s, -1)) >= 4 })
	proc.Signal(syscall.SIGQUIT)
	// A probe may be in flight at the signal (on a loaded machine, even
	// a few); none is lost on loopback.
	interim := regexp.MustCompile(`^(\d+)/(\d+) packets, 0% loss(?:, (\d+) in flight)?, min/avg/ewma/max = [\d.]+/[\d.]+/[\d.]+/[\d.]+ ms\n$`)
	stderr.WaitFor(t, "the interim statistics line", func(s string) bool { return strings.HasSuffix(s, "\n") })
	if m := interim.FindStringSubmatch(stderr.String()); m == nil || atoi(m[1]) < 4 || atoi(m[1])+atoi(m[3]) != atoi(m[2]) {
		t.Errorf("SIGQUIT: stderr %q, want one interim statistics line: received/sent, 0%% loss, the rest in flight", stderr.String())
	}
	stdout.WaitFor(t, "8 replies", func(s string) bool { return len(replyRE.FindAllString(s, -1)) >= 8 })
	proc.Signal(syscall.SIGINT)
	if err := waitExit(t, done, stdout); err != nil {
		t.Errorf("exit after SIGINT: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	s := parseStats(t, "netdiag", stdout.String())
	if s.received < 8 || s.received+s.inFlight != s.transmitted || s.lost() != 0 || !s.rttShown || s.replies != s.received ||
		!strings.Contains(stdout.String(), "\n--- 127.0.0.1 ping statistics ---\n") {
		t.Errorf("after SIGQUIT and SIGINT: %+v\n%s", s, stdout.String())
	}
}

// TestSignalsJSON checks that with --json, SIGQUIT writes a "stats" line
// to stdout and SIGINT still ends with host and summary lines, all valid
// against the schema.
func TestSignalsJSON(t *testing.T) {
	stdout, _, done, proc := startPing(t, testnet.Binary(t), "ping", "--json", "-i", "0.05", "127.0.0.1")
	stdout.WaitFor(t, "a reply line", func(s string) bool { return strings.Contains(s, `"type":"reply"`) })
	proc.Signal(syscall.SIGQUIT)
	stdout.WaitFor(t, "a stats line", func(s string) bool { return strings.Contains(s, `"type":"stats"`) })
	proc.Signal(syscall.SIGINT)
	if err := waitExit(t, done, stdout); err != nil {
		t.Errorf("exit after SIGINT: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	var types []string
	for _, l := range lines {
		var v struct{ Type string }
		json.Unmarshal([]byte(l), &v)
		types = append(types, v.Type)
	}
	n := len(types)
	if !slices.Contains(types, "stats") || n < 4 || types[n-2] != "host" || types[n-1] != "summary" || !strings.Contains(lines[n-1], `"interrupted":true`) {
		t.Errorf("line types %v, last %s", types, lines[n-1])
	}
	if errs := testnet.SchemaErrors(t, "testdata/ping.schema.json", lines); errs != "" {
		t.Errorf("schema: %s", errs)
	}
}

// TestInterruptInFlight interrupts a run whose replies are all dropped,
// before any probe's timeout can pass: the probes are in flight, not lost,
// in the SIGQUIT line and in the summary, so no loss figure is printed,
// and with no reply the exit code is 1.
func TestInterruptInFlight(t *testing.T) {
	ns := testnet.Netns(t, "ping")
	testnet.Nft(t, ns, `add table inet t
add chain inet t in { type filter hook input priority 0; }
add rule inet t in icmp type echo-reply drop`)
	argv := testnet.InNetns(ns, testnet.Binary(t), "ping", "-i", "0.1", "-W", "600", "127.0.0.1")
	stdout, stderr, done, proc := startPing(t, argv...)
	// The first probe goes out before the run looks at signals.
	proc.Signal(syscall.SIGQUIT)
	stderr.WaitFor(t, "the interim statistics line", func(s string) bool { return strings.HasSuffix(s, "\n") })
	interim := regexp.MustCompile(`^0/(\d+) packets, (\d+) in flight\n$`)
	m := interim.FindStringSubmatch(stderr.String())
	if m == nil || m[1] != m[2] || atoi(m[1]) < 1 {
		t.Errorf("SIGQUIT with every probe in flight: stderr %q, want 0/N packets, N in flight", stderr.String())
	}
	proc.Signal(syscall.SIGINT)
	err := waitExit(t, done, stdout)
	var ee *exec.ExitError
	if !errorsAs(err, &ee) || ee.ExitCode() != 1 {
		t.Errorf("exit: %v, want 1", err)
	}
	s := parseStats(t, "netdiag", stdout.String())
	if m != nil && s.transmitted < atoi(m[1]) || s.received != 0 || s.lossShown || s.noAnswers != 0 || s.inFlight != s.transmitted ||
		!regexp.MustCompile(`, \d+ still in flight \(not counted as lost\), time \d+ms`).MatchString(stdout.String()) {
		t.Errorf("interrupted with every probe in flight: %+v\n%s", s, stdout.String())
	}
}

// waitExit waits for a signalled ping to exit. The limit only catches a
// process that ignores the signal.
func waitExit(t *testing.T, done <-chan error, stdout *testnet.Buffer) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(time.Minute):
		t.Fatalf("still running a minute after the signal\nstdout:\n%s", stdout.String())
		return nil
	}
}

// startPing starts argv and returns once it has printed its first line
// (so its signal handlers are in place), with its stdout and stderr so far
// and to come, and a channel that yields its exit.
func startPing(t *testing.T, argv ...string) (stdout, stderr *testnet.Buffer, done <-chan error, proc *os.Process) {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	stdout, stderr = &testnet.Buffer{}, &testnet.Buffer{}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ch := make(chan error, 1)
	go func() { ch <- cmd.Wait() }()
	select {
	case <-stdout.Started():
	case err := <-ch:
		t.Fatalf("%v exited at once: %v\n%s", argv, err, stderr.String())
	case <-time.After(time.Minute): // only a hang: it prints at once
		cmd.Process.Kill()
		t.Fatalf("%v printed nothing in a minute", argv)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	return stdout, stderr, ch, cmd.Process
}

func errorsAs(err error, target **exec.ExitError) bool {
	e, ok := err.(*exec.ExitError)
	*target = e
	return ok
}

// TestJSONSchema validates --json output of single-host runs, errors,
// timeouts and sweeps against testdata/ping.schema.json with Python's
// jsonschema, checks the line order, and that the schema rejects a broken
// line.
func TestJSONSchema(t *testing.T) {
	a, _, _ := routed(t)
	testnet.Nft(t, a, `add table inet t
add chain inet t in { type filter hook input priority 0; }
add rule inet t in ip saddr 127.0.0.3 icmp type echo-reply drop`)
	var out []string
	for _, args := range [][]string{
		{"-c", "2", "-i", "0.05", "localhost"},
		{"-c", "2", "-i", "0.05", "-t", "1", "10.77.2.2"},
		{"-c", "1", "-W", "0.2", "127.0.0.3"},
		{"-g", "127.0.0.0/30", "-c", "2", "-i", "0.05", "--rate", "0"},
		{"127.0.0.1", "no-such-host.invalid"},
	} {
		res := netdiag(t, a, 20*time.Second, append([]string{"--json"}, args...)...)
		if res.Stdout == "" {
			t.Fatalf("%v: %s", args, describe(res))
		}
		lines := strings.Split(strings.TrimSuffix(res.Stdout, "\n"), "\n")
		types := make([]string, len(lines))
		for i, l := range lines {
			var v struct{ Type string }
			if err := json.Unmarshal([]byte(l), &v); err != nil {
				t.Fatalf("%v: line %d is not JSON: %q", args, i+1, l)
			}
			types[i] = v.Type
		}
		if types[0] != "start" || types[len(types)-1] != "summary" || types[len(types)-2] != "host" {
			t.Errorf("%v: line types %v: want start first, host lines, summary last", args, types)
		}
		out = append(out, lines...)
	}
	if errs := testnet.SchemaErrors(t, "testdata/ping.schema.json", out); errs != "" {
		t.Errorf("output does not match the schema:\n%s", errs)
	}
	for _, kind := range []string{`"type":"reply"`, `"type":"error"`, `"type":"timeout"`, `"resolve_error"`, `"last_error"`} {
		if !strings.Contains(strings.Join(out, "\n"), kind) {
			t.Errorf("no %s line was checked", kind)
		}
	}
	for _, broken := range []string{
		`{"type":"reply","time":"2026-01-01T00:00:00Z","target":"x","addr":"127.0.0.1","seq":1,"from":"127.0.0.1","bytes":64,"rtt_ms":0.1,"dup":false}`,
		`{"type":"timeout","time":"2026-01-01T00:00:00Z","target":"x","addr":"127.0.0.1","seq":"1"}`,
		`{"type":"start","time":"2026-01-01T00:00:00Z","mode":"privileged","data_bytes":56,"hosts":1,"colour":"blue"}`,
	} {
		if testnet.SchemaErrors(t, "testdata/ping.schema.json", []string{broken}) == "" {
			t.Errorf("the schema accepts a broken line: %s", broken)
		}
	}
}
