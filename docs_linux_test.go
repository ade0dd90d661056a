package main

import (
	"bufio"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/urfave/cli/v2"

	"netdiag/internal/testnet"
)

// docFiles are the Markdown files whose examples and links are checked.
func docFiles(t *testing.T) []string {
	t.Helper()
	files := []string{"README.md"}
	for _, pattern := range []string{"README.*.md", "CONTRIBUTING.md", "docs/*.md", "bench/README.md"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	return files
}

// example is one "$ command" of a console block and the output it shows.
type example struct {
	file    string
	line    int
	command string
	output  string
	fuzzy   bool   // "console fuzzy": numbers may differ (times, counters, ports)
	lab     string // "console lab=ifaces": the lab namespace it runs in ("" is docs)
}

// examples returns the examples of a Markdown file: every fenced block whose
// info string is "console" (or "console fuzzy") holds commands, each on a
// line starting with "$ ", followed by their output. A "lab=NAME" word in
// the info string runs the block in another namespace of the lab.
func examples(file, text string) []example {
	var out []example
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		info, ok := strings.CutPrefix(lines[i], "```")
		if !ok || !strings.HasPrefix(info, "console") {
			continue
		}
		fuzzy := strings.Contains(info, "fuzzy")
		var lab string
		for _, w := range strings.Fields(info) {
			if name, ok := strings.CutPrefix(w, "lab="); ok {
				lab = name
			}
		}
		var cur *example
		for i++; i < len(lines) && lines[i] != "```"; i++ {
			if cmd, ok := strings.CutPrefix(lines[i], "$ "); ok {
				out = append(out, example{file: file, line: i + 1, command: cmd, fuzzy: fuzzy, lab: lab})
				cur = &out[len(out)-1]
				continue
			}
			if cur != nil {
				cur.output += lines[i] + "\n"
			}
		}
	}
	return out
}

// number matches what changes from run to run in fuzzy examples: numbers,
// with their decimals and units of time, size or rate (a counter of 999 B
// may be 1.0 KiB by the next run, 900 kbit/s 1.02 Mbit/s).
var number = regexp.MustCompile(`[0-9][0-9.,:]*(µs|us|ms|s\b| ?(B|KiB|MiB|GiB|TiB)\b| [kMG]?bit/s)?`)

// lateNote matches scan's note on answers that came after their attempt
// stopped waiting: on a busy machine any scan across the lab's links may
// print it, so fuzzy examples are compared without it.
var lateNote = regexp.MustCompile(`^[0-9,]+ answers? came after the attempt had stopped waiting`)

// canon prepares output for comparison: trailing blanks go, and in fuzzy
// mode every number is one placeholder and scan's late-answers note goes.
func canon(s string, fuzzy bool) string {
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		l = strings.TrimRight(l, " ")
		if fuzzy && lateNote.MatchString(l) {
			continue
		}
		if fuzzy {
			l = number.ReplaceAllString(l, "N")
			l = strings.Join(strings.Fields(l), " ")
		}
		lines = append(lines, l)
	}
	return strings.Join(lines, "\n")
}

