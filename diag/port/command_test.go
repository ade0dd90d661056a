package port_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"netdiag/diag/netaddr"
	portcmd "netdiag/diag/port"
	"netdiag/diag/sockets"
	"netdiag/internal/testnet"
)

const testTimeout = 30 * time.Second

func netdiag(t *testing.T, args ...string) testnet.Result {
	t.Helper()
	return testnet.Run(t, testTimeout, "", testnet.Binary(t), append([]string{"port"}, args...)...)
}

func TestCommandOutput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"80"}, "" +
			"PORT  CLASS       IANA RANGE  TCP         UDP\n" +
			"80    well-known  system      http (www)  -\n"},
		{[]string{"www", "ntp", "65535"}, "" +
			"PORT   CLASS       IANA RANGE         TCP         UDP\n" +
			"80     well-known  system             http (www)  -\n" +
			"123    well-known  system             -           ntp\n" +
			"65535  dynamic     dynamic (private)  -           -\n"},
		{[]string{"HTTP-ALT,5672"}, "" +
			"PORT  CLASS    IANA RANGE         TCP                  UDP  SCTP\n" +
			"5672  dynamic  user (registered)  amqp                 -    amqp\n" +
			"8080  dynamic  user (registered)  http-alt (webcache)  -    -\n"},
		{[]string{"20-23"}, "" +
			"PORT  CLASS       IANA RANGE  TCP       UDP\n" +
			"20    well-known  system      ftp-data  -\n" +
			"21    well-known  system      ftp       fsp (fspd)\n" +
			"22    well-known  system      ssh       -\n" +
			"23    well-known  system      telnet    -\n"},
	} {
		res := netdiag(t, tc.args...)
		if res.Code != 0 || res.Stdout != tc.want || res.Stderr != "" {
			t.Errorf("port %v: code %d\nstdout:\n%s\nwant:\n%s\nstderr: %s", tc.args, res.Code, res.Stdout, tc.want, res.Stderr)
		}
	}
}

func TestCommandAllPorts(t *testing.T) {
	res := netdiag(t, "-")
	lines := strings.Split(strings.TrimSpace(res.Stdout), "\n")
	last := lines[len(lines)-1]
	if res.Code != 0 || len(lines) < 250 || len(lines) > 400 || !strings.Contains(last, "65535 ports asked; long lists show only the") {
		t.Errorf("port -: code %d, %d lines, last %q", res.Code, len(lines), last)
	}
	res = netdiag(t, "--all", "--json", "-")
	if n := strings.Count(res.Stdout, "\n"); res.Code != 0 || n != 65535 {
		t.Errorf("port --all --json -: code %d, %d lines, want 65535", res.Code, n)
	}
}

func TestCommandErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"70000"}, `port: invalid port list "70000": port "70000": out of range; ports are 0-65535`},
		{[]string{"-1"}, `port: invalid port list "-1": "-1": negative port`},
		{[]string{"80", "-1"}, `port: invalid port list "-1": "-1": negative port`},
		{[]string{"abc"}, `port: invalid port list "abc": port "abc": not a port number or a known service name`},
		{[]string{"80-20"}, `reversed`},
		{[]string{"0-"}, `range without its end`},
		{[]string{"22,,80"}, `empty item 2`},
		{[]string{""}, `invalid port list "": empty`},
		{[]string{"80", "--tcp"}, "port: --tcp and --udp choose the sockets --local looks at; add --local"},
		{[]string{"--tcp", "80"}, `--tcp and --udp choose the sockets --local looks at; add --local`},
		{nil, "port: give at least one port"},
		{[]string{"--bogus", "80"}, "unknown flag --bogus\nRun 'netdiag port --help' for usage."},
	} {
		testnet.Refused(t, fmt.Sprintf("port %q", tc.args), netdiag(t, tc.args...), tc.want)
	}
}

