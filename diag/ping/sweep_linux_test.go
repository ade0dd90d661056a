package ping_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"netdiag/internal/testnet"
)

// sweepNetns returns a namespace where 10.66.0.1, .3 and fd66::1 answer
// (addresses on loopback) and the rest of 10.66.0.0/29 and fd66::/125 is
// routed to a veth whose far end holds nothing: no answers there.
func sweepNetns(t *testing.T) string {
	t.Helper()
	ns, p := testnet.Netns(t, "ping"), testnet.Netns(t, "ping")
	testnet.MustRun(t, "ip", "link", "add", "s0", "netns", ns, "type", "veth", "peer", "name", "p0", "netns", p)
	in(t, p, "ip", "link", "set", "p0", "up")
	in(t, ns, "ip", "link", "set", "s0", "up")
	for _, a := range []string{"10.66.0.1/32", "10.66.0.3/32", "fd66::1/128"} {
		in(t, ns, "ip", "addr", "add", a, "dev", "lo")
	}
	in(t, ns, "ip", "route", "add", "10.66.0.0/29", "dev", "s0")
	in(t, ns, "ip", "-6", "route", "add", "fd66::/125", "dev", "s0")
	return ns
}

// aliveLines returns the addresses of "X is alive" lines, sorted.
func aliveLines(out string) []string {
	var alive []string
	for _, m := range regexp.MustCompile(`(?m)^(\S+) is alive`).FindAllStringSubmatch(out, -1) {
		alive = append(alive, m[1])
	}
	slices.Sort(alive)
	return alive
}

// TestSweepVsFping sweeps loopback and a namespace's partly answering
// prefix with netdiag and fping side by side: the same hosts are alive,
// the same exit codes (0 all answered, 1 some did not), and -a / -u list
// exactly the answering and silent addresses.
func TestSweepVsFping(t *testing.T) {
	testnet.RequireTools(t, "fping")
	// Where every host answers, a long --timeout costs nothing and keeps a
	// reply the loaded machine reads late from counting as lost.
	nd := netdiag(t, "", time.Minute, "-W", "10", "-g", "127.0.0.0/28")
	fp := runIn(t, "", 20*time.Second, "fping", "-g", "127.0.0.0/28")
	ndAlive, fpAlive := aliveLines(nd.Stdout), aliveLines(fp.Stdout)
	if nd.Code != 0 || fp.Code != 0 || len(ndAlive) != 14 || !slices.Equal(ndAlive, fpAlive) ||
		!strings.Contains(nd.Stdout, "14 hosts, 14 alive, 0 unreachable\n14 packets transmitted, 14 received, 0% packet loss") {
		t.Errorf("127.0.0.0/28: netdiag %s\nfping %s", describe(nd), describe(fp))
	}

	ns := sweepNetns(t)
	for _, target := range []string{"10.66.0.0/29", "fd66::1-fd66::6"} {
		args := []string{"-g", target}
		if !strings.Contains(target, "/") {
			lo, hi, _ := strings.Cut(target, "-")
			args = []string{"-g", lo, hi}
		}
		nd := netdiag(t, ns, time.Minute, append([]string{"--timeout", "1", "-r", "0"}, args...)...)
		fpArgs := args // fping -g takes IPv4 only: give it the IPv6 addresses one by one
		if !strings.Contains(target, "/") {
			fpArgs = []string{"fd66::1", "fd66::2", "fd66::3", "fd66::4", "fd66::5", "fd66::6"}
		}
		fp := runIn(t, ns, time.Minute, append([]string{"fping", "-t", "1000", "-r", "0"}, fpArgs...)...)
		ndAlive, fpAlive := aliveLines(nd.Stdout), aliveLines(fp.Stdout)
		unreach := regexp.MustCompile(`(?m)^\S+ is unreachable`).FindAllString(nd.Stdout, -1)
		if nd.Code != 1 || fp.Code != 1 || len(ndAlive) == 0 || !slices.Equal(ndAlive, fpAlive) || len(ndAlive)+len(unreach) != 6 {
			t.Errorf("%s: netdiag %s\nfping %s", target, describe(nd), describe(fp))
		}
		for flag, wantLines := range map[string][]string{"-a": fpAlive, "-u": nil} {
			res := netdiag(t, ns, time.Minute, append([]string{flag, "--timeout", "1", "-r", "0"}, args...)...)
			got := strings.Fields(res.Stdout)
			slices.Sort(got)
			if flag == "-u" {
				fpu := runIn(t, ns, time.Minute, append([]string{"fping", "-u", "-t", "1000", "-r", "0"}, fpArgs...)...)
				wantLines = strings.Fields(fpu.Stdout)
				slices.Sort(wantLines)
			}
			if res.Code != 1 || !slices.Equal(got, wantLines) {
				t.Errorf("%s %s: got %q, want %q (as fping)\n%s", flag, target, got, wantLines, describe(res))
			}
		}
	}
}

