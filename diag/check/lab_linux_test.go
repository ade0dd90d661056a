package check_test

import (
	"bufio"
	"encoding/json"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"netdiag/internal/testnet"
)

// lab is the network the scenario tests build, in three namespaces of
// their own, so that nothing they send can leave the machine:
//
//	client  c0 10.77.0.2/24 fd77::2/64
//	        default via 10.77.0.1, default via fd77::1
//	   │ veth
//	router  r0 10.77.0.1/24 fd77::1/64   DNS responder on 10.77.0.1:53
//	        r1 10.78.0.1/24 fd78::1/64   forwarding on
//	   │ veth
//	upstream u0 10.78.0.2/24 fd78::2/64  TCP listener on port 443
//	        default via 10.78.0.1, default via fd78::1
//
// The tests then break one thing at a time and run the netdiag binary in
// the client namespace.
type lab struct {
	client, router, upstream string
	// middle is the far lab's second router (newFarLab); "" in newLab's.
	middle string
	// resolvConf is a resolv.conf naming the router's resolver.
	resolvConf string
	dns        *testnet.DNSServer
	// bin is the netdiag binary to run (testnet.Binary when empty), and
	// prefix what runs it (testnet.AsNobody()).
	bin    string
	prefix []string
}

// The lab's addresses.
const (
	gw4, gw6     = "10.77.0.1", "fd77::1"
	host4, host6 = "10.78.0.2", "fd78::2"
	labName      = "check.test" // the name the responder knows
	upName       = "up.test"    // resolves to the upstream host
)

// labZone is what the lab's DNS responder knows.
var labZone = map[string][]netip.Addr{
	labName: {netip.MustParseAddr(host4), netip.MustParseAddr(host6)},
	upName:  {netip.MustParseAddr(host4)},
}

// newLab builds the lab; withDNS starts the DNS responder on the router.
func newLab(t *testing.T, withDNS bool) *lab {
	t.Helper()
	testnet.RequireTools(t, "ip", "ping")
	l := &lab{client: testnet.Netns(t, "chkc"), router: testnet.Netns(t, "chkr"), upstream: testnet.Netns(t, "chku")}
	for _, ns := range []string{l.client, l.router, l.upstream} {
		testnet.MustRun(t, "ip", "netns", "exec", ns, "sysctl", "-qw",
			"net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0")
	}
	ip := func(ns string, args ...string) { testnet.MustRun(t, "ip", append([]string{"-n", ns}, args...)...) }
	ip(l.client, "link", "add", "c0", "type", "veth", "peer", "name", "r0", "netns", l.router)
	ip(l.router, "link", "add", "r1", "type", "veth", "peer", "name", "u0", "netns", l.upstream)
	for _, a := range []struct{ ns, dev, addr string }{
		{l.client, "c0", "10.77.0.2/24"}, {l.client, "c0", "fd77::2/64"},
		{l.router, "r0", gw4 + "/24"}, {l.router, "r0", gw6 + "/64"},
		{l.router, "r1", "10.78.0.1/24"}, {l.router, "r1", "fd78::1/64"},
		{l.upstream, "u0", host4 + "/24"}, {l.upstream, "u0", host6 + "/64"},
	} {
		ip(a.ns, "addr", "add", a.addr, "dev", a.dev, "nodad")
	}
	ip(l.client, "link", "set", "c0", "up")
	ip(l.router, "link", "set", "r0", "up")
	ip(l.router, "link", "set", "r1", "up")
	ip(l.upstream, "link", "set", "u0", "up")
	testnet.MustRun(t, "ip", "netns", "exec", l.router, "sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1")
	ip(l.client, "route", "add", "default", "via", gw4)
	ip(l.client, "-6", "route", "add", "default", "via", gw6)
	ip(l.upstream, "route", "add", "default", "via", "10.78.0.1")
	ip(l.upstream, "-6", "route", "add", "default", "via", "fd78::1")

	testnet.Serve(t, testnet.ListenInNetns(t, l.upstream, "tcp", ":443"), nil)
	if withDNS {
		l.dns = testnet.ServeDNS(t, testnet.ListenPacketInNetns(t, l.router, "udp", net.JoinHostPort(gw4, "53")), labZone)
	}
	l.resolvConf = writeFile(t, "resolv.conf", "# the lab's resolver\nnameserver "+gw4+"\n")

	// A fresh IPv6 path takes up to a second to settle (neighbour
	// discovery on both links); wait for it, so that the scenarios measure
	// the network they set up and not its start.
	for _, dst := range []string{host4, host6} {
		testnet.WaitUntil(t, 10*time.Second, "the lab answering ping to "+dst, func() (bool, error) {
			argv := testnet.InNetns(l.client, "ping", "-c1", "-W1", dst)
			return testnet.Run(t, 5*time.Second, "", argv[0], argv[1:]...).Code == 0, nil
		})
	}
	return l
}

// in runs a setup command in namespace ns.
func in(t *testing.T, ns string, argv ...string) {
	t.Helper()
	a := testnet.InNetns(ns, argv...)
	testnet.MustRun(t, a[0], a[1:]...)
}