// docLab prepares the namespaces the examples run in, so that every example
// sends traffic only inside them:
//
//	docs     lo; eth0 10.77.0.2/24 fd77::2/64 (a fixed MAC), default via
//	         10.77.0.1, fd78::/64 and fd91::/16 via fd77::1
//	  │ veth
//	lan      the router: 10.77.0.1/24 fd77::1/64, forwarding
//	  ├── srv  10.78.0.2/24 fd78::2/64 (lan has .1, ::1), and 10.78.0.11-13
//	  │        with their echo replies dropped, half dropped, and sent twice;
//	  │        listeners on 21, 22, 25 (with greetings), 80, 443, 5432, 8080
//	  │        and 41234; SYNs to 23 and 3389 dropped, and to 445 rejected
//	  │        with ICMPv6 admin-prohibited, over IPv4 dropped (the ICMP
//	  │        error that would end its first attempt comes while the SYN
//	  │        is sent, a soft error: whether the scan sees it late is
//	  │        timing); the textbook's Python server on 9091, a DNS
//	  │        responder on 53. 10.78.0.3-.10 do not exist (lan's ARP
//	  │        fails: Destination Host Unreachable)
//	  └── r2 ── r3 ── r4 ── dst   a testnet.Chain on 10.91 from lan: hops 1-5
//	           are 10.77.0.1, 10.91.0.2, 10.91.1.2, 10.91.2.2 and dst
//	           10.91.3.2; r2 answers three time-exceeded a minute, r3 none,
//	           the last link's MTU is 1400, and dst drops everything sent
//	           to its second address 10.91.3.3
//
// The docs namespace's /etc/hosts names localhost, srv.test and dst.test,
// and its /etc/resolv.conf names srv's DNS responder (10.78.0.2), which
// knows check.test (10.78.0.2, fd78::2) and nothing else.
// Inside docs run a GBK tcp server on 127.0.0.1:9090, a udp echo server on
// 127.0.0.1:9999 and an exporter on 127.0.0.1:9374 probing 10.77.0.1 and
// 127.0.0.1:9090; on srv the
// textbook's threaded Python server (docs/textbook/server.py) listens on
// 9091. It returns the docs namespace and a working directory holding a
// resolv.conf naming 10.77.0.1, where no DNS server runs, and the
// textbook's client.py.
func docLab(t *testing.T, bin string) (ns, dir string) {
	ns = testnet.Netns(t, "docs")
	lan := testnet.Netns(t, "doclan")
	veth := fmt.Sprintf("nddoc%d", os.Getpid()%1000000)
	for _, argv := range [][]string{
		{"ip", "link", "add", veth, "netns", ns, "type", "veth", "peer", "name", "eth0", "netns", lan},
		{"ip", "-n", ns, "link", "set", veth, "name", "eth0", "address", "02:00:5e:77:00:02", "addrgenmode", "none"},
		{"ip", "-n", lan, "link", "set", "eth0", "address", "02:00:5e:77:00:01", "addrgenmode", "none"},
		{"ip", "-n", ns, "addr", "add", "10.77.0.2/24", "dev", "eth0"},
		{"ip", "-n", ns, "addr", "add", "fd77::2/64", "dev", "eth0", "nodad"},
		{"ip", "-n", lan, "addr", "add", "10.77.0.1/24", "dev", "eth0"},
		{"ip", "-n", lan, "addr", "add", "fd77::1/64", "dev", "eth0", "nodad"},
		{"ip", "-n", ns, "link", "set", "eth0", "up"},
		{"ip", "-n", lan, "link", "set", "eth0", "up"},
		// Without link-local addresses the router's IPv6 neighbour entry
		// for docs can fail after it goes stale: make it permanent.
		{"ip", "-n", lan, "-6", "neigh", "replace", "fd77::2", "lladdr", "02:00:5e:77:00:02", "dev", "eth0", "nud", "permanent"},
		{"ip", "-n", ns, "route", "add", "default", "via", "10.77.0.1"},
		{"ip", "-n", ns, "-6", "route", "add", "fd78::/64", "via", "fd77::1"},
		{"ip", "-n", ns, "-6", "route", "add", "fd91::/16", "via", "fd77::1"},
	} {
		testnet.MustRun(t, argv[0], argv[1:]...)
	}
	docRouters(t, lan)
	srv := docServer(t, lan)
	testnet.NetnsEtc(t, ns, map[string]string{
		"hosts":       "127.0.0.1 localhost\n::1 ip6-localhost ip6-loopback\n10.78.0.2 srv.test\nfd78::2 srv.test\n10.91.3.2 dst.test\n",
		"resolv.conf": "nameserver 10.78.0.2\n",
	})
	// A fresh path takes a moment to settle (neighbour discovery on every
	// link): wait for it, so that the examples see the lab they describe.
	for _, d := range []string{"10.78.0.2", "fd78::2", "10.91.3.2", "fd91:3::2"} {
		testnet.WaitUntil(t, 20*time.Second, "the docs lab answering ping to "+d, func() (bool, error) {
			argv := testnet.InNetns(ns, "ping", "-c1", "-W1", d)
			return testnet.Run(t, 5*time.Second, "", argv[0], argv[1:]...).Code == 0, nil
		})
	}
	dir = t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "resolv.conf"), []byte("nameserver 10.77.0.1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	textbook, err := filepath.Abs("docs/textbook")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(textbook, "client.py"), filepath.Join(dir, "client.py")); err != nil {
		t.Fatal(err)
	}
	for _, daemon := range []struct {
		ns, addr string
		argv     []string
	}{
		{ns, "127.0.0.1:9090", []string{bin, "tcp", "server", "-l", "127.0.0.1", "-p", "9090", "--encoding", "gbk", "--reply", "收到"}},
		{ns, "127.0.0.1:9999", []string{bin, "udp", "server", "-l", "127.0.0.1", "-p", "9999", "--echo"}},
		{ns, "127.0.0.1:9374", []string{bin, "exporter", "-l", "127.0.0.1:9374", "10.77.0.1", "127.0.0.1:9090"}},
		{srv, "10.78.0.2:9091", []string{"python3", filepath.Join(textbook, "server.py")}},
	} {
		argv := testnet.InNetns(daemon.ns, daemon.argv...)
		cmd := exec.Command(argv[0], argv[1:]...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		what := strings.Join(daemon.argv[:2], " ") + " listening on " + daemon.addr
		testnet.WaitUntil(t, 30*time.Second, what, func() (bool, error) {
			var up bool
			err := testnet.DoInNetns(t, ns, func() error {
				if daemon.argv[1] == "udp" {
					up = udpEchoes(daemon.addr)
					return nil
				}
				c, err := net.Dial("tcp", daemon.addr)
				if err == nil {
					up = true
					c.Close()
				}
				return nil
			})
			return up, err
		})
	}
	return ns, dir
}