// comm is this test process's command name as the kernel reports it.
func comm(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("/proc/self/comm")
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func TestCommandLocal(t *testing.T) {
	used, free, me := listen(t), netaddr.Port(testnet.FreePort(t)), comm(t)
	res := netdiag(t, "--local", fmt.Sprint(used), fmt.Sprint(free))
	want := fmt.Sprintf(""+
		"PORT  SERVICE  STATUS  PROTO  LOCAL ADDRESS    STATE   PID  PROCESS\n"+
		"%d  -        in use  tcp    127.0.0.1:%[1]d  LISTEN  %[2]d  %[4]s\n"+
		"                       udp    [::1]:%[1]d      UNCONN  %[2]d  %[4]s\n"+
		"%[3]d  -        free\n"+
		"2 ports: 1 in use, 1 free\n", used, os.Getpid(), free, me)
	// Align as the table does: the widths depend on the numbers.
	if res.Code != 0 || normalize(res.Stdout) != normalize(want) {
		t.Errorf("port --local %d %d: code %d (want 0)\nstdout:\n%s\nwant (modulo spacing):\n%s\nstderr: %s", used, free, res.Code, res.Stdout, want, res.Stderr)
	}
	res = netdiag(t, "-l", fmt.Sprint(free))
	if res.Code != 1 || !strings.Contains(res.Stdout, fmt.Sprintf("%d  -        free", free)) {
		t.Errorf("port -l %d (free): code %d (want 1)\n%s", free, res.Code, res.Stdout)
	}
	res = netdiag(t, "-lu", fmt.Sprint(used))
	if res.Code != 0 || strings.Contains(res.Stdout, "tcp") || !strings.Contains(res.Stdout, "udp") {
		t.Errorf("port -lu %d: code %d\n%s", used, res.Code, res.Stdout)
	}
	for args, code := range map[string]int{"-ql " + fmt.Sprint(used): 0, "-ql " + fmt.Sprint(free): 1} {
		res = netdiag(t, strings.Fields(args)...)
		if res.Code != code || res.Stdout != "" || res.Stderr != "" {
			t.Errorf("port %s: code %d (want %d), stdout %q stderr %q", args, res.Code, code, res.Stdout, res.Stderr)
		}
	}

	res = netdiag(t, "--local", "--json", fmt.Sprint(used))
	var info portcmd.PortInfo
	if err := json.Unmarshal([]byte(res.Stdout), &info); err != nil || res.Code != 0 {
		t.Fatalf("--json: %v, code %d: %q", err, res.Code, res.Stdout)
	}
	if int(info.Port) != int(used) || info.Local == nil || !info.Local.InUse || len(info.Local.Sockets) != 2 ||
		info.Local.Sockets[0].PID != os.Getpid() || info.Local.Sockets[0].Process != me {
		t.Errorf("--json: %+v", info)
	}
	for _, key := range []string{`"port":`, `"class":"dynamic"`, `"iana_range":`, `"services":[]`, `"local":{"in_use":true,"sockets":[{"proto":"tcp","local":"127.0.0.1:`, `"state":"LISTEN"`, `"uid":0`, `"inode":`, `"pid":`, `"process":"` + me + `"`, `"owners":[{"pid":`} {
		if !strings.Contains(res.Stdout, key) {
			t.Errorf("--json output lacks %s: %s", key, res.Stdout)
		}
	}
}

// normalize collapses runs of spaces, so tests need not predict column
// widths that depend on ephemeral port numbers and PIDs.
func normalize(s string) string {
	var b strings.Builder
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		b.WriteString(strings.Join(strings.Fields(sc.Text()), " ") + "\n")
	}
	return b.String()
}

// TestCommandLocalUnprivileged runs netdiag as nobody: the port held by
// this (root) process is in use, its owner not visible, and that is not an
// error.
func TestCommandLocalUnprivileged(t *testing.T) {
	testnet.RequireRoot(t)
	testnet.RequireTools(t, "setpriv")
	used := listen(t)
	bin := testnet.PublicBinary(t) // nobody must be able to run it
	argv := testnet.AsNobody(bin, "port", "--local", fmt.Sprint(used))
	res := testnet.Run(t, testTimeout, "", argv[0], argv[1:]...)
	if res.Code != 0 || !strings.Contains(normalize(res.Stdout), fmt.Sprintf("%d - in use tcp 127.0.0.1:%[1]d LISTEN ? ?", used)) ||
		!strings.Contains(res.Stdout, "?: the process is not visible here") {
		t.Errorf("as nobody: code %d\nstdout:\n%s\nstderr: %s", res.Code, res.Stdout, res.Stderr)
	}

	// nobody's own socket is visible to nobody, with its process.
	testnet.RequireTools(t, "socat")
	port := freeUDP(t)
	argv = testnet.AsNobody("socat", "-u", fmt.Sprintf("UDP6-RECV:%d,bind=[::1]", port), "STDOUT")
	sock := exec.Command(argv[0], argv[1:]...)
	if err := sock.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { sock.Process.Kill(); sock.Wait() }()
	testnet.WaitUntil(t, 5*time.Second, "socat to bind its UDP port", func() (bool, error) {
		socks, err := sockets.Bound(netaddr.Port(port), "udp")
		return len(socks) > 0, err
	})
	argv = testnet.AsNobody(bin, "port", "--local", fmt.Sprint(port))
	res = testnet.Run(t, testTimeout, "", argv[0], argv[1:]...)
	if want := fmt.Sprintf("%d - in use udp [::1]:%[1]d UNCONN %d socat\n", port, sock.Process.Pid); res.Code != 0 || normalize(res.Stdout) != normalize(
		"PORT SERVICE STATUS PROTO LOCAL ADDRESS STATE PID PROCESS\n"+want) {
		t.Errorf("nobody's socat: code %d\nstdout:\n%s\nwant %q", res.Code, res.Stdout, want)
	}
}

func freeUDP(t *testing.T) int {
	t.Helper()
	pc, err := net.ListenPacket("udp6", "[::1]:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	return pc.LocalAddr().(*net.UDPAddr).Port
}
