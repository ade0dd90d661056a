package ip_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"netdiag/diag/ip"
	"netdiag/internal/testnet"
)

// ip runs "netdiag ip ARGS" with stdin.
func runIP(t *testing.T, stdin string, args ...string) testnet.Result {
	t.Helper()
	return testnet.Run(t, 30*time.Second, stdin, testnet.Binary(t), append([]string{"ip"}, args...)...)
}

func TestCommandBlock(t *testing.T) {
	t.Parallel()
	res := runIP(t, "", "192.168.1.10/24", "127.1")
	want := `192.168.1.10/24  valid IPv4 prefix
  warning       host bits set: 192.168.1.10/24 is inside network 192.168.1.0/24
  address       192.168.1.10
  integer       3232235786
  hex           0xc0a8010a
  binary        11000000.10101000.00000001.00001010
  reverse DNS   10.1.168.192.in-addr.arpa
  special       192.168.0.0/16 Private-Use (RFC 1918)
                source yes, destination yes, forwardable yes, globally reachable no, reserved-by-protocol no
  properties    private, not globally reachable
  network       192.168.1.0/24
  netmask       255.255.255.0
  wildcard      0.0.0.255
  broadcast     192.168.1.255
  hosts         192.168.1.1 - 192.168.1.254
  addresses     256 (254 usable)
  reverse zone  1.168.192.in-addr.arpa

127.1  invalid: only 2 parts; an IPv4 address has 4 (short forms like 127.1 are not accepted)
  note  ` + "`ping 127.1` pings 127.0.0.1: inet_aton reads the last of 2 parts as the remaining 3 bytes\n"
	if res.Code != 1 || res.Stdout != want || res.Stderr != "" {
		t.Errorf("code %d (want 1), stderr %q\nstdout:\n%s\nwant:\n%s", res.Code, res.Stderr, res.Stdout, want)
	}
}

func TestCommandExitCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args  []string
		stdin string
		code  int
	}{
		{[]string{"192.0.2.1"}, "", 0},
		{[]string{"192.0.2.1", "2001:db8::/32", "fe80::1%eth0"}, "", 0},
		{[]string{"192.0.2.1", "192.0.2.256"}, "", 1},
		{[]string{"-"}, "10.0.0.1\n::1\n", 0},
		{[]string{"-"}, "10.0.0.1\nnope\n", 1},
		{[]string{"-q", "10.0.0.1/8"}, "", 0},
		{[]string{"-q", "10.0.0.1", "010.0.0.1"}, "", 1},
		{[]string{"-q", "-"}, "1.2.3.4\r\n::\r\n", 0},
		{[]string{"-q", "-"}, "1.2.3.4\n\n", 0}, // a blank line is skipped, not invalid
		{[]string{"-"}, "1.2.3.4\n\n \n", 0},
		{[]string{"--valid", "-"}, "1.2.3.4\n\n", 0},
		{[]string{"-q", "-"}, "1.2.3.4\nx\n\n", 1},
		{[]string{"--valid", "-"}, "1.2.3.4\nbad\n", 1},
		{[]string{"--invalid", "-"}, "1.2.3.4\n", 0},
		{[]string{"--json", "-"}, "", 0},
	}
	for _, tt := range tests {
		res := runIP(t, tt.stdin, tt.args...)
		if res.Code != tt.code {
			t.Errorf("ip %q <<< %q: exit %d, want %d; stderr %q", tt.args, tt.stdin, res.Code, tt.code, res.Stderr)
		}
		if strings.Contains(strings.Join(tt.args, " "), "-q") && res.Stdout != "" {
			t.Errorf("ip %q: -q printed %q", tt.args, res.Stdout)
		}
	}
}

func TestCommandFilters(t *testing.T) {
	t.Parallel()
	in := "1.2.3.4\n127.1\r\nfe80::1%eth0\n\n10.0.0.1/8\n  ::1\n::ffff:1.2.3.4\nlast"
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--valid", "-"}, "1.2.3.4\nfe80::1%eth0\n10.0.0.1/8\n::ffff:1.2.3.4\n"},
		{[]string{"--invalid", "-"}, "127.1\r\n  ::1\nlast\n"},
		{[]string{"--valid", "8.8.8.8", "-", "999.1.1.1"}, "8.8.8.8\n1.2.3.4\nfe80::1%eth0\n10.0.0.1/8\n::ffff:1.2.3.4\n"},
	}
	for _, tt := range tests {
		res := runIP(t, in, tt.args...)
		if res.Stdout != tt.want || res.Code != 1 {
			t.Errorf("ip %q: exit %d\n got %q\nwant %q", tt.args, res.Code, res.Stdout, tt.want)
		}
	}
	// --valid --json prints the selected inputs as JSON.
	res := runIP(t, in, "--valid", "--json", "-")
	lines := strings.Split(strings.TrimSpace(res.Stdout), "\n")
	if len(lines) != 4 {
		t.Fatalf("--valid --json: %d lines:\n%s", len(lines), res.Stdout)
	}
	for _, l := range lines {
		var info ip.Info
		if err := json.Unmarshal([]byte(l), &info); err != nil || !info.Valid {
			t.Errorf("--valid --json line %q: %v, valid %v", l, err, info.Valid)
		}
	}
}

