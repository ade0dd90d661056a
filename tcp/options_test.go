package tcp

import (
	"bytes"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"netdiag/diag/exitcode"
	"netdiag/diag/netaddr"
	"netdiag/diag/wire"
)

func TestServerOptions(t *testing.T) {
	utf8 := shared{Encoding: "utf-8"}
	for _, tc := range []struct {
		name string
		f    serverFlags
		host string
		port netaddr.Port
		fam  netaddr.Family
		mode Mode
		// timed is "send every repeat" of the timed sending.
		timed string
		err   string
	}{
		{name: "defaults", f: serverFlags{ServerFlags: wire.ServerFlags{Port: "9090"}, shared: utf8}, port: 9090},
		{name: "-l host", f: serverFlags{ServerFlags: wire.ServerFlags{Listen: "127.0.0.1", Port: "9090"}, shared: utf8}, host: "127.0.0.1", port: 9090},
		{name: "-l v6", f: serverFlags{ServerFlags: wire.ServerFlags{Listen: "::1", Port: "80"}, shared: utf8}, host: "::1", port: 80},
		{name: "-l host:port", f: serverFlags{ServerFlags: wire.ServerFlags{Listen: "[::1]:7000", Port: "9090"}, shared: utf8}, host: "::1", port: 7000},
		{name: "-l :port", f: serverFlags{ServerFlags: wire.ServerFlags{Listen: ":7000", Port: "9090"}, shared: utf8}, port: 7000},
		{name: "-l name", f: serverFlags{ServerFlags: wire.ServerFlags{Listen: "localhost", Port: "http"}, shared: utf8}, host: "localhost", port: 80},
		{name: "-l port and same -p", f: serverFlags{ServerFlags: wire.ServerFlags{Listen: "127.0.0.1:7000", Port: "7000", PortSet: true}, shared: utf8}, host: "127.0.0.1", port: 7000},
		{name: "-l port and other -p", f: serverFlags{ServerFlags: wire.ServerFlags{Listen: "127.0.0.1:7000", Port: "7001", PortSet: true}, shared: utf8}, err: "name different ports"},
		{name: "bad -l", f: serverFlags{ServerFlags: wire.ServerFlags{Listen: "127.1", Port: "9090"}, shared: utf8}, err: `-l: invalid`},
		{name: "bad -p", f: serverFlags{ServerFlags: wire.ServerFlags{Port: "-1"}, shared: utf8}, err: "-p: invalid port"},
		{name: "-6", f: serverFlags{ServerFlags: wire.ServerFlags{Port: "9090"}, shared: shared{Encoding: "utf-8", IPv6: true}}, port: 9090, fam: netaddr.IPv6},
		{name: "echo", f: serverFlags{ServerFlags: wire.ServerFlags{Port: "1", Echo: true}, shared: utf8}, port: 1, mode: ModeEcho},
		{name: "discard", f: serverFlags{ServerFlags: wire.ServerFlags{Port: "1", Discard: true}, shared: utf8}, port: 1, mode: ModeDiscard},
		{name: "reply", f: serverFlags{ServerFlags: wire.ServerFlags{Port: "1", Reply: "ok", ReplySet: true}, shared: utf8}, port: 1, mode: ModeReply},
		{name: "empty reply", f: serverFlags{ServerFlags: wire.ServerFlags{Port: "1", Reply: "", ReplySet: true}, shared: utf8}, err: "--reply needs a non-empty TEXT"},
		{name: "two modes", f: serverFlags{ServerFlags: wire.ServerFlags{Port: "1", Echo: true, Discard: true}, shared: utf8}, err: "exclude each other"},
		{name: "negative max", f: serverFlags{ServerFlags: wire.ServerFlags{Port: "1"}, maxConns: -1, shared: utf8}, err: "--max-conns"},
		{name: "negative idle", f: serverFlags{ServerFlags: wire.ServerFlags{Port: "1"}, idle: -time.Second, shared: utf8}, err: "--idle-timeout"},
		{name: "bad encoding", f: serverFlags{ServerFlags: wire.ServerFlags{Port: "1"}, shared: shared{Encoding: "x"}}, err: "unknown encoding"},
		{name: "every", f: timed(wire.ServerFlags{Send: "hb", SendSet: true, Every: time.Second, EverySet: true}, utf8), port: 1, timed: `"hb" 1s 0`},
		{name: "every repeat echo", f: timed(wire.ServerFlags{Echo: true, Send: "hb", SendSet: true, Every: time.Second, EverySet: true, Repeat: 2, RepeatSet: true}, utf8),
			port: 1, mode: ModeEcho, timed: `"hb" 1s 2`},
		{name: "every gbk", f: timed(wire.ServerFlags{Send: "你好", SendSet: true, Every: time.Minute, EverySet: true}, shared{Encoding: "gbk"}), port: 1, timed: `"\xc4\xe3\xba\xc3" 1m0s 0`},
		{name: "every hex", f: timed(wire.ServerFlags{Send: "48 69", SendSet: true, Every: time.Second, EverySet: true}, shared{Encoding: "utf-8", Hex: true}), port: 1, timed: `"Hi" 1s 0`},
		{name: "every without send", f: timed(wire.ServerFlags{Every: time.Second, EverySet: true}, utf8), err: "tcp server: --every D sends --send TEXT to every client; add --send"},
		{name: "send without every", f: timed(wire.ServerFlags{Send: "x", SendSet: true}, utf8), err: "tcp server: --send TEXT goes to every client every --every D; add --every"},
		{name: "repeat without every", f: timed(wire.ServerFlags{Repeat: 3, RepeatSet: true}, utf8), err: "tcp server: --repeat N counts the rounds of --every D"},
		{name: "every 0", f: timed(wire.ServerFlags{Send: "x", SendSet: true, EverySet: true}, utf8), err: "tcp server: --every needs a positive duration"},
		{name: "negative every", f: timed(wire.ServerFlags{Send: "x", SendSet: true, Every: -time.Second, EverySet: true}, utf8), err: "--every needs a positive duration"},
		{name: "repeat 0", f: timed(wire.ServerFlags{Send: "x", SendSet: true, Every: time.Second, EverySet: true, RepeatSet: true}, utf8), err: "tcp server: --repeat must be 1 or more"},
		{name: "empty send", f: timed(wire.ServerFlags{SendSet: true, Every: time.Second, EverySet: true}, utf8), err: "tcp server: --send needs a non-empty TEXT"},
		{name: "bad hex send", f: timed(wire.ServerFlags{Send: "zz", SendSet: true, Every: time.Second, EverySet: true}, shared{Encoding: "utf-8", Hex: true}), err: "--send with --hex"},
	} {
		lopt, sopt, err := serverOptions(tc.f)
		if !wantErr(t, tc.name, err, tc.err) {
			continue
		}
		if lopt.Host.String() != tc.host || lopt.Port != tc.port || lopt.Family != tc.fam || sopt.Mode != tc.mode {
			t.Errorf("%s: got host %q port %d family %v mode %v", tc.name, lopt.Host, lopt.Port, lopt.Family, sopt.Mode)
		}
		if tc.timed == "" {
			tc.timed = `"" 0s 0`
		}
		if got := fmt.Sprintf("%q %v %d", sopt.Timed.Send, sopt.Timed.Every, sopt.Timed.Repeat); got != tc.timed {
			t.Errorf("%s: timed sending %s, want %s", tc.name, got, tc.timed)
		}
	}
}