// silenceUpstream makes the upstream host drop everything it receives.
func silenceUpstream(t *testing.T, l *lab) {
	testnet.Nft(t, l.upstream, `table inet f {
		chain in { type filter hook input priority 0; iifname u0 drop; }
	}`)
}

// writeFile writes a file in the test's temporary directory.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// labArgs are the targets every lab run names explicitly: the lab's
// resolver configuration, name and upstream host — never a default — with
// the flags of extra ("--flag value" pairs) in place of the same ones.
func (l *lab) labArgs(extra ...string) []string {
	return testnet.Override([]string{"--resolv-conf", l.resolvConf, "--dns-name", labName, "--host", host4, "--host", host6}, extra...)
}

// checkRun is what one netdiag check --json run printed.
type checkRun struct {
	steps   map[string]jsonStep
	summary jsonSummary
	lines   []string
	code    int
	stderr  string
}

// jsonStep holds the fields every step line has, and the step's raw line.
type jsonStep struct {
	Type    string  `json:"type"`
	Step    string  `json:"step"`
	Status  string  `json:"status"`
	TimeMS  float64 `json:"time_ms"`
	Detail  string  `json:"detail"`
	Problem string  `json:"problem"`
	raw     string
}

type jsonSummary struct {
	Type        string  `json:"type"`
	Status      string  `json:"status"`
	Step        string  `json:"step"`
	Problem     string  `json:"problem"`
	Text        string  `json:"text"`
	ElapsedMS   float64 `json:"elapsed_ms"`
	Interrupted bool    `json:"interrupted"`
}

// check runs netdiag check --json in the client namespace with args.
func (l *lab) check(t *testing.T, args ...string) checkRun {
	t.Helper()
	bin := l.bin
	if bin == "" {
		bin = testnet.Binary(t)
	}
	argv := testnet.InNetns(l.client, append(append(l.prefix, bin, "check", "--json"), args...)...)
	res := testnet.Run(t, 15*time.Second, "", argv[0], argv[1:]...)
	run := checkRun{steps: map[string]jsonStep{}, code: res.Code, stderr: res.Stderr}
	sc := bufio.NewScanner(strings.NewReader(res.Stdout))
	for sc.Scan() {
		run.lines = append(run.lines, sc.Text())
		var s jsonStep
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			t.Fatalf("bad JSON line %q: %v", sc.Text(), err)
		}
		switch s.Type {
		case "step":
			s.raw = sc.Text()
			run.steps[s.Step] = s
		case "summary":
			if err := json.Unmarshal(sc.Bytes(), &run.summary); err != nil {
				t.Fatal(err)
			}
		default:
			t.Fatalf("line of unknown type: %s", sc.Text())
		}
	}
	if len(run.lines) != len(steps)+1 || run.summary.Type != "summary" {
		t.Fatalf("want %d step lines and a summary, got:\n%s\nstderr: %s", len(steps), res.Stdout, res.Stderr)
	}
	for i, step := range steps {
		if !strings.HasPrefix(run.lines[i], `{"type":"step","step":"`+step+`",`) {
			t.Errorf("line %d is not the %s step: %s", i+1, step, run.lines[i])
		}
	}
	if errs := testnet.SchemaErrors(t, checkSchema, run.lines); errs != "" {
		t.Errorf("output does not follow %s:\n%s", checkSchema, errs)
	}
	return run
}

// steps are the check's steps, in order.
var steps = []string{"local", "interfaces", "gateway", "dns", "internet", "mtu"}

// expect checks each step's status and problem: want maps a step to
// "status" or "status/problem". A step not in want must be ok, but for the
// path MTU step, which is skipped when no internet host answers ping
// (the internet step failed or was skipped).
func (r checkRun) expect(t *testing.T, want map[string]string) {
	t.Helper()
	for _, step := range steps {
		s := r.steps[step]
		got := s.Status
		if s.Problem != "" {
			got += "/" + s.Problem
		}
		w, ok := want[step]
		if !ok {
			w = "ok"
			if step == "mtu" && (strings.HasPrefix(want["internet"], "fail") || strings.HasPrefix(want["internet"], "skipped")) {
				w = "skipped"
			}
		}
		if got != w {
			t.Errorf("step %s: %s, want %s\n%s", step, got, w, s.raw)
		}
	}
}

// expectSummary checks the exit code, the diagnosis and the time bound.
func (r checkRun) expectSummary(t *testing.T, code int, text string) {
	t.Helper()
	if r.code != code {
		t.Errorf("exit %d, want %d; stderr: %s", r.code, code, r.stderr)
	}
	if r.summary.Text != text {
		t.Errorf("diagnosis:\n got %q\nwant %q", r.summary.Text, text)
	}
	// The README promises a check under 5 s with the default timeouts (2 s
	// a step, twice that for a --host name that waits for DNS). It is
	// held to that by its own clock: starting the process and entering
	// the namespace, which a loaded machine slows most, are not counted.
	if r.summary.ElapsedMS > 5000 {
		t.Errorf("the check took %v ms, more than 5 s", r.summary.ElapsedMS)
	}
}