func TestCommandJSON(t *testing.T) {
	t.Parallel()
	res := runIP(t, "10.0.0.1\nbad\n", "--json", "::1", "-")
	var got []ip.Info
	for _, l := range strings.Split(strings.TrimSpace(res.Stdout), "\n") {
		var info ip.Info
		if err := json.Unmarshal([]byte(l), &info); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		got = append(got, info)
	}
	if res.Code != 1 || len(got) != 3 || got[0].Address != "::1" || !got[0].Properties.Loopback ||
		got[1].Input != "10.0.0.1" || !got[1].Properties.Private || got[2].Valid || got[2].Error == "" {
		t.Errorf("exit %d, got %+v", res.Code, got)
	}
}

func TestCommandShort(t *testing.T) {
	t.Parallel()
	res := runIP(t, "", "--short", "10.0.0.1/8", "2001:db8::1", "1.2.3")
	want := `INPUT        RESULT        CANONICAL    DETAIL
10.0.0.1/8   IPv4 prefix   10.0.0.0/8   Private-Use; private, not globally reachable; host bits set
2001:db8::1  IPv6 address  2001:db8::1  Documentation; documentation, not globally reachable
1.2.3        invalid       -            only 3 parts; an IPv4 address has 4 (short forms like 127.1 are not accepted)
`
	if res.Stdout != want || res.Code != 1 {
		t.Errorf("exit %d\n%s\nwant\n%s", res.Code, res.Stdout, want)
	}
	// A long stream is printed in batches, with the header once.
	res = runIP(t, strings.Repeat("10.0.0.1\n", 1000), "-br", "-")
	if n := strings.Count(res.Stdout, "INPUT"); n != 1 || strings.Count(res.Stdout, "\n") != 1001 {
		t.Errorf("1000 lines: %d headers, %d lines", n, strings.Count(res.Stdout, "\n"))
	}
}

func TestCommandUsageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want string
	}{
		{nil, "netdiag: ip: give at least one address or prefix, or - to read them from stdin, one per line\nRun 'netdiag ip --help' for usage.\n"},
		{[]string{"--valid", "--invalid", "1.2.3.4"}, "netdiag: ip: --valid and --invalid exclude each other\n"},
		{[]string{"-q", "--json", "1.2.3.4"}, "netdiag: ip: -q prints nothing; it cannot be combined with --valid, --invalid, --short or --json\n"},
		{[]string{"--brief", "--json", "1.2.3.4"}, "netdiag: ip: --short is a table; it cannot be combined with --json\n"},
		{[]string{"-s", "1.2.3.4"}, "netdiag: unknown flag -s\nRun 'netdiag ip --help' for usage.\n"},
		{[]string{"-", "-"}, "netdiag: ip: - (stdin) may be given only once\n"},
		{[]string{"1.2.3.4", "--json", "--short"}, "netdiag: ip: --short is a table; it cannot be combined with --json\n"},
		{[]string{"1.2.3.4", "--bogus"}, "netdiag: unknown flag --bogus\nRun 'netdiag ip --help' for usage.\n"},
		{[]string{"--vaild", "-"}, "netdiag: unknown flag --vaild; did you mean --valid?\nRun 'netdiag ip --help' for usage.\n"},
	}
	for _, tt := range tests {
		res := runIP(t, "", tt.args...)
		if res.Code != 2 || res.Stdout != "" || res.Stderr != tt.want {
			t.Errorf("ip %q: exit %d, stdout %q\nstderr %q\nwant   %q", tt.args, res.Code, res.Stdout, res.Stderr, tt.want)
		}
	}
}

// A line that is not UTF-8 is shown quoted, never as raw bytes on the
// terminal, and its reason names the byte.
func TestCommandNotUTF8(t *testing.T) {
	t.Parallel()
	res := runIP(t, "\xff\xfe\n", "-")
	want := `"\xff\xfe"  invalid: part 1 "\xff\xfe" has byte 0xff, which is not UTF-8; IPv4 parts are decimal numbers 0-255` + "\n"
	if res.Code != 1 || res.Stdout != want {
		t.Errorf("code %d (want 1)\nstdout: %q\nwant:   %q", res.Code, res.Stdout, want)
	}
}

// TestLongInputEcho: an over-long input is echoed cut, with its length, in
// the block and --short renderers, so one huge line cannot make every row
// of a table that wide; a zone has its own line.
func TestLongInputEcho(t *testing.T) {
	long := strings.Repeat("a", 100000)
	for _, args := range [][]string{{"--short", "1.2.3.4", long}, {long}} {
		out := runIP(t, "", args...).Stdout
		if len(out) > 2000 || !strings.Contains(out, strings.Repeat("a", 64)+"… (100000 bytes)") {
			t.Errorf("%d bytes of output for %q…: %.300q", len(out), args[0], out)
		}
	}
	if out := runIP(t, "", "fe80::1%eth0").Stdout; !strings.Contains(out, "\n  zone         eth0\n") {
		t.Errorf("no zone line:\n%s", out)
	}
}