// timed returns the server flags of port 1 with the timed sending of f.
func timed(f wire.ServerFlags, sh shared) serverFlags {
	f.Port = "1"
	return serverFlags{ServerFlags: f, shared: sh}
}

func TestServerOptionsReplyEncoding(t *testing.T) {
	_, sopt, err := serverOptions(serverFlags{ServerFlags: wire.ServerFlags{Port: "1", Reply: "你好", ReplySet: true}, shared: shared{Encoding: "gbk"}})
	if err != nil || !bytes.Equal(sopt.Reply, []byte{0xc4, 0xe3, 0xba, 0xc3}) {
		t.Errorf("GBK reply = % x, %v", sopt.Reply, err)
	}
	_, sopt, err = serverOptions(serverFlags{ServerFlags: wire.ServerFlags{Port: "1", Reply: "48 69", ReplySet: true}, shared: shared{Encoding: "gbk", Hex: true}})
	if err != nil || string(sopt.Reply) != "Hi" {
		t.Errorf("hex reply = %q, %v", sopt.Reply, err)
	}
}

func TestClientOptions(t *testing.T) {
	utf8 := shared{Encoding: "utf-8"}
	base := func(args ...string) clientFlags {
		return clientFlags{ClientFlags: wire.ClientFlags{Args: args, Repeat: 1}, wait: defaultWait, timeout: defaultConnectTimeout, shared: utf8}
	}
	with := func(f clientFlags, edit func(*clientFlags)) clientFlags { edit(&f); return f }
	for _, tc := range []struct {
		name   string
		f      clientFlags
		target string
		source string
		err    string
	}{
		{name: "host:port", f: base("127.0.0.1:9090"), target: "127.0.0.1:9090"},
		{name: "host port", f: base("::1", "9090"), target: "[::1]:9090"},
		{name: "[v6]:port", f: base("[::1]:9090"), target: "[::1]:9090"},
		{name: "name service", f: base("localhost", "http"), target: "localhost:80"},
		{name: "no args", f: base(), err: "give the server as HOST:PORT"},
		{name: "three args", f: base("a", "1", "2"), err: "too many arguments"},
		{name: "no host", f: base(":9090"), err: "has no host"},
		{name: "port 0", f: base("127.0.0.1:0"), err: "port 0"},
		{name: "bad host", f: base("300.1.1.1", "80"), err: "invalid"},
		{name: "source addr", f: with(base("127.0.0.1:1"), func(f *clientFlags) { f.Source = "127.0.0.2" }), target: "127.0.0.1:1", source: "127.0.0.2:0"},
		{name: "source addr:port", f: with(base("127.0.0.1:1"), func(f *clientFlags) { f.Source = "[::1]:5000" }), target: "127.0.0.1:1", source: "[::1]:5000"},
		{name: "source name", f: with(base("127.0.0.1:1"), func(f *clientFlags) { f.Source = "localhost" }), err: "give a local IP address"},
		{name: "send and file", f: with(base("127.0.0.1:1"), func(f *clientFlags) { f.SendSet, f.Send, f.File = true, "x", "f" }), err: "exclude each other"},
		{name: "repeat without send", f: with(base("127.0.0.1:1"), func(f *clientFlags) { f.RepeatSet, f.Repeat = true, 2 }), err: "add --send"},
		{name: "interval without send", f: with(base("127.0.0.1:1"), func(f *clientFlags) { f.Interval = time.Second }), err: "add --send"},
		{name: "repeat 0", f: with(base("127.0.0.1:1"), func(f *clientFlags) { f.SendSet, f.Send, f.RepeatSet, f.Repeat = true, "x", true, 0 }), err: "--repeat must be 1 or more"},
		{name: "negative wait", f: with(base("127.0.0.1:1"), func(f *clientFlags) { f.wait = -1 }), err: "must not be negative"},
		{name: "empty send", f: with(base("127.0.0.1:1"), func(f *clientFlags) { f.SendSet = true }), err: "--send needs a non-empty TEXT"},
		{name: "every without send", f: with(base("127.0.0.1:1"), func(f *clientFlags) { f.EverySet, f.Every = true, time.Second }), err: "add --send"},
		{name: "every and interval", f: with(base("127.0.0.1:1"), func(f *clientFlags) {
			f.SendSet, f.Send, f.EverySet, f.Every, f.Interval = true, "x", true, time.Second, time.Second
		}), err: "exclude each other"},
		{name: "every 0", f: with(base("127.0.0.1:1"), func(f *clientFlags) { f.SendSet, f.Send, f.EverySet = true, "x", true }), err: "--every needs a positive duration"},
	} {
		opt, err := clientOptions(tc.f)
		if !wantErr(t, tc.name, err, tc.err) {
			continue
		}
		src := ""
		if opt.Source.IsValid() {
			src = opt.Source.String()
		}
		if opt.Target.String() != tc.target || src != tc.source {
			t.Errorf("%s: target %s source %q", tc.name, opt.Target, src)
		}
	}
}