// udpEchoes reports whether a UDP echo server answers on addr (within a
// second).
func udpEchoes(addr string) bool {
	c, err := net.Dial("udp", addr)
	if err != nil {
		return false
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	buf := make([]byte, 16)
	_, err = c.Write([]byte("up?"))
	if err == nil {
		_, err = c.Read(buf)
	}
	return err == nil
}

// docRouters builds the docs lab's chain behind its router lan (see
// docLab).
func docRouters(t *testing.T, lan string) {
	var chain []string
	for _, tag := range []string{"docr2", "docr3", "docr4", "docdst"} {
		chain = append(chain, testnet.Netns(t, tag))
	}
	c := testnet.NewChain(t, "10.91", "fd91", append([]string{lan}, chain...)...)
	for i, node := range chain {
		c.IP(node, "route", "add", "10.77.0.0/24", "via", c.Addr4(i, 1))
		c.IP(node, "-6", "route", "add", "fd77::/64", "via", c.Addr6(i, 1))
	}
	testnet.Nft(t, chain[0], `table inet f {
		chain out { type filter hook output priority 0;
			icmp type time-exceeded limit rate over 1/minute burst 3 packets drop;
		}
	}`)
	testnet.Nft(t, chain[1], `table inet f {
		chain out { type filter hook output priority 0; icmp type time-exceeded drop; }
	}`)
	c.IP(chain[2], "link", "set", "l3-a", "mtu", "1400")
	c.IP(chain[3], "link", "set", "l3-b", "mtu", "1400")
	c.IP(chain[3], "addr", "add", "10.91.3.3/24", "dev", "l3-b")
	testnet.Nft(t, chain[3], `table inet f {
		chain in { type filter hook input priority 0; ip daddr 10.91.3.3 drop; }
	}`)
}

// docServer builds srv.test behind the docs lab's router lan (see docLab)
// and returns its namespace.
func docServer(t *testing.T, lan string) string {
	srv := testnet.Netns(t, "docsrv")
	for _, argv := range [][]string{
		{"-n", lan, "link", "add", "up0", "type", "veth", "peer", "name", "u0", "netns", srv},
		{"-n", lan, "addr", "add", "10.78.0.1/24", "dev", "up0"},
		{"-n", lan, "addr", "add", "fd78::1/64", "dev", "up0", "nodad"},
		{"-n", srv, "addr", "add", "10.78.0.2/24", "dev", "u0"},
		{"-n", srv, "addr", "add", "fd78::2/64", "dev", "u0", "nodad"},
		{"-n", lan, "link", "set", "up0", "up"},
		{"-n", srv, "link", "set", "u0", "up"},
		{"-n", srv, "route", "add", "default", "via", "10.78.0.1"},
		{"-n", srv, "-6", "route", "add", "default", "via", "fd78::1"},
		{"-n", srv, "addr", "add", "10.78.0.11/24", "dev", "u0"},
		{"-n", srv, "addr", "add", "10.78.0.12/24", "dev", "u0"},
		{"-n", srv, "addr", "add", "10.78.0.13/24", "dev", "u0"},
	} {
		testnet.MustRun(t, "ip", argv...)
	}
	testnet.Nft(t, srv, `table inet f {
		chain in { type filter hook input priority 0;
			tcp dport { 23, 3389 } drop;
			meta nfproto ipv6 tcp dport 445 reject with icmpx type admin-prohibited;
			tcp dport 445 drop;
		}
		chain out { type filter hook output priority 0;
			ip saddr 10.78.0.11 icmp type echo-reply drop;
			ip saddr 10.78.0.12 icmp type echo-reply numgen random mod 2 == 0 drop;
		}
	}
	table ip d {
		chain out { type filter hook output priority 0;
			ip saddr 10.78.0.13 icmp type echo-reply dup to 10.78.0.1 device u0;
		}
	}`)
	for port, banner := range map[int]string{
		21: "220 (vsFTPd 3.0.3)\r\n", 22: "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n",
		25: "220 mail.example.org ESMTP Postfix (Debian/GNU)\r\n",
		80: "", 443: "", 5432: "", 8080: "", 41234: "",
	} {
		var greet func(net.Conn)
		if banner != "" {
			greet = func(c net.Conn) { c.Write([]byte(banner)) }
		}
		testnet.Serve(t, testnet.ListenInNetns(t, srv, "tcp", fmt.Sprintf(":%d", port)), greet)
	}
	testnet.ServeDNS(t, testnet.ListenPacketInNetns(t, srv, "udp", "10.78.0.2:53"), map[string][]netip.Addr{
		"check.test": {netip.MustParseAddr("10.78.0.2"), netip.MustParseAddr("fd78::2")},
	})
	return srv
}

// ifacesLab builds the namespace of ifaces.md's second example ("console
// lab=ifaces"), interfaces of every kind netdiag ifaces describes: eth0, a
// veth to a peer namespace (10.77.0.2, fd77::2) that is the default
// gateway of both families; wan1, an always-up virtual device (ifb) with a
// secondary address, a point-to-point address and an IPv6 address with a
// finite lifetime; spare0, down. MACs are fixed, DAD is off.
func ifacesLab(t *testing.T) string {
	ns := testnet.Netns(t, "docif")
	peer := testnet.Netns(t, "docifp")
	for _, n := range []string{ns, peer} {
		testnet.MustRun(t, "ip", "netns", "exec", n, "sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0")
	}
	for _, argv := range [][]string{
		{"-n", ns, "link", "add", "eth0", "address", "02:00:00:00:0a:01", "type", "veth", "peer", "name", "p0", "netns", peer},
		{"-n", ns, "addr", "add", "10.77.0.1/24", "brd", "+", "dev", "eth0"},
		{"-n", ns, "addr", "add", "2001:db8:77::1/64", "dev", "eth0", "nodad"},
		{"-n", ns, "addr", "add", "fd77::1/64", "dev", "eth0", "nodad"},
		{"-n", peer, "addr", "add", "10.77.0.2/24", "dev", "p0"},
		{"-n", peer, "addr", "add", "fd77::2/64", "dev", "p0", "nodad"},
		{"-n", ns, "link", "set", "eth0", "up"},
		{"-n", peer, "link", "set", "p0", "up"},
		{"-n", ns, "route", "add", "default", "via", "10.77.0.2"},
		{"-n", ns, "-6", "route", "add", "default", "via", "fd77::2", "metric", "512"},
		{"-n", ns, "link", "add", "wan1", "address", "02:00:00:00:0d:00", "mtu", "9000", "type", "ifb"},
		{"-n", ns, "addr", "add", "198.51.100.1/24", "brd", "+", "dev", "wan1"},
		{"-n", ns, "addr", "add", "10.99.0.1", "peer", "10.99.0.2/32", "dev", "wan1"},
		{"-n", ns, "addr", "add", "198.51.100.2/24", "dev", "wan1"},
		{"-n", ns, "addr", "add", "2001:db8:3::9/64", "dev", "wan1", "nodad", "valid_lft", "3600", "preferred_lft", "1800"},
		{"-n", ns, "link", "set", "wan1", "up"},
		{"-n", ns, "link", "add", "spare0", "address", "02:00:00:00:0d:01", "type", "ifb"},
		{"-n", ns, "addr", "add", "192.0.2.77/24", "brd", "+", "dev", "spare0"},
	} {
		testnet.MustRun(t, "ip", argv...)
	}
	return ns
}

// forkLab builds the namespace of port.md's forked server ("console
// lab=fork"): a Python server that binds TCP [::1]:9000 and UDP
// 127.0.0.1:9000, then forks, so two processes hold each socket.
func forkLab(t *testing.T) string {
	const server = `import os, socket, sys, time
tcp = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
tcp.bind(("::1", 9000))
tcp.listen()
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.bind(("127.0.0.1", 9000))
if os.fork() == 0:
    print("forked", flush=True)
while True:
    time.sleep(3600)
`
	ns := testnet.Netns(t, "docfork")
	argv := testnet.InNetns(ns, "python3", "-c", server)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // a group of its own, with its child
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); cmd.Wait() })
	if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "forked\n" {
		t.Fatalf("the forking server: %q, %v", line, err)
	}
	return ns
}

