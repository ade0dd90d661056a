package scan_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"netdiag/internal/testnet"
)

// TestCLIErrors runs the binary on bad input: each must exit 2 at once
// with a message that says what is wrong. The runs happen in an empty
// namespace, so even a guard that failed could not send a packet anywhere
// (and DNS there is unreachable, so no name resolves).
func TestCLIErrors(t *testing.T) {
	ns := testnet.Netns(t, "scan")
	bin := testnet.Binary(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"127.0.0.1", "-p", "0-"}, `invalid port list "0-"`},
		{[]string{"127.0.0.1", "-p", "70000"}, `invalid port list "70000"`},
		{[]string{"127.0.0.1", "-p", "80-20"}, "reversed"},
		{[]string{"127.0.0.1", "-p", "22,,80"}, "empty item"},
		{[]string{"127.0.0.1", "-p", "no-such-service"}, `invalid port list`},
		{[]string{"127.0.0.1", "-p", "0"}, "port 0 cannot be scanned"},
		{[]string{"no-such-host.invalid"}, `cannot resolve "no-such-host.invalid": no such host`},
		{[]string{"nonexistent-host.example"}, `cannot resolve "nonexistent-host.example"`},
		{[]string{"10.0.0.0/8", "-p", "22"}, "refusing to scan 16,777,214 addresses × 1 port = 16,777,214 probes: more than 65,536 addresses; narrow the targets or ports, or add --yes"},
		{[]string{"10.1.0.0/24", "10.2.0.0/24", "-p", "-"}, "more than 16,777,216 probes"},
		{[]string{}, "no target given"},
		{[]string{"300.1.1.1"}, "300.1.1.1"},
		{[]string{"127.0.0.1", "-4", "-6"}, "-4 and -6 exclude each other"},
		{[]string{"::1", "-4"}, "not an IPv4 address"},
		{[]string{"127.0.0.1", "--timeout", "0s"}, "--timeout 0s: must be positive"},
		{[]string{"127.0.0.1", "--concurrency", "0"}, "--concurrency 0: must be at least 1"},
		{[]string{"127.0.0.1", "--bogus"}, "unknown flag --bogus"},
		{[]string{"127.0.0.1", "-p"}, "-p needs a value: LIST"},
	} {
		argv := testnet.InNetns(ns, append([]string{bin, "scan"}, tc.args...)...)
		// The limit only catches a hang: these fail before any probe.
		testnet.Refused(t, fmt.Sprintf("scan %q", tc.args), testnet.Run(t, time.Minute, "", argv[0], argv[1:]...), tc.want)
	}
}

// TestCLITable checks the human output, exit codes 0 and 1, flags after
// the targets, and that no progress bar reaches a stderr that is not a
// terminal. A loaded machine may answer an attempt after it stopped
// waiting (the summary then says so, and the attempt may be retried): the
// table and counts must not change.
func TestCLITable(t *testing.T) {
	ns := testnet.Netns(t, "scan")
	serve(t, testnet.ListenInNetns(t, ns, "tcp", "127.0.0.1:22"), "SSH-2.0-OpenSSH_9.2p1\r\n")
	serve(t, testnet.ListenInNetns(t, ns, "tcp", "127.0.0.1:8080"), "")
	bin := testnet.Binary(t)
	run := func(args ...string) testnet.Result {
		argv := testnet.InNetns(ns, append([]string{bin, "scan"}, args...)...)
		return testnet.Run(t, 30*time.Second, "", argv[0], argv[1:]...)
	}
	res := run("localhost", "-p", "1-1024,8080", "--banner", "--banner-timeout", "300ms")
	want := regexp.MustCompile(`^127\.0\.0\.1 \(localhost\)
PORT      STATE  SERVICE   BANNER
22/tcp    open   ssh       SSH-2\.0-OpenSSH_9\.2p1
8080/tcp  open   http-alt  \n
Scanned 1 host × 1,025 ports in \d+\.\d{3} s \([\d,]+ probes/s\): 2 open, 1,023 closed, 0 filtered\.
Concurrency up to 512 \(ulimit -n [\d,]+\), [\d,]+ retr\w+\.
(\d[\d,]* answers? came after the attempt had stopped waiting [^\n]*\n)?$`)
	if res.Code != 0 || !want.MatchString(res.Stdout) || res.Stderr != "" {
		t.Errorf("exit %d, stdout:\n%s\nstderr:\n%s\nwant exit 0, stdout matching\n%s", res.Code, res.Stdout, res.Stderr, want)
	}
	res = run("127.0.0.1", "-p", "1-21", "--all")
	want = regexp.MustCompile(`^127\.0\.0\.1: 0 open, 21 closed, 0 filtered
PORT    STATE   SERVICE   REASON
1/tcp   closed  tcpmux    conn-refused
(.*\n){19}21/tcp  closed  ftp       conn-refused

Scanned 1 host × 21 ports in .*: 0 open, 21 closed, 0 filtered\.
`)
	if res.Code != 1 || !want.MatchString(res.Stdout) {
		t.Errorf("exit %d, stdout:\n%s\nwant exit 1 (no open port) and stdout matching\n%s", res.Code, res.Stdout, want)
	}
}

