package udp

import (
	"fmt"
	"strings"
	"testing"

	"netdiag/diag/cliargs"
	"netdiag/diag/exitcode"
)

func TestServerOptions(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string // "host port family mode size groups" or "error: substring"
	}{
		{nil, "<nil> 9999 any print 0 []"},
		{[]string{"-l", "127.0.0.1", "-p", "5000", "--echo"}, "127.0.0.1 5000 any echo 0 []"},
		{[]string{"-l", "[::1]:7000"}, "::1 7000 any print 0 []"},
		{[]string{"--reply", "ok", "--size", "100"}, "<nil> 9999 any reply 100 []"},
		{[]string{"--discard", "-6"}, "<nil> 9999 IPv6 discard 0 []"},
		{[]string{"--group", "239.1.2.3", "-g", "ff15::1%lo"}, "<nil> 9999 any print 0 [239.1.2.3 ff15::1%lo]"},
		{[]string{"--group", "239.1.2.3", "-4"}, "<nil> 9999 IPv4 print 0 [239.1.2.3]"},
		{[]string{"--group", "10.0.0.1"}, "error: 10.0.0.1 is not a multicast address"},
		{[]string{"--group", "nope"}, `error: "nope" is not an IP address`},
		{[]string{"--group", "239.1.2.3%"}, "error: no interface after %"},
		{[]string{"--group", "ff15::1", "-4"}, "error: is not an IPv4 group"},
		{[]string{"--echo", "--discard"}, "error: exclude each other"},
		{[]string{"--reply", ""}, "error: --reply needs a non-empty TEXT"},
		{[]string{"--size", "70000"}, "error: --size must be 1 to 65536"},
		{[]string{"-l", "127.0.0.1:1", "-p", "2"}, "error: name different ports"},
		{[]string{"--encoding", "gbkk"}, `error: unknown encoding "gbkk"`},
		{[]string{"-4", "-6"}, "error: exclude each other"},
	} {
		c, err := cliargs.Parse(serverCommand(), tc.args...)
		if err != nil {
			t.Fatalf("%q: %v", tc.args, err)
		}
		at, opt, err := serverOptions(serverFlagsFromCLI(c))
		got := ""
		if err != nil {
			if exitcode.Code(err) != exitcode.Failure {
				t.Errorf("%q: exit code %d, want 2", tc.args, exitcode.Code(err))
			}
			got = "error: " + err.Error()
		} else {
			host := "<nil>"
			if !at.Host.IsZero() {
				host = at.Host.String()
			}
			got = fmt.Sprintf("%s %d %s %s %d %v", host, at.Port, at.Family, opt.Mode, opt.Size, opt.Groups)
			if at.Shared != (len(opt.Groups) > 0) {
				t.Errorf("%q: Shared %v with %d groups", tc.args, at.Shared, len(opt.Groups))
			}
		}
		if strings.HasPrefix(tc.want, "error: ") && strings.Contains(got, strings.TrimPrefix(tc.want, "error: ")) {
			continue
		}
		if got != tc.want {
			t.Errorf("%q:\n got %s\nwant %s", tc.args, got, tc.want)
		}
	}
}

func TestClientOptions(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string // "target send repeat forever interval size broadcast wait" or "error: substring"
	}{
		{[]string{"127.0.0.1:9"}, `127.0.0.1:9 "" 1 false 0s 1400 false 1s`},
		{[]string{"localhost", "9", "--send", "hi", "-c", "3", "-i", "0.5"}, `localhost:9 "hi" 3 false 500ms 1400 false 1s`},
		{[]string{"[::1]:9", "--send", "hi", "--every", "2s"}, `[::1]:9 "hi" 1 true 2s 1400 false 1s`},
		{[]string{"[::1]:9", "--send", "hi", "--every", "2", "--repeat", "4"}, `[::1]:9 "hi" 4 false 2s 1400 false 1s`},
		{[]string{"127.0.0.1:9", "--send", "48 69", "--hex"}, `127.0.0.1:9 "Hi" 1 false 0s 1400 false 1s`},
		{[]string{"127.0.0.1:9", "--send", "你好", "-e", "gbk"}, `127.0.0.1:9 "\xc4\xe3\xba\xc3" 1 false 0s 1400 false 1s`},
		{[]string{"127.0.0.1:9", "--file", "x", "--size", "512", "-b", "-w", "0"}, `127.0.0.1:9 "" 1 false 0s 512 true 0s`},
		{[]string{}, "error: give the server as HOST:PORT"},
		{[]string{"127.0.0.1:0"}, "error: port 0"},
		{[]string{"127.0.0.1:9", "--repeat", "2"}, "error: add --send"},
		{[]string{"127.0.0.1:9", "--every", "1"}, "error: add --send"},
		{[]string{"127.0.0.1:9", "--send", "x", "--every", "1", "-i", "1"}, "error: exclude each other"},
		{[]string{"127.0.0.1:9", "--send", "x", "--every", "0"}, "error: --every needs a positive duration"},
		{[]string{"127.0.0.1:9", "--send", "x", "--file", "y"}, "error: exclude each other"},
		{[]string{"127.0.0.1:9", "--size", "10"}, "error: add --file"},
		{[]string{"127.0.0.1:9", "--file", "x", "--size", "0"}, "error: --size must be 1 to 65536"},
		{[]string{"127.0.0.1:9", "--send", "x", "-c", "0"}, "error: --repeat must be 1 or more"},
		{[]string{"127.0.0.1:9", "--send", "zz", "--hex"}, "error: --send with --hex"},
		{[]string{"127.0.0.1:9", "--send", "😀", "-e", "gbk"}, "error: cannot be encoded in gbk"},
		{[]string{"127.0.0.1:9", "-e", "klingon"}, `error: unknown encoding "klingon"`},
		{[]string{"127.0.0.1:9", "--source", "localhost"}, "error: --source"},
	} {
		c, err := cliargs.Parse(clientCommand(), tc.args...)
		if err != nil {
			t.Fatalf("%q: %v", tc.args, err)
		}
		opt, err := clientOptions(clientFlagsFromCLI(c))
		got := ""
		if err != nil {
			if exitcode.Code(err) != exitcode.Failure {
				t.Errorf("%q: exit code %d, want 2", tc.args, exitcode.Code(err))
			}
			got = "error: " + err.Error()
		} else {
			got = fmt.Sprintf("%s %q %d %v %v %d %v %v", opt.Target, opt.Send, opt.Repeat, opt.Forever, opt.Interval, opt.Size, opt.Broadcast, opt.Wait)
		}
		if strings.HasPrefix(tc.want, "error: ") && strings.Contains(got, strings.TrimPrefix(tc.want, "error: ")) {
			continue
		}
		if got != tc.want {
			t.Errorf("%q:\n got %s\nwant %s", tc.args, got, tc.want)
		}
	}
}