// TestSweepCountsAndQuiet checks -c in a sweep (a line per reply and
// per-host statistics, as fping -c), -q (statistics only) and the JSON
// summary of a sweep with an unresolvable name among the targets.
func TestSweepCountsAndQuiet(t *testing.T) {
	res := netdiag(t, "", time.Minute, "-c", "3", "-i", "0.02", "-W", "10", "127.0.0.1", "127.0.0.2", "::1")
	perHost := regexp.MustCompile(`(?m)^(127\.0\.0\.1|127\.0\.0\.2|::1) : xmt/rcv/%loss = 3/3/0%, min/avg/max = [\d.]+/[\d.]+/[\d.]+$`)
	reply := regexp.MustCompile(`(?m)^(127\.0\.0\.[12]|::1) : \[([012])\], 64 bytes, [\d.]+ ms \([\d.]+ avg, 0% loss\)$`)
	if res.Code != 0 || len(perHost.FindAllString(res.Stdout, -1)) != 3 || len(reply.FindAllString(res.Stdout, -1)) != 9 ||
		!strings.Contains(res.Stdout, "--- 127.0.0.1, 127.0.0.2, ::1 ping statistics ---\n3 hosts, 3 alive, 0 unreachable\n9 packets transmitted, 9 received, 0% packet loss") {
		t.Errorf("-c 3 sweep: %s", describe(res))
	}
	// Probes are numbered as fping -c numbers them, from [0].
	fp := runIn(t, "", 20*time.Second, "fping", "-c", "3", "-p", "20", "127.0.0.1")
	seqs := func(out string) (s []string) {
		for _, m := range reply.FindAllStringSubmatch(out, -1) {
			if m[1] == "127.0.0.1" {
				s = append(s, m[2])
			}
		}
		return s
	}
	if nd, f := seqs(res.Stdout), seqs(fp.Stdout); !slices.Equal(nd, []string{"0", "1", "2"}) || !slices.Equal(nd, f) {
		t.Errorf("probe numbers: netdiag %q, fping %q, want [0] [1] [2] from both\nfping %s", nd, f, describe(fp))
	}
	q := netdiag(t, "", time.Minute, "-q", "-c", "2", "-i", "0.02", "-W", "10", "127.0.0.1", "127.0.0.2")
	if q.Code != 0 || reply.MatchString(q.Stdout) || len(perHost.FindAllString(strings.ReplaceAll(q.Stdout, "2/2/0%", "3/3/0%"), -1)) != 2 {
		t.Errorf("-q -c 2 sweep: %s", describe(q))
	}

	ns := testnet.Netns(t, "ping") // no DNS there: the name fails at once
	dir := t.TempDir()
	file := filepath.Join(dir, "targets")
	os.WriteFile(file, []byte("# hosts to check\n127.0.0.1\n\n127.0.0.0/30  # a prefix\nno-such-host.invalid\n"), 0o644)
	j := netdiag(t, ns, time.Minute, "--json", "-W", "10", "-f", file)
	lines := strings.Split(strings.TrimSpace(j.Stdout), "\n")
	var sum struct {
		Type                     string
		Hosts, Alive, Unresolved int
		Transmitted, Received    int
		LossPercent              float64 `json:"loss_percent"`
	}
	json.Unmarshal([]byte(lines[len(lines)-1]), &sum)
	if j.Code != 2 || sum.Type != "summary" || sum.Hosts != 4 || sum.Alive != 3 || sum.Unresolved != 1 || sum.Transmitted != 3 || sum.Received != 3 {
		t.Errorf("-f with a name that does not resolve: want exit 2 and 3 of 3 alive: %+v\n%s", sum, describe(j))
	}
}