// runsNetdiag reports whether an example's command is one the docs may
// show: it runs netdiag, asks the lab's exporter on loopback, or runs the
// textbook's Python client (docs/textbook/client.py) against the lab's
// netdiag tcp server.
func runsNetdiag(command string) bool {
	return strings.HasPrefix(command, "netdiag ") || strings.Contains(command, "| netdiag ") ||
		strings.HasPrefix(command, "curl -s '127.0.0.1:9374/") || command == "python3 client.py"
}

// TestDocExamples runs every console example of the docs and compares its
// output with what the docs show. The commands run in bash, with the test's
// netdiag first on PATH, inside the namespaces of docLab (loopback and a
// veth between two namespaces of the test's own), so an example can never
// send traffic anywhere else. An example that two files show alike (the
// README and its translation) runs once. The JSON lines of --json examples
// are validated against their command's schema.
func TestDocExamples(t *testing.T) {
	testnet.RequireTools(t, "bash", "ip", "curl", "python3", "nft")
	bin := testnet.Binary(t)
	pathDir := t.TempDir()
	if err := os.Symlink(bin, filepath.Join(pathDir, "netdiag")); err != nil {
		t.Fatal(err)
	}
	ns, dir := docLab(t, bin)
	labs := map[string]string{"": ns, "ifaces": ifacesLab(t), "fork": forkLab(t)}
	n := 0
	seen := map[[3]string]bool{}
	jsonLines := map[string][]string{} // command → the JSON lines its --json examples printed
	for _, file := range docFiles(t) {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, ex := range examples(file, string(b)) {
			if key := [3]string{ex.lab, ex.command, ex.output}; seen[key] {
				continue
			} else {
				seen[key] = true
			}
			n++
			if !runsNetdiag(ex.command) {
				t.Errorf("%s:%d: %q: an example runs netdiag", ex.file, ex.line, ex.command)
				continue
			}
			ns, ok := labs[ex.lab]
			if !ok {
				t.Errorf("%s:%d: lab=%s: the docs lab has no such namespace", ex.file, ex.line, ex.lab)
				continue
			}
			argv := testnet.InNetns(ns, "env", "PATH="+pathDir+":"+os.Getenv("PATH"), "NO_COLOR=1", "TZ=UTC", "bash", "-c", ex.command+" 2>&1")
			cmd := exec.Command(argv[0], argv[1:]...)
			cmd.Dir = dir
			done := make(chan struct{})
			var got []byte
			go func() { got, _ = cmd.CombinedOutput(); close(done) }()
			select {
			case <-done:
			case <-time.After(60 * time.Second):
				cmd.Process.Kill()
				<-done
				t.Errorf("%s:%d: %q still running after 60s", ex.file, ex.line, ex.command)
				continue
			}
			if m := jsonCommand.FindStringSubmatch(ex.command); m != nil {
				for _, l := range strings.Split(string(got), "\n") {
					if strings.HasPrefix(l, "{") {
						jsonLines[m[1]] = append(jsonLines[m[1]], l)
					}
				}
			}
			if want, have := canon(ex.output, ex.fuzzy), canon(string(got), ex.fuzzy); want != have {
				t.Errorf("%s:%d: %s\nthe docs show:\n%s\nit prints:\n%s", ex.file, ex.line, ex.command, ex.output, got)
			}
		}
	}
	t.Logf("%d examples", n)
	for cmd, lines := range jsonLines {
		schema := filepath.Join("diag", cmd, "testdata", cmd+".schema.json")
		if cmd == "tcp" {
			schema = filepath.Join("tcp", "testdata", "tcp.schema.json")
		}
		if _, err := os.Stat(schema); err != nil {
			t.Errorf("the docs show netdiag %s --json, which has no schema: %v", cmd, err)
			continue
		}
		if errs := testnet.SchemaErrors(t, schema, lines); errs != "" {
			t.Errorf("JSON the docs' netdiag %s examples printed does not match %s:\n%s", cmd, schema, errs)
		}
	}
}