func TestClientOptionsPayload(t *testing.T) {
	opt, err := clientOptions(clientFlags{ClientFlags: wire.ClientFlags{Args: []string{"127.0.0.1:1"}, Repeat: 1, Send: "你好", SendSet: true}, shared: shared{Encoding: "gb18030"}})
	if err != nil || !bytes.Equal(opt.Send, []byte{0xc4, 0xe3, 0xba, 0xc3}) || opt.Codec.Name() != "gb18030" {
		t.Errorf("gb18030 payload % x, %v", opt.Send, err)
	}
	opt, err = clientOptions(clientFlags{ClientFlags: wire.ClientFlags{Args: []string{"127.0.0.1:1"}, Repeat: 1, Send: "de:ad:be:ef", SendSet: true}, shared: shared{Encoding: "utf-8", Hex: true}})
	if err != nil || !bytes.Equal(opt.Send, []byte{0xde, 0xad, 0xbe, 0xef}) || !opt.Hex {
		t.Errorf("hex payload % x, %v", opt.Send, err)
	}
	if opt.Source != (netip.AddrPort{}) {
		t.Errorf("source set without --source: %v", opt.Source)
	}
}

// wantErr checks err against want ("" for success): a wanted error must be
// an exit-2 usage error containing want. It reports whether the case
// succeeded and its result should be checked further.
func wantErr(t *testing.T, name string, err error, want string) bool {
	t.Helper()
	switch {
	case want != "":
		if err == nil || !strings.Contains(err.Error(), want) || exitcode.Code(err) != 2 {
			t.Errorf("%s: err = %v, want exit-2 error containing %q", name, err, want)
		}
		return false
	case err != nil:
		t.Errorf("%s: %v", name, err)
		return false
	}
	return true
}

// --every D is --interval D without end, or --repeat N times.
func TestClientOptionsEvery(t *testing.T) {
	f := clientFlags{ClientFlags: wire.ClientFlags{Args: []string{"127.0.0.1:1"}, Repeat: 1, Send: "x", SendSet: true, Every: 2 * time.Second, EverySet: true}, shared: shared{Encoding: "utf-8"}}
	opt, err := clientOptions(f)
	if err != nil || !opt.Forever || opt.Interval != 2*time.Second {
		t.Errorf("--every 2s: forever %v interval %v (%v)", opt.Forever, opt.Interval, err)
	}
	f.Repeat, f.RepeatSet = 5, true
	opt, err = clientOptions(f)
	if err != nil || opt.Forever || opt.Repeat != 5 || opt.Interval != 2*time.Second {
		t.Errorf("--every 2s --repeat 5: forever %v repeat %d interval %v (%v)", opt.Forever, opt.Repeat, opt.Interval, err)
	}
}