// TestCLIJSON checks the JSON lines: a port line per open port, a host
// line, a summary, with stable field names.
func TestCLIJSON(t *testing.T) {
	ns := testnet.Netns(t, "scan")
	serve(t, testnet.ListenInNetns(t, ns, "tcp", "[::1]:443"), "")
	bin := testnet.Binary(t)
	argv := testnet.InNetns(ns, bin, "scan", "::1", "-p", "440-445", "--json")
	res := testnet.Run(t, 30*time.Second, "", argv[0], argv[1:]...)
	lines := strings.Split(strings.TrimSpace(res.Stdout), "\n")
	if res.Code != 0 || len(lines) != 3 {
		t.Fatalf("exit %d, want 0 and 3 lines:\n%s%s", res.Code, res.Stdout, res.Stderr)
	}
	keys := []string{
		`type,target,addr,port,state,reason,service,tries,rtt_ms`,
		`type,target,addr,counts,ports,done`,
		`type,hosts,counts,probes,retries,backoffs,min_window,rate_cap,loss_floor,cuts_undone,late_answers,concurrency,fd_limit,interrupted,ports,ports_per_host,elapsed_ms,late_max_ms,waited_ms,timeout_ms`,
	}
	for i, line := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line %d: %v: %s", i, err, line)
		}
		if got := jsonKeys(line); got != keys[i] {
			t.Errorf("line %d keys %s, want %s\n%s", i, got, keys[i], line)
		}
	}
	for _, frag := range []string{
		`{"type":"port","target":"::1","addr":"::1","port":443,"state":"open","reason":"syn-ack","service":"https","tries":1,"rtt_ms":`,
		`{"type":"host","target":"::1","addr":"::1","counts":{"open":1,"closed":5,"filtered":0,"error":0},"ports":[{"addr":"::1","port":443,"state":"open"`,
		`"ports":"440-445","ports_per_host":6,`,
	} {
		if !strings.Contains(res.Stdout, frag) {
			t.Errorf("output lacks %s:\n%s", frag, res.Stdout)
		}
	}
}

// jsonKeys lists a JSON object's keys in order, comma-separated.
func jsonKeys(line string) string {
	dec := json.NewDecoder(strings.NewReader(line))
	var keys []string
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch v := tok.(type) {
		case json.Delim:
			if v == '{' || v == '[' {
				depth++
			} else {
				depth--
			}
		case string:
			if depth == 1 && dec.More() {
				keys = append(keys, v)
				skipValue(dec)
			}
		}
	}
	return strings.Join(keys, ",")
}

func skipValue(dec *json.Decoder) {
	var v json.RawMessage
	_ = dec.Decode(&v)
}

// TestCLIFDLimit runs a full scan under ulimit -n 100: the concurrency must
// be capped below it, reported, and the scan still right.
func TestCLIFDLimit(t *testing.T) {
	ns := testnet.Netns(t, "scan")
	serve(t, testnet.ListenInNetns(t, ns, "tcp", "127.0.0.1:4242"), "")
	bin := testnet.Binary(t)
	argv := testnet.InNetns(ns, "sh", "-c", fmt.Sprintf("ulimit -n 100 && exec %s scan 127.0.0.1 -p - --json", bin))
	res := testnet.Run(t, time.Minute, "", argv[0], argv[1:]...)
	js := parseJSONScan(t, res.Stdout)
	s := js.summary
	if res.Code != 0 || s.Counts.Open != 1 || s.Counts.Closed != 65534 || s.Counts.Error != 0 || s.FDLimit != 100 || s.Concurrency > 100-64 {
		t.Errorf("exit %d, summary %+v", res.Code, s)
	}
	if !strings.Contains(res.Stderr, "--concurrency 512 lowered to 36 to stay under ulimit -n 100") {
		t.Errorf("stderr does not report the lowered concurrency:\n%s", res.Stderr)
	}
}