// jsonCommand matches an example that prints netdiag's JSON lines, and
// names the command.
var jsonCommand = regexp.MustCompile(`^netdiag (\w+)\b.* --json\b`)

// shownCommand matches a prompt line that runs netdiag: "$ netdiag …", or
// netdiag after a pipe, a ";", "&&" or a wrapper such as
// "ip netns exec ns netdiag …".
var shownCommand = regexp.MustCompile(`^\$ (.*[\s|;&])?netdiag\s`)

// TestDocPromptsRun fails on a fenced block that is not a console block
// (so TestDocExamples does not run it) but shows a prompt line running
// netdiag: every command line the docs show runs in the tests. Recorded
// output that the lab cannot reproduce goes in a block without such a
// prompt, labelled with where it was recorded.
func TestDocPromptsRun(t *testing.T) {
	for _, file := range docFiles(t) {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		info, inFence := "", false
		for i, l := range strings.Split(string(b), "\n") {
			if rest, ok := strings.CutPrefix(l, "```"); ok {
				if inFence = !inFence; inFence {
					info = rest
				}
				continue
			}
			if inFence && !strings.HasPrefix(info, "console") && shownCommand.MatchString(l) {
				t.Errorf("%s:%d: %q is in a ```%s block, which the tests do not run: make it a console block, or drop the prompt from recorded output", file, i+1, l, info)
			}
		}
	}
}

