package main

import (
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"netdiag/internal/testnet"
)

// TestExitCodes runs every command once for each documented exit code: 0
// success, 1 a negative result, 2 a usage error, and 2 a system error (here
// standard output on /dev/full, so every write fails). Everything runs in a
// namespace of its own with loopback and a veth pair whose far end has no
// address, so 10.200.0.2 never answers: nothing leaves the namespace.
func TestExitCodes(t *testing.T) {
	testnet.RequireTools(t, "ip")
	bin := testnet.Binary(t)
	ns := testnet.Netns(t, "exit")
	testnet.MustRun(t, "ip", "-n", ns, "link", "add", "veth0", "type", "veth", "peer", "name", "veth1")
	testnet.MustRun(t, "ip", "-n", ns, "addr", "add", "10.200.0.1/24", "dev", "veth0")
	testnet.MustRun(t, "ip", "-n", ns, "link", "set", "veth0", "up")
	testnet.MustRun(t, "ip", "-n", ns, "link", "set", "veth1", "up")

	// A server for scan and tcp client: it reads until the client is done,
	// then closes.
	ln := testnet.ListenInNetns(t, ns, "tcp", "127.0.0.1:0")
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				io.Copy(io.Discard, c)
				c.Close()
			}()
		}
	}()
	open := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	// A UDP echo server for udp client.
	echo := testnet.ListenPacketInNetns(t, ns, "udp", "127.0.0.1:0")
	testnet.ServePacket(t, echo, func(req []byte) []byte { return req })
	udpOpen := strconv.Itoa(echo.LocalAddr().(*net.UDPAddr).Port)
	resolv := writeTemp(t, "resolv.conf", "nameserver 127.0.0.1\n")
	// check's targets, all in the namespace: the internet host is on the
	// veth link and never answers.
	checkArgs := []string{"check", "--resolv-conf", resolv, "--dns-name", "example.test", "--host", "10.200.0.2", "--timeout", "0.3"}

	type run struct {
		code int
		args []string
	}
	for _, tc := range []struct {
		cmd                         string
		ok, negative, usage, system run
	}{
		{"ifaces", run{0, []string{"ifaces", "lo"}}, run{1, []string{"ifaces", "nosuch0"}}, run{2, []string{"ifaces", "-4", "-6"}}, run{2, []string{"ifaces", "lo"}}},
		{"ping", run{0, []string{"ping", "-c1", "127.0.0.1"}}, run{1, []string{"ping", "-c1", "-W0.2", "10.200.0.2"}}, run{2, []string{"ping", "-c0", "127.0.0.1"}}, run{2, []string{"ping", "-c1", "127.0.0.1"}}},
		{"port", run{0, []string{"port", "22"}}, run{1, []string{"port", "--local", "1"}}, run{2, []string{"port", "70000"}}, run{2, []string{"port", "22"}}},
		{"scan", run{0, []string{"scan", "-p", open, "127.0.0.1"}}, run{1, []string{"scan", "-p", "1", "127.0.0.1"}}, run{2, []string{"scan", "-p", "0-", "127.0.0.1"}}, run{2, []string{"scan", "-p", open, "127.0.0.1"}}},
		{"ip", run{0, []string{"ip", "10.0.0.1"}}, run{1, []string{"ip", "300.1.1.1"}}, run{2, []string{"ip", "--valid", "--invalid", "-"}}, run{2, []string{"ip", "10.0.0.1"}}},
		{"tcp client", run{0, []string{"tcp", "client", "--send", "x", "-w", "0.05", "127.0.0.1:" + open}}, run{1, []string{"tcp", "client", "--send", "x", "127.0.0.1:1"}}, run{2, []string{"tcp", "client"}}, run{2, []string{"tcp", "client", "--send", "x", "-w", "0.05", "127.0.0.1:" + open}}},
		{"trace", run{0, []string{"trace", "-n", "-c1", "127.0.0.1"}}, run{1, []string{"trace", "-n", "-c1", "-W0.2", "-m2", "10.200.0.2"}}, run{2, []string{"trace", "-c0", "127.0.0.1"}}, run{2, []string{"trace", "-n", "-c1", "127.0.0.1"}}},
		{"udp client", run{0, []string{"udp", "client", "--send", "x", "127.0.0.1:" + udpOpen}}, run{1, []string{"udp", "client", "--send", "x", "127.0.0.1:1"}}, run{2, []string{"udp", "client", "--encoding", "nope", "--send", "x", "127.0.0.1:1"}}, run{2, []string{"udp", "client", "--send", "x", "127.0.0.1:" + udpOpen}}},
		{"check", run{}, run{1, checkArgs}, run{2, []string{"check", "--count", "0"}}, run{2, checkArgs}},
	} {
		for kind, r := range map[string]run{"success": tc.ok, "negative result": tc.negative, "usage error": tc.usage, "system error": tc.system} {
			if r.args == nil {
				continue // check's success needs a whole network: see diag/check's lab tests
			}
			argv := testnet.InNetns(ns, append([]string{bin}, r.args...)...)
			var res testnet.Result
			if kind == "system error" {
				res = runToFull(t, argv)
			} else {
				res = testnet.Run(t, 30*time.Second, "", argv[0], argv[1:]...)
			}
			if res.Code != r.code {
				t.Errorf("%s, %s: netdiag %s: exit %d, want %d\nstdout %q\nstderr %q", tc.cmd, kind, strings.Join(r.args, " "), res.Code, r.code, res.Stdout, res.Stderr)
			}
			if strings.Contains(res.Stderr, "goroutine ") {
				t.Errorf("%s, %s: panicked:\n%s", tc.cmd, kind, res.Stderr)
			}
		}
	}

	// tcp server: 0 after --once served its client, 2 for a port in use
	// (a system error) and for a bad flag.
	busy := testnet.ListenInNetns(t, ns, "tcp", "127.0.0.1:0")
	busyPort := strconv.Itoa(busy.Addr().(*net.TCPAddr).Port)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"tcp", "server", "-l", "127.0.0.1", "-p", busyPort}, 2, "in use"},
		{[]string{"tcp", "server", "--echo", "--discard"}, 2, "exclude each other"},
		{[]string{"udp", "server", "-l", "127.0.0.1", "-p", udpOpen}, 2, "in use"},
		{[]string{"udp", "server", "--group", "10.0.0.1"}, 2, "not a multicast address"},
		{[]string{"udp", "server", "--group", "239.1.2.3%nosuch0"}, 2, `no interface "nosuch0"`},
		{[]string{"udp", "server", "--encoding", "klingon"}, 2, "unknown encoding"},
	} {
		argv := testnet.InNetns(ns, append([]string{bin}, tc.args...)...)
		res := testnet.Run(t, 30*time.Second, "", argv[0], argv[1:]...)
		if res.Code != tc.code || !strings.Contains(res.Stderr, tc.want) {
			t.Errorf("netdiag %s: exit %d, want %d and %q\nstderr %q", strings.Join(tc.args, " "), res.Code, tc.code, tc.want, res.Stderr)
		}
	}
	argv := testnet.InNetns(ns, bin, "tcp", "server", "--once", "-l", "127.0.0.1", "-p", "9090")
	srv := exec.Command(argv[0], argv[1:]...)
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Wait() }()
	testnet.WaitUntil(t, 20*time.Second, "tcp server --once to take a client", func() (bool, error) {
		err := testnet.DoInNetns(t, ns, func() error {
			c, err := net.Dial("tcp", "127.0.0.1:9090")
			if err == nil {
				c.Close()
			}
			return err
		})
		return err == nil, nil
	})
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("tcp server --once after its client: %v, want exit 0", err)
		}
	case <-time.After(20 * time.Second):
		srv.Process.Kill()
		t.Errorf("tcp server --once still running after its client left")
	}
}

// runToFull runs argv with standard output on /dev/full.
func runToFull(t *testing.T, argv []string) testnet.Result {
	t.Helper()
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer full.Close()
	return testnet.RunTo(t, 30*time.Second, "", full, argv[0], argv[1:]...)
}

// writeTemp writes a file in the test's temporary directory.
func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	p := t.TempDir() + "/" + name
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
