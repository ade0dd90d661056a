package udp

import (
	"fmt"
	"testing"

	"github.com/urfave/cli/v2"

	"netdiag/diag/cliargs/cliargstest"
)

// TestServerOptions drives the server's command line → options function
// with the one flag layer, as netdiag does, without listening.
func TestServerOptions(t *testing.T) {
	format := func(c *cli.Context) (string, error) {
		at, opt, err := serverOptions(serverFlagsFromCLI(c))
		if err != nil {
			return "", err
		}
		if at.Shared != (len(opt.Groups) > 0) {
			t.Errorf("Shared %v with %d groups", at.Shared, len(opt.Groups))
		}
		host := "<nil>"
		if !at.Host.IsZero() {
			host = at.Host.String()
		}
		return fmt.Sprintf("%s %d %s %s %d %v %q %v %d", host, at.Port, at.Family, opt.Mode, opt.Size, opt.Groups,
			opt.Timed.Send, opt.Timed.Every, opt.Timed.Repeat), nil
	}
	// Want: "host port family mode size groups send every repeat" or
	// "error: substring".
	cliargstest.Table(t, serverCommand(), format, []cliargstest.Case{
		{Args: nil, Want: `<nil> 9999 any print 0 [] "" 0s 0`},
		{Args: []string{"-l", "127.0.0.1", "-p", "5000", "--echo"}, Want: `127.0.0.1 5000 any echo 0 [] "" 0s 0`},
		{Args: []string{"-l", "[::1]:7000"}, Want: `::1 7000 any print 0 [] "" 0s 0`},
		{Args: []string{"--reply", "ok", "--size", "100"}, Want: `<nil> 9999 any reply 100 [] "" 0s 0`},
		{Args: []string{"--discard", "-6"}, Want: `<nil> 9999 IPv6 discard 0 [] "" 0s 0`},
		{Args: []string{"--group", "239.1.2.3", "-g", "ff15::1%lo"}, Want: `<nil> 9999 any print 0 [239.1.2.3 ff15::1%lo] "" 0s 0`},
		{Args: []string{"--group", "239.1.2.3", "-4"}, Want: `<nil> 9999 IPv4 print 0 [239.1.2.3] "" 0s 0`},
		{Args: []string{"--group", "10.0.0.1"}, Want: "error: 10.0.0.1 is not a multicast address"},
		{Args: []string{"--group", "nope"}, Want: `error: "nope" is not an IP address`},
		{Args: []string{"--group", "239.1.2.3%"}, Want: "error: no interface after %"},
		{Args: []string{"--group", "ff15::1", "-4"}, Want: "error: is not an IPv4 group"},
		{Args: []string{"--echo", "--discard"}, Want: "error: exclude each other"},
		{Args: []string{"--reply", ""}, Want: "error: --reply needs a non-empty TEXT"},
		{Args: []string{"--size", "70000"}, Want: "error: --size must be 1 to 65536"},
		{Args: []string{"-l", "127.0.0.1:1", "-p", "2"}, Want: "error: name different ports"},
		{Args: []string{"--encoding", "gbkk"}, Want: `error: unknown encoding "gbkk"`},
		{Args: []string{"-4", "-6"}, Want: "error: exclude each other"},
		{Args: []string{"--send", "hb", "--every", "2"}, Want: `<nil> 9999 any print 0 [] "hb" 2s 0`},
		{Args: []string{"--send", "你好", "-e", "gbk", "--every", "500ms", "-c", "3", "--echo"}, Want: `<nil> 9999 any echo 0 [] "\xc4\xe3\xba\xc3" 500ms 3`},
		{Args: []string{"--send", "48 69", "-x", "--every", "1", "--repeat", "1", "--reply", "6f 6b"}, Want: `<nil> 9999 any reply 0 [] "Hi" 1s 1`},
		{Args: []string{"--send", "x", "--every", "1", "--discard"}, Want: `<nil> 9999 any discard 0 [] "x" 1s 0`},
		{Args: []string{"--every", "1"}, Want: "error: udp server: --every D sends --send TEXT to every client; add --send"},
		{Args: []string{"--send", "x"}, Want: "error: udp server: --send TEXT goes to every client every --every D; add --every"},
		{Args: []string{"--repeat", "2"}, Want: "error: udp server: --repeat N counts the rounds of --every D; add --every and --send"},
		{Args: []string{"--send", "x", "--repeat", "2"}, Want: "error: add --every"},
		{Args: []string{"--send", "x", "--every", "0"}, Want: "error: udp server: --every needs a positive duration"},
		{Args: []string{"--send", "x", "--every", "1", "-c", "0"}, Want: "error: udp server: --repeat must be 1 or more"},
		{Args: []string{"--send", "", "--every", "1"}, Want: "error: udp server: --send needs a non-empty TEXT"},
		{Args: []string{"--send", "zz", "-x", "--every", "1"}, Want: "error: udp server: --send with --hex"},
		{Args: []string{"--send", "😀", "-e", "gbk", "--every", "1"}, Want: "error: cannot be encoded in gbk"},
	})
}