// link matches a Markdown link's target.
var link = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// TestDocLinks fails on a relative link in the docs that points to no file,
// or to a heading the file does not have.
func TestDocLinks(t *testing.T) {
	for _, file := range docFiles(t) {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		inFence := false
		for i, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "```") {
				inFence = !inFence
			}
			if inFence {
				continue
			}
			for _, m := range link.FindAllStringSubmatch(l, -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				path, anchor, _ := strings.Cut(target, "#")
				dest := file
				if path != "" {
					dest = filepath.Join(filepath.Dir(file), path)
					if _, err := os.Stat(dest); err != nil {
						t.Errorf("%s:%d: link to %s: no such file", file, i+1, target)
						continue
					}
				}
				if anchor != "" && strings.HasSuffix(dest, ".md") && !hasAnchor(t, dest, anchor) {
					t.Errorf("%s:%d: link to %s: %s has no heading #%s", file, i+1, target, dest, anchor)
				}
			}
		}
	}
}

// hasAnchor reports whether a Markdown file has a heading whose GitHub
// anchor is anchor.
func hasAnchor(t *testing.T, file, anchor string) bool {
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	inFence := false
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "```") {
			inFence = !inFence
		}
		h, ok := strings.CutPrefix(strings.TrimLeft(l, "#"), " ")
		if inFence || !ok || !strings.HasPrefix(l, "#") {
			continue
		}
		slug := slugify(h)
		if k := seen[slug]; k > 0 {
			slug = fmt.Sprintf("%s-%d", slug, k)
		}
		seen[slugify(h)]++
		if slug == anchor {
			return true
		}
	}
	return false
}

// slugify is GitHub's heading anchor: lower case, punctuation dropped,
// spaces as hyphens.
func slugify(h string) string {
	var sb strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(h)) {
		switch {
		case r == ' ':
			sb.WriteRune('-')
		case r == '-' || r == '_' || 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || r > 127:
			sb.WriteRune(r)
		}
	}
	return sb.String()
}

// TestDocFlags requires every command's page, docs/<command>.md, to exist
// and to name each flag of the command and of its subcommands (as
// --name); help, completion and man are documented by their own help.
func TestDocFlags(t *testing.T) {
	var buf strings.Builder
	app := newApp(&buf, &buf)
	for _, c := range app.Commands {
		switch c.Name {
		case "help", "completion", "man":
			continue
		}
		file := filepath.Join("docs", c.Name+".md")
		b, err := os.ReadFile(file)
		if err != nil {
			t.Errorf("command %s has no page: %v", c.Name, err)
			continue
		}
		for _, cmd := range append([]*cli.Command{c}, c.Subcommands...) {
			for _, f := range cmd.Flags {
				name := f.Names()[0]
				if name == "help" {
					continue
				}
				if !regexp.MustCompile(`--` + regexp.QuoteMeta(name) + `\b`).Match(b) {
					t.Errorf("%s does not document %s's flag --%s", file, cmd.FullName(), name)
				}
			}
		}
	}
}