// TestCLIProgress runs a scan that takes over a second on a terminal (a
// pty from script(1)): the progress bar must appear on it, and be erased
// before the results.
func TestCLIProgress(t *testing.T) {
	testnet.RequireTools(t, "script", "nft")
	ns := testnet.Netns(t, "scan")
	rules := "table inet p {\n chain input {\n type filter hook input priority 0;\n tcp dport 3000-3299 tcp flags syn drop\n }\n}\n"
	testnet.Nft(t, ns, rules)
	serve(t, testnet.ListenInNetns(t, ns, "tcp", "127.0.0.1:4000"), "")
	bin := testnet.Binary(t)
	inner := strings.Join(testnet.InNetns(ns, bin, "scan", "127.0.0.1", "-p", "3000-3299,4000", "--timeout", "700ms", "--retries", "0", "--concurrency", "100"), " ")
	res := testnet.Run(t, time.Minute, "", "script", "-qefc", inner, "/dev/null")
	out := res.Stdout
	bar := regexp.MustCompile(`\r\[[#.]{24}\] +\d+%  [\d,]+/301 ports  \d+ open  [\d,]+/s  ETA [^\r]*\x1b\[K`)
	if !bar.MatchString(out) {
		t.Errorf("no progress bar on the terminal:\n%q", out)
	}
	if !strings.Contains(out, "\r\x1b[K127.0.0.1\r\n") && !strings.Contains(out, "\r\x1b[K127.0.0.1") {
		t.Errorf("the bar is not erased before the results:\n%q", out)
	}
	if res.Code != 0 || !strings.Contains(out, "4000/tcp") {
		t.Errorf("exit %d, output:\n%q", res.Code, out)
	}
	// And none when stderr is not a terminal.
	argv := testnet.InNetns(ns, bin, "scan", "127.0.0.1", "-p", "3000-3099,4000", "--timeout", "1100ms", "--retries", "0")
	if r := testnet.Run(t, time.Minute, "", argv[0], argv[1:]...); r.Stderr != "" || r.Code != 0 {
		t.Errorf("exit %d, stderr not a terminal but got %q", r.Code, r.Stderr)
	}
}

// TestJSONSchema validates every line of several --json runs (open, closed,
// filtered, banners, a name, --all) against testdata/scan.schema.json with
// Python's jsonschema, and checks that the schema rejects broken lines.
func TestJSONSchema(t *testing.T) {
	testnet.RequireTools(t, "nft")
	ns := testnet.Netns(t, "scan")
	rules := "table inet s {\n chain input {\n type filter hook input priority 0;\n tcp dport 23 tcp flags syn drop\n tcp dport 24 reject with icmpx type admin-prohibited\n }\n}\n"
	testnet.Nft(t, ns, rules)
	serve(t, testnet.ListenInNetns(t, ns, "tcp", "127.0.0.1:22"), "SSH-2.0-test\r\n")
	serve(t, testnet.ListenInNetns(t, ns, "tcp", "[::1]:25"), "")
	var lines []string
	for _, args := range [][]string{
		{"127.0.0.1", "-p", "20-30", "--all", "--banner", "--timeout", "300ms", "--banner-timeout", "300ms"},
		{"localhost", "-p", "22,80"},
		{"::1", "-p", "1-2000", "--timeout", "300ms"},
		{"127.0.0.0/30", "-p", "22-24", "--all", "--timeout", "300ms"},
	} {
		argv := testnet.InNetns(ns, append([]string{testnet.Binary(t), "scan", "--json"}, args...)...)
		res := testnet.Run(t, time.Minute, "", argv[0], argv[1:]...)
		if res.Code == 2 {
			t.Fatalf("scan %v: %s", args, res.Stderr)
		}
		lines = append(lines, strings.Split(strings.TrimSpace(res.Stdout), "\n")...)
	}
	types := map[string]int{}
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not JSON: %q", l)
		}
		types[m["type"].(string)+"/"+fmt.Sprint(m["state"])]++
	}
	for _, want := range []string{"port/open", "port/closed", "port/filtered", "host/<nil>", "summary/<nil>"} {
		if types[want] == 0 {
			t.Errorf("no %s line among %v: the test covers less than it says", want, types)
		}
	}
	if errs := testnet.SchemaErrors(t, "testdata/scan.schema.json", lines); errs != "" {
		t.Errorf("lines that do not match the schema:\n%s", errs)
	}
	for _, broken := range []string{
		`{"type":"port","target":"x","addr":"::1","port":22,"state":"open","reason":"syn-ack","tries":1}`,                     // no rtt_ms
		`{"type":"port","target":"x","addr":"::1","port":22,"state":"ajar","reason":"syn-ack","tries":1,"rtt_ms":1}`,          // bad state
		`{"type":"port","target":"x","addr":"::1","port":"22","state":"open","reason":"syn-ack","tries":1,"rtt_ms":1}`,        // port as a string
		`{"type":"port","target":"x","addr":"::1","port":22,"state":"open","reason":"syn-ack","tries":1,"rtt_ms":1,"ttl":64}`, // unknown field
		`{"type":"summary"}`,
	} {
		if testnet.SchemaErrors(t, "testdata/scan.schema.json", []string{broken}) == "" {
			t.Errorf("the schema accepts a broken line: %s", broken)
		}
	}
}
