package udp

import (
	"bufio"
	"encoding/json"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"netdiag/internal/testnet"
)

// TestJSONSchema validates the --json lines of a GBK echo server (and its
// /list, /close and a bad command typed on its stdin, and its summary
// after Ctrl-C), a truncating server, and clients that get echoes, send
// hex that is not GBK, are truncated, and meet a closed port, against
// testdata/udp.schema.json with Python's jsonschema; and checks that the
// schema rejects broken lines. Everything runs in a namespace of its own.
func TestJSONSchema(t *testing.T) {
	ns := testnet.Netns(t, "udpjson")
	bin := testnet.Binary(t)
	argv := testnet.InNetns(ns, bin, "udp", "server", "--json", "-l", "127.0.0.1", "-p", "9999", "--echo", "--encoding", "gbk")
	srv := exec.Command(argv[0], argv[1:]...)
	stdin, err := srv.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := srv.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Process.Kill(); srv.Wait() })
	out := make(chan string, 256)
	go func() {
		defer close(out)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			out <- sc.Text()
		}
	}()
	var lines []string
	// await reads the server's lines until one contains want.
	await := func(want string) {
		t.Helper()
		deadline := time.After(30 * time.Second) // a safety net, not a timing assertion
		for {
			select {
			case l, ok := <-out:
				if !ok {
					t.Fatalf("the server exited before printing %s; it printed:\n%s", want, strings.Join(lines, "\n"))
				}
				lines = append(lines, l)
				if strings.Contains(l, want) {
					return
				}
			case <-deadline:
				t.Fatalf("the server printed no %s:\n%s", want, strings.Join(lines, "\n"))
			}
		}
	}
	await(`"type":"listen"`)
	trunc := testnet.InNetns(ns, bin, "udp", "server", "--json", "-l", "127.0.0.1", "-p", "9998", "--size", "3", "--reply", "ok")
	truncSrv := exec.Command(trunc[0], trunc[1:]...)
	truncOut, err := truncSrv.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := truncSrv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { truncSrv.Process.Kill(); truncSrv.Wait() })
	truncLines := bufio.NewScanner(truncOut)
	if !truncLines.Scan() || !strings.Contains(truncLines.Text(), `"type":"listen"`) {
		t.Fatalf("the truncating server did not start: %q", truncLines.Text())
	}
	lines = append(lines, truncLines.Text())
	for _, c := range []struct {
		code  int
		stdin string
		args  []string
	}{
		{0, "", []string{"--encoding", "gbk", "--send", "你好", "--repeat", "3", "--interval", "0.05", "127.0.0.1:9999"}},
		{0, "ff41\n", []string{"--encoding", "gbk", "--hex", "127.0.0.1:9999"}},
		{0, "", []string{"--send", "hello", "localhost:9998"}},
		{1, "", []string{"--send", "hi", "127.0.0.1:9"}},
	} {
		argv := testnet.InNetns(ns, append([]string{bin, "udp", "client", "--json"}, c.args...)...)
		res := testnet.Run(t, time.Minute, c.stdin, argv[0], argv[1:]...)
		if res.Code != c.code {
			t.Fatalf("udp client %v: exit %d, want %d: %s", c.args, res.Code, c.code, res.Stderr)
		}
		lines = append(lines, strings.Split(strings.TrimSpace(res.Stdout), "\n")...)
	}
	for range 2 { // the peer, then its datagram
		if !truncLines.Scan() {
			t.Fatal("the truncating server printed too little")
		}
		lines = append(lines, truncLines.Text())
	}
	for _, cmd := range []struct{ line, want string }{
		{"/list", `"type":"list"`}, {"/close 1", `"type":"close"`}, {"/close 99", `"type":"error"`},
	} {
		if _, err := stdin.Write([]byte(cmd.line + "\n")); err != nil {
			t.Fatal(err)
		}
		await(cmd.want)
	}
	srv.Process.Signal(syscall.SIGINT)
	await(`"type":"summary"`)
	types := map[string]bool{}
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not JSON: %q", l)
		}
		types[m["type"].(string)] = true
		for _, k := range []string{"echo_of", "invalid", "truncated", "port_closed", "echo", "peers", "name"} {
			if m[k] != nil {
				types[k] = true
			}
		}
	}
	for _, want := range []string{"listen", "start", "peer", "data", "list", "close", "error", "summary",
		"echo_of", "invalid", "truncated", "port_closed", "echo", "peers", "name"} {
		if !types[want] {
			t.Errorf("no line has %s: the test covers less than it says\n%s", want, strings.Join(lines, "\n"))
		}
	}
	const schema = "testdata/udp.schema.json"
	if errs := testnet.SchemaErrors(t, schema, lines); errs != "" {
		t.Errorf("lines that do not match the schema:\n%s", errs)
	}
	const head = `"time":"2026-12-07T12:00:00Z","role":"client"`
	for _, broken := range []string{
		`{"type":"data",` + head + `,"local":"127.0.0.1:1","remote":"127.0.0.1:2","dir":"in","seq":1,"bytes":2,"text":"hi"}`,                         // no hex
		`{"type":"data",` + head + `,"local":"127.0.0.1:1","remote":"127.0.0.1:2","dir":"in","seq":1,"bytes":2,"text":"hi","hex":"686"}`,             // odd hex
		`{"type":"data",` + head + `,"local":"127.0.0.1:1","remote":"127.0.0.1:2","dir":"up","seq":1,"bytes":2,"text":"hi","hex":"6869"}`,            // bad dir
		`{"type":"data",` + head + `,"local":"127.0.0.1","remote":"127.0.0.1:2","dir":"in","seq":1,"bytes":2,"text":"hi","hex":"6869"}`,              // no port
		`{"type":"summary",` + head + `,"datagrams_out":1,"bytes_out":2,"datagrams_in":0,"bytes_in":0,"duration_s":"1s","in_per_s":0,"out_per_s":1}`, // a duration as a string
		`{"type":"peer","time":"2026-12-07T12:00:00Z","role":"server","peer":1,"remote":"127.0.0.1:2","event":"peer"}`,                               // unknown field
		`{"type":"peer","time":"2026-12-07T12:00:00Z","role":"relay","peer":1,"remote":"127.0.0.1:2"}`,                                               // bad role
	} {
		if testnet.SchemaErrors(t, schema, []string{broken}) == "" {
			t.Errorf("the schema accepts a broken line: %s", broken)
		}
	}
}
