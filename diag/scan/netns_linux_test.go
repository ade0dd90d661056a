package scan_test

import (
	"bufio"
	"encoding/json"
	"io"
	"maps"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"netdiag/diag/netaddr"
	"netdiag/internal/testnet"
)

// jsonScan is what a netdiag scan --json run printed.
type jsonScan struct {
	states  map[string]map[netaddr.Port]string // addr → port → state (port lines)
	reasons map[string]map[netaddr.Port]string
	tries   map[string]map[netaddr.Port]int
	summary struct {
		Counts struct {
			Open, Closed, Filtered, Error uint64
		} `json:"counts"`
		Probes      uint64  `json:"probes"`
		Retries     uint64  `json:"retries"`
		Backoffs    int     `json:"backoffs"`
		RateCap     float64 `json:"rate_cap"`
		LossFloor   float64 `json:"loss_floor"`
		CutsUndone  int     `json:"cuts_undone"`
		Late        uint64  `json:"late_answers"`
		MinWindow   int     `json:"min_window"`
		Concurrency int     `json:"concurrency"`
		FDLimit     uint64  `json:"fd_limit"`
		ElapsedMS   float64 `json:"elapsed_ms"`
		Interrupted bool    `json:"interrupted"`
	}
	hosts int
	code  int
}

