package ping_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"netdiag/internal/testnet"
)

// startMode reads the socket mode from the "start" line of --json output.
func startMode(t *testing.T, out string) string {
	t.Helper()
	first, _, _ := strings.Cut(out, "\n")
	var st struct{ Type, Mode string }
	if err := json.Unmarshal([]byte(first), &st); err != nil || st.Type != "start" {
		t.Fatalf("first JSON line is not a start line: %q (%v)", first, err)
	}
	return st.Mode
}

// TestPrivilegeDetection runs netdiag as root and as nobody inside a
// namespace whose net.ipv4.ping_group_range the test sets (the sysctl is
// per namespace, so the host's is never touched), and checks the socket
// each run picks, or the error that names the fixes.
func TestPrivilegeDetection(t *testing.T) {
	testnet.RequireTools(t, "setpriv", "sysctl")
	bin := testnet.PublicBinary(t)
	allowed, denied := testnet.Netns(t, "ping"), testnet.Netns(t, "ping")
	allowICMPSockets(t, allowed, true)
	allowICMPSockets(t, denied, false)
	real, err := filepath.EvalSymlinks(bin)
	if err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(testnet.PublicDir(t), "nd")
	if err := os.Symlink(bin, link); err != nil {
		t.Fatal(err)
	}
	root := func(args ...string) []string { return append([]string{bin, "ping"}, args...) }
	nobody := func(args ...string) []string { return testnet.AsNobody(root(args...)...) }
	ok := []string{"-c", "1", "--json", "127.0.0.1"}
	for _, tc := range []struct {
		name string
		ns   string
		argv []string
		mode string // the mode chosen, or "" when the run must fail
		want []string
	}{
		{"nobody, sysctl allows: unprivileged", allowed, nobody(ok...), "unprivileged", nil},
		{"root, sysctl allows: unprivileged first", allowed, root(ok...), "unprivileged", nil},
		{"root, sysctl denies: raw fallback", denied, root(ok...), "privileged", nil},
		{"root forces raw", allowed, root(append([]string{"--privileged"}, ok...)...), "privileged", nil},
		{"nobody forces unprivileged", allowed, nobody(append([]string{"--unprivileged"}, ok...)...), "unprivileged", nil},
		{"nobody, sysctl denies: no way", denied, nobody(ok...), "", []string{
			"no permission to send ICMP echo requests",
			`unprivileged ICMP socket: socket: permission denied (net.ipv4.ping_group_range is "1 0"; this process's groups are 65534)`,
			"raw ICMP socket: socket: operation not permitted (needs root or CAP_NET_RAW)",
			"1. run it as root: sudo " + bin + " ping ...",
			"2. give the program the raw-socket capability: sudo setcap cap_net_raw+ep " + bin,
			`3. let your groups use ICMP sockets: sudo sysctl -w net.ipv4.ping_group_range="0 2147483647" (or "65534 65534" for your group alone`,
		}},
		{"nobody forces raw", allowed, nobody(append([]string{"--privileged"}, ok...)...), "", []string{
			"raw ICMP socket: socket: operation not permitted", "sudo setcap cap_net_raw+ep", "drop --privileged"}},
		{"root forces unprivileged, sysctl denies", denied, root(append([]string{"--unprivileged"}, ok...)...), "", []string{
			"unprivileged ICMP socket: socket: permission denied", "ping_group_range=\"0 2147483647\"", "drop --unprivileged"}},
		{"IPv6 too", denied, nobody("-c", "1", "::1"), "", []string{"no permission to send ICMPv6 echo requests"}},
		{"run through a symbolic link: the fixes name the file", denied, testnet.AsNobody(link, "ping", "-c", "1", "127.0.0.1"), "", []string{
			"sudo setcap cap_net_raw+ep " + real + "\n",
			`sudo sysctl -w net.ipv4.ping_group_range="0 2147483647"`,
		}},
	} {
		res := runIn(t, tc.ns, 20*time.Second, tc.argv...)
		if tc.mode != "" {
			if res.Code != 0 || startMode(t, res.Stdout) != tc.mode {
				t.Errorf("%s: want mode %s: %s", tc.name, tc.mode, describe(res))
			}
			continue
		}
		if res.Code != 2 || res.Stdout != "" {
			t.Errorf("%s: want exit 2 and nothing on stdout: %s", tc.name, describe(res))
		}
		for _, w := range tc.want {
			if !strings.Contains(res.Stderr, w) {
				t.Errorf("%s: stderr lacks %q:\n%s", tc.name, w, res.Stderr)
			}
		}
	}
}

// TestSetcapFix applies the second fix the error names, setcap
// cap_net_raw+ep on the binary, and checks that nobody can then ping with
// a raw socket where the sysctl denies unprivileged ones.
func TestSetcapFix(t *testing.T) {
	testnet.RequireTools(t, "setpriv", "setcap", "sysctl")
	bin := testnet.PublicBinary(t)
	ns := testnet.Netns(t, "ping")
	allowICMPSockets(t, ns, false)
	testnet.MustRun(t, "setcap", "cap_net_raw+ep", bin)
	res := runIn(t, ns, 20*time.Second, testnet.AsNobody(bin, "ping", "-c", "2", "-i", "0.05", "-v", "127.0.0.1")...)
	if res.Code != 0 || !strings.Contains(res.Stderr, "pinging with a raw ICMP socket") || !strings.Contains(res.Stdout, "2 received") {
		t.Errorf("nobody with cap_net_raw: %s", describe(res))
	}
}