// TestSweepRate checks that --rate spaces requests (14 at 50/s take at
// least 13/50 s: a loaded machine only makes it longer) and that the /22
// of the benchmark is answered in full.
func TestSweepRate(t *testing.T) {
	start := time.Now()
	res := netdiag(t, "", time.Minute, "-q", "--rate", "50", "-W", "10", "-g", "127.0.0.0/28")
	if el := time.Since(start); res.Code != 0 || el < 260*time.Millisecond {
		t.Errorf("--rate 50 over 14 hosts took %v (want at least 260ms): %s", el, describe(res))
	}
	res = netdiag(t, "", time.Minute, "-q", "--rate", "0", "-W", "10", "-g", "127.0.0.0/22")
	if res.Code != 0 || !strings.Contains(res.Stdout, "1022 hosts, 1022 alive, 0 unreachable\n1022 packets transmitted, 1022 received, 0% packet loss") {
		t.Errorf("/22 sweep: %s", describe(res))
	}
}

// TestSweepRetries checks fping's retries: a host that does not answer
// gets -r more probes, each waiting 1.5 times longer; one that answers
// gets one; with -c there are none.
func TestSweepRetries(t *testing.T) {
	ns := sweepNetns(t)
	count := func(args ...string) map[string]int {
		res := netdiag(t, ns, time.Minute, append([]string{"--json"}, args...)...)
		sent := map[string]int{}
		for _, l := range strings.Split(strings.TrimSpace(res.Stdout), "\n") {
			var h struct {
				Type, Addr  string
				Transmitted int
			}
			if json.Unmarshal([]byte(l), &h) == nil && h.Type == "host" {
				sent[h.Addr] = h.Transmitted
			}
		}
		if res.Code != 1 || len(sent) != 6 {
			t.Fatalf("%v: %s", args, describe(res))
		}
		return sent
	}
	// The answering hosts must answer within --timeout, or they are
	// retried too: 1 s, however loaded the machine.
	start := time.Now()
	sent := count("-g", "10.66.0.0/29", "--timeout", "1", "-r", "2")
	// The silent hosts' third probe goes out only after the first two
	// timed out, 1 + 1.5 s (a loaded machine only makes it later); the
	// kernel's failed address resolution (about 3 s) may then settle it
	// with "Destination Host Unreachable" before its own 2.25 s pass.
	// TestSchedulerRetries has the exact times.
	if el := time.Since(start); el < 2500*time.Millisecond {
		t.Errorf("-r 2 --timeout 1 took %v, want at least 2.5 s", el)
	}
	for addr, n := range sent {
		want := 3
		if addr == "10.66.0.1" || addr == "10.66.0.3" {
			want = 1
		}
		if n != want {
			t.Errorf("-r 2: %s got %d probes, want %d", addr, n, want)
		}
	}
	for addr, n := range count("-g", "10.66.0.0/29", "--timeout", "0.1", "-c", "1") {
		if n != 1 {
			t.Errorf("-c 1: %s got %d probes, want 1 (no retries with -c, as fping)", addr, n)
		}
	}
}