// parseJSONScan reads netdiag scan --json output, checking every line's
// shape.
func parseJSONScan(t *testing.T, out string) jsonScan {
	t.Helper()
	js := jsonScan{states: map[string]map[netaddr.Port]string{}, reasons: map[string]map[netaddr.Port]string{}, tries: map[string]map[netaddr.Port]int{}}
	sc := bufio.NewScanner(strings.NewReader(out))
	summaries := 0
	for sc.Scan() {
		var line struct {
			Type   string `json:"type"`
			Addr   string `json:"addr"`
			Port   int    `json:"port"`
			State  string `json:"state"`
			Reason string `json:"reason"`
			Tries  int    `json:"tries"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("bad JSON line %q: %v", sc.Text(), err)
		}
		switch line.Type {
		case "port":
			if js.states[line.Addr] == nil {
				js.states[line.Addr] = map[netaddr.Port]string{}
				js.reasons[line.Addr] = map[netaddr.Port]string{}
				js.tries[line.Addr] = map[netaddr.Port]int{}
			}
			p := netaddr.Port(line.Port)
			if _, dup := js.states[line.Addr][p]; dup {
				t.Errorf("port %s %d reported twice", line.Addr, p)
			}
			js.states[line.Addr][p], js.reasons[line.Addr][p], js.tries[line.Addr][p] = line.State, line.Reason, line.Tries
		case "host":
			js.hosts++
		case "summary":
			summaries++
			if err := json.Unmarshal(sc.Bytes(), &js.summary); err != nil {
				t.Fatalf("bad summary %q: %v", sc.Text(), err)
			}
		default:
			t.Errorf("unknown line type in %q", sc.Text())
		}
	}
	if summaries != 1 {
		t.Fatalf("%d summary lines in:\n%s", summaries, out)
	}
	return js
}

// scanIn runs netdiag scan --json in namespace ns.
func scanIn(t *testing.T, ns string, timeout time.Duration, args ...string) (jsonScan, testnet.Result) {
	t.Helper()
	argv := testnet.InNetns(ns, append([]string{testnet.Binary(t), "scan", "--json"}, args...)...)
	res := testnet.Run(t, timeout, "", argv[0], argv[1:]...)
	if res.Code == 2 {
		t.Fatalf("%s: exit 2\n%s", strings.Join(argv, " "), res.Stderr)
	}
	js := parseJSONScan(t, res.Stdout)
	js.code = res.Code
	return js, res
}

// listenInNetns is a listen function for listenOn that opens the listener
// inside ns.
func listenInNetns(t *testing.T, ns string) func(network, address string) (net.Listener, error) {
	return func(network, address string) (net.Listener, error) {
		return testnet.ListenInNetns(t, ns, network, address), nil
	}
}

// TestNmapOracleAllPorts is the oracle test: listeners on random
// ports of 127.0.0.1 and ::1 in a namespace of its own (so nothing else
// listens there), all 65,535 ports scanned by netdiag and by nmap -sT; both
// must find exactly the listeners' ports open and everything else closed.
func TestNmapOracleAllPorts(t *testing.T) {
	testnet.RequireTools(t, "nmap")
	ns := testnet.Netns(t, "scan")
	all := netaddr.PortRange{First: 1, Last: netaddr.MaxPort}
	for _, loop := range []string{"127.0.0.1", "::1"} {
		want := listenOn(t, netip.MustParseAddr(loop), all, 20, "", listenInNetns(t, ns))
		js, _ := scanIn(t, ns, time.Minute, loop, "-p", "-")
		if got := portsIn(js.states[loop], "open"); !slices.Equal(got, want) || js.code != 0 {
			t.Errorf("%s: netdiag found open %v (exit %d), listeners are on %v", loop, got, js.code, want)
		}
		if c := js.summary.Counts; c.Open != uint64(len(want)) || c.Closed != uint64(65535-len(want)) || c.Filtered+c.Error != 0 {
			t.Errorf("%s: netdiag counts %+v", loop, c)
		}
		// nmap is the oracle for states only: give it retries so a busy
		// machine cannot make it miss an answer (it read a closed port as
		// filtered once under a loaded CI run).
		nmap := nmapStates(t, testnet.InNetns(ns, "nmap", "-sT", "-n", "-Pn", "-p-", "-T5", loop6(loop), "-oX", "-", loop)...)
		if got := portsIn(nmap, "open"); !slices.Equal(got, want) {
			t.Errorf("%s: nmap -sT found open %v, listeners are on %v", loop, got, want)
		}
		if n := len(portsIn(nmap, "closed")); n != 65535-len(want) {
			t.Errorf("%s: nmap found %d closed, want %d", loop, n, 65535-len(want))
		}
	}
}

// filterRules drops or rejects connections to ports 1001-1007 the ways a
// firewall can; 1007 also has a listener behind its DROP rule.
const filterRules = `
table inet scantest {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport { 1001, 1007 } tcp flags syn drop
		tcp dport 1002 reject with tcp reset
		tcp dport 1003 reject with icmpx type host-unreachable
		tcp dport 1004 reject with icmpx type admin-prohibited
		tcp dport 1005 reject with icmpx type port-unreachable
		tcp dport 1006 reject with icmpx type no-route
	}
}
`

// TestFilteredAndRejected checks each firewall answer's state and reason
// against nmap -sT in a namespace: DROP is filtered (no-response) after
// exactly two attempts, the last of --timeout, a TCP reset and ICMP port
// unreachable are closed (connect() cannot tell them apart), ICMP host
// unreachable, admin prohibited and no route are filtered.
//
// The timeout is over a second because of how Linux handles an ICMPv6
// error for a SYN sent over loopback: it comes back while connect() still
// holds the socket, so the kernel only notes it as a soft error and acts on
// the answer to its SYN retransmission, one second later (IPv4 acts at
// once). Any scanner waiting less reads those ports as filtered; nmap is
// told to wait as long.
func TestFilteredAndRejected(t *testing.T) {
	testnet.RequireTools(t, "nft", "nmap")
	ns := testnet.Netns(t, "scan")
	testnet.Nft(t, ns, filterRules)
	want := map[string]map[netaddr.Port][2]string{
		"127.0.0.1": {
			1000: {"closed", "conn-refused"}, 1001: {"filtered", "no-response"}, 1002: {"closed", "conn-refused"},
			1003: {"filtered", "host-unreach"}, 1004: {"filtered", "host-unreach"}, 1005: {"closed", "conn-refused"},
			1006: {"filtered", "net-unreach"}, 1007: {"filtered", "no-response"}, 1008: {"open", "syn-ack"},
		},
		"::1": {
			1000: {"closed", "conn-refused"}, 1001: {"filtered", "no-response"}, 1002: {"closed", "conn-refused"},
			1003: {"filtered", "host-unreach"}, 1004: {"filtered", "admin-prohibited"}, 1005: {"closed", "conn-refused"},
			1006: {"filtered", "net-unreach"}, 1007: {"filtered", "no-response"}, 1008: {"open", "syn-ack"},
		},
	}
	const timeout = 1500 * time.Millisecond
	for loop, ports := range want {
		for _, p := range []string{"1007", "1008"} {
			serve(t, testnet.ListenInNetns(t, ns, "tcp", net.JoinHostPort(loop, p)), "")
		}
		start := time.Now()
		js, _ := scanIn(t, ns, 30*time.Second, loop, "-p", "1000-1008", "--all", "--timeout", timeout.String())
		elapsed := time.Since(start)
		// nmap is the oracle for states only: give it retries so a busy
		// machine cannot make it miss an answer (it read a closed port as
		// filtered once under a loaded CI run).
		nmap := nmapStates(t, testnet.InNetns(ns, "nmap", "-sT", "-n", "-Pn", "-p", "1000-1008", "--max-retries", "3", "--min-rtt-timeout", timeout.String(), loop6(loop), "-oX", "-", loop)...)
		for p, w := range ports {
			if got := [2]string{js.states[loop][p], js.reasons[loop][p]}; got != w {
				t.Errorf("%s port %d: netdiag says %s (%s), want %s (%s)", loop, p, got[0], got[1], w[0], w[1])
			}
			if nmap[p] != w[0] {
				t.Errorf("%s port %d: nmap -sT says %s, want %s", loop, p, nmap[p], w[0])
			}
			if w[1] == "no-response" && js.tries[loop][p] != 2 {
				t.Errorf("%s port %d: filtered after %d attempts, want 2 (no retry was ever answered)", loop, p, js.tries[loop][p])
			}
		}
		// The dropped ports' last attempt waited the whole timeout (the
		// first waits only a few round trips; the tries are checked above).
		if elapsed < timeout {
			t.Errorf("%s: scan took %v, want at least the %v timeout", loop, elapsed, timeout)
		}
		if js.code != 0 {
			t.Errorf("%s: exit %d with an open port", loop, js.code)
		}
	}
}

// TestRateLimitedNoFalseFiltered puts a firewall that drops SYNs above 300
// per second in front of 1,500 ports. Without retries that turns many
// closed ports into "filtered" (which shows the limit bites); with the
// default retries the scan must back off and read every port right.
func TestRateLimitedNoFalseFiltered(t *testing.T) {
	testnet.RequireTools(t, "nft")
	ns := testnet.Netns(t, "scan")
	rules := `
table inet scanlimit {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 20000-21499 tcp flags syn limit rate over 300/second burst 30 packets drop
	}
}
`
	testnet.Nft(t, ns, rules)
	r := netaddr.PortRange{First: 20000, Last: 21499}
	want := listenOn(t, netip.MustParseAddr("127.0.0.1"), r, 5, "", listenInNetns(t, ns))

	blind, _ := scanIn(t, ns, time.Minute, "127.0.0.1", "-p", r.String(), "--retries", "0", "--timeout", "250ms")
	if blind.summary.Counts.Filtered == 0 {
		t.Fatalf("with --retries 0 no port read filtered: the rate limit did not drop anything, so this test proves nothing")
	}
	js, _ := scanIn(t, ns, 2*time.Minute, "127.0.0.1", "-p", r.String(), "--timeout", "250ms")
	c := js.summary.Counts
	if c.Filtered != 0 || c.Open != uint64(len(want)) || c.Closed != uint64(r.Len()-len(want)) {
		t.Errorf("counts %+v under a rate limit, want %d open, %d closed, 0 filtered (without retries: %d filtered)", c, len(want), r.Len()-len(want), blind.summary.Counts.Filtered)
	}
	if got := portsIn(js.states["127.0.0.1"], "open"); !slices.Equal(got, want) {
		t.Errorf("open %v, want %v", got, want)
	}
	if js.summary.Backoffs == 0 || js.summary.RateCap == 0 {
		t.Errorf("the scan never slowed down (backoffs %d, rate cap %v)", js.summary.Backoffs, js.summary.RateCap)
	}
	t.Logf("without retries: %d filtered; adaptive: %d probes, %d retries, %d backoffs, window down to %d, rate cap %.0f/s, %.1f s",
		blind.summary.Counts.Filtered, js.summary.Probes, js.summary.Retries, js.summary.Backoffs, js.summary.MinWindow, js.summary.RateCap, js.summary.ElapsedMS/1000)
}

// lossyRules is the bad link of issue 15: 10% of SYNs to ports 1-10000
// dropped at random, and new connections above 5,000/s dropped.
const lossyRules = `
table inet lossy {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 1-10000 tcp flags & (syn|ack) == syn numgen random mod 10 == 0 drop
		tcp dport 1-10000 tcp flags & (syn|ack) == syn limit rate over 5000/second drop
	}
}
`

// TestLossyPath scans ports 1-10,000 with 20 listeners behind a path that
// drops a tenth of the SYNs at random and rate-limits the rest: every run
// of ten must find all 20 open and the rest closed (no port read filtered),
// and say how many probes were retried and what rate it settled at. The
// random loss must be read as the path's (a loss floor), not as a reason to
// crawl. (How long it takes is bench/scan.sh's business.)
func TestLossyPath(t *testing.T) {
	testnet.RequireTools(t, "nft")
	ns := testnet.Netns(t, "scan")
	testnet.Nft(t, ns, lossyRules)
	r := netaddr.PortRange{First: 1, Last: 10000}
	want := listenOn(t, netip.MustParseAddr("127.0.0.1"), r, 20, "", listenInNetns(t, ns))
	for run := range 10 {
		js, _ := scanIn(t, ns, 2*time.Minute, "127.0.0.1", "-p", r.String())
		c := js.summary.Counts
		if got := portsIn(js.states["127.0.0.1"], "open"); !slices.Equal(got, want) || c.Closed != uint64(r.Len()-len(want)) || c.Filtered != 0 || js.code != 0 {
			t.Errorf("run %d: open %v (want %v), counts %+v, exit %d", run, got, want, c, js.code)
		}
		if js.summary.Retries == 0 || js.summary.LossFloor < 0.03 {
			t.Errorf("run %d: %d retries, loss floor %v: the random loss was not seen", run, js.summary.Retries, js.summary.LossFloor)
		}
		t.Logf("run %d: %.1f s, %d probes, %d retries, %d backoffs (%d undone), rate %.0f/s, loss floor %.2f",
			run, js.summary.ElapsedMS/1000, js.summary.Probes, js.summary.Retries, js.summary.Backoffs, js.summary.CutsUndone, js.summary.RateCap, js.summary.LossFloor)
	}
}

// TestLinkLocalZone scans an IPv6 link-local address with its zone
// (fe80::…%iface), which needs the interface index in the socket address.
func TestLinkLocalZone(t *testing.T) {
	ns := testnet.Netns(t, "scan")
	for _, args := range [][]string{
		{"link", "add", "sv0", "type", "veth", "peer", "name", "sv1"},
		{"link", "set", "sv0", "up"},
		{"link", "set", "sv1", "up"},
		{"addr", "add", "fe80::5c:1/64", "dev", "sv0", "nodad"},
	} {
		testnet.MustRun(t, "ip", append([]string{"-n", ns}, args...)...)
	}
	serve(t, testnet.ListenInNetns(t, ns, "tcp6", "[fe80::5c:1%sv0]:7000"), "")
	js, res := scanIn(t, ns, 30*time.Second, "fe80::5c:1%sv0", "-p", "6999-7001", "--all")
	want := map[netaddr.Port]string{6999: "closed", 7000: "open", 7001: "closed"}
	if got := js.states["fe80::5c:1%sv0"]; !maps.Equal(got, want) || js.code != 0 {
		t.Errorf("exit %d, states %v, want %v\n%s", js.code, got, want, res.Stdout)
	}
}

// TestCLIInterrupt sends SIGINT (Ctrl-C) to a scan that would take minutes:
// it must stop at once, print the open port it found and say it was
// interrupted, and exit 0 because a port is open.
func TestCLIInterrupt(t *testing.T) {
	testnet.RequireTools(t, "nft")
	ns := testnet.Netns(t, "scan")
	rules := "table inet i {\n chain input {\n type filter hook input priority 0;\n tcp dport 3000-3999 tcp flags syn drop\n }\n}\n"
	testnet.Nft(t, ns, rules)
	// The open port's probe is over once the scanner drops the connection:
	// its state is then recorded whatever the signal does, so the signal
	// waits for that instead of for a time.
	ln := testnet.ListenInNetns(t, ns, "tcp", "127.0.0.1:2999")
	probed := make(chan struct{})
	go func() {
		defer close(probed)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		_, _ = io.Copy(io.Discard, c) // until the scanner closes it
	}()
	t.Cleanup(func() { ln.Close(); <-probed })
	// With a ten-minute timeout, a scan that waited for its probes in
	// flight instead of stopping would pass the one-minute limit below.
	argv := testnet.InNetns(ns, testnet.Binary(t), "scan", "127.0.0.1", "-p", "2999-3999", "--timeout", "10m", "--concurrency", "20")
	c := exec.Command(argv[0], argv[1:]...) // ip netns exec execs netdiag: same process
	var stdout, stderr strings.Builder
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	select {
	case <-probed:
	case <-done:
		t.Fatalf("the scan ended before it was interrupted\n%s%s", stdout.String(), stderr.String())
	case <-time.After(time.Minute):
		_ = c.Process.Kill()
		<-done
		t.Fatalf("port 2999 was never probed\n%s", stderr.String())
	}
	if err := c.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(time.Minute):
		_ = c.Process.Kill()
		<-done
		t.Fatalf("still running a minute after SIGINT\n%s", stdout.String())
	}
	out := stdout.String()
	if c.ProcessState.ExitCode() != 0 || !strings.Contains(out, "2999/tcp  open") || !strings.Contains(out, "(interrupted: incomplete)") ||
		!regexp.MustCompile(`Interrupted: \d+ of 1,001 ports have their answer`).MatchString(out) {
		t.Errorf("exit %d, stdout:\n%s\nstderr:\n%s", c.ProcessState.ExitCode(), out, stderr.String())
	}
}