// TestClientOptions drives the client's command line → options function
// with the one flag layer, as netdiag does, without sending anything.
func TestClientOptions(t *testing.T) {
	format := func(c *cli.Context) (string, error) {
		opt, err := clientOptions(clientFlagsFromCLI(c))
		return fmt.Sprintf("%s %q %d %v %v %d %v %v", opt.Target, opt.Send, opt.Repeat, opt.Forever, opt.Interval, opt.Size, opt.Broadcast, opt.Wait), err
	}
	// Want: "target send repeat forever interval size broadcast wait" or "error: substring".
	cliargstest.Table(t, clientCommand(), format, []cliargstest.Case{
		{Args: []string{"127.0.0.1:9"}, Want: `127.0.0.1:9 "" 1 false 0s 1400 false 1s`},
		{Args: []string{"localhost", "9", "--send", "hi", "-c", "3", "-i", "0.5"}, Want: `localhost:9 "hi" 3 false 500ms 1400 false 1s`},
		{Args: []string{"[::1]:9", "--send", "hi", "--every", "2s"}, Want: `[::1]:9 "hi" 1 true 2s 1400 false 1s`},
		{Args: []string{"[::1]:9", "--send", "hi", "--every", "2", "--repeat", "4"}, Want: `[::1]:9 "hi" 4 false 2s 1400 false 1s`},
		{Args: []string{"127.0.0.1:9", "--send", "48 69", "--hex"}, Want: `127.0.0.1:9 "Hi" 1 false 0s 1400 false 1s`},
		{Args: []string{"127.0.0.1:9", "--send", "你好", "-e", "gbk"}, Want: `127.0.0.1:9 "\xc4\xe3\xba\xc3" 1 false 0s 1400 false 1s`},
		{Args: []string{"127.0.0.1:9", "--file", "x", "--size", "512", "-b", "-w", "0"}, Want: `127.0.0.1:9 "" 1 false 0s 512 true 0s`},
		{Args: []string{}, Want: "error: give the server as HOST:PORT"},
		{Args: []string{"127.0.0.1:0"}, Want: "error: port 0"},
		{Args: []string{"127.0.0.1:9", "--repeat", "2"}, Want: "error: add --send"},
		{Args: []string{"127.0.0.1:9", "--every", "1"}, Want: "error: add --send"},
		{Args: []string{"127.0.0.1:9", "--send", "x", "--every", "1", "-i", "1"}, Want: "error: exclude each other"},
		{Args: []string{"127.0.0.1:9", "--send", "x", "--every", "0"}, Want: "error: --every needs a positive duration"},
		{Args: []string{"127.0.0.1:9", "--send", "x", "--file", "y"}, Want: "error: exclude each other"},
		{Args: []string{"127.0.0.1:9", "--size", "10"}, Want: "error: add --file"},
		{Args: []string{"127.0.0.1:9", "--file", "x", "--size", "0"}, Want: "error: --size must be 1 to 65536"},
		{Args: []string{"127.0.0.1:9", "--send", "x", "-c", "0"}, Want: "error: --repeat must be 1 or more"},
		{Args: []string{"127.0.0.1:9", "--send", "zz", "--hex"}, Want: "error: --send with --hex"},
		{Args: []string{"127.0.0.1:9", "--send", "😀", "-e", "gbk"}, Want: "error: cannot be encoded in gbk"},
		{Args: []string{"127.0.0.1:9", "-e", "klingon"}, Want: `error: unknown encoding "klingon"`},
		{Args: []string{"127.0.0.1:9", "--source", "localhost"}, Want: "error: --source"},
	})
}
