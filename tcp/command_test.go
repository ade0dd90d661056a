package tcp

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"netdiag/diag/netaddr"
	"netdiag/internal/testnet"
)

// binServer is the netdiag binary running "tcp server".
type binServer struct {
	cmd    *exec.Cmd
	mu     sync.Mutex
	lines  []string
	stderr strings.Builder
	done   chan struct{}
}

// startBinServer runs netdiag tcp server with args and waits for its
// listen line.
func startBinServer(t *testing.T, args ...string) *binServer {
	t.Helper()
	cmd := exec.Command(testnet.Binary(t), append([]string{"tcp", "server"}, args...)...)
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	stdout, _ := cmd.StdoutPipe()
	s := &binServer{cmd: cmd, done: make(chan struct{})}
	cmd.Stderr = &s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(s.done)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			s.mu.Lock()
			s.lines = append(s.lines, sc.Text())
			s.mu.Unlock()
		}
	}()
	t.Cleanup(func() { cmd.Process.Kill(); <-s.done; cmd.Wait() })
	s.waitLine(t, "listen", func(l string) bool {
		return strings.Contains(l, "listening on") || strings.Contains(l, `"type":"listen"`)
	})
	return s
}

func (s *binServer) output() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.lines...)
}

func (s *binServer) waitLine(t *testing.T, what string, match func(string) bool) string {
	t.Helper()
	var found string
	testnet.WaitUntil(t, 10*time.Second, "server line: "+what, func() (bool, error) {
		for _, l := range s.output() {
			if match(l) {
				found = l
				return true, nil
			}
		}
		select {
		case <-s.done:
			return false, fmt.Errorf("server exited; output:\n%s\nstderr:\n%s", strings.Join(s.output(), "\n"), s.stderr.String())
		default:
		}
		return false, nil
	})
	return found
}

// stop sends sig and returns the exit code.
func (s *binServer) stop(t *testing.T, sig os.Signal) int {
	t.Helper()
	s.cmd.Process.Signal(sig)
	if err := waitProcess(s.cmd, 10*time.Second); err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		t.Fatalf("server after %v: %v", sig, err)
	}
	<-s.done
	return 0
}

// The README session: the binary server in GBK, the textbook Python
// client; Ctrl-C prints the summary and exits 0.
func TestBinaryServerSessionGBK(t *testing.T) {
	t.Parallel()
	testnet.RequireTools(t, "python3")
	s := startBinServer(t, "-l", "127.0.0.1", "-p", "0", "--encoding", "gbk", "--reply", textbookReply, "--timestamps")
	port := regexp.MustCompile(`listening on 127\.0\.0\.1:(\d+)`).FindStringSubmatch(s.output()[0])[1]
	res := testnet.Run(t, 20*time.Second, "", "python3", "-c", pyClient, "127.0.0.1", port, "gbk")
	if res.Code != 0 {
		t.Fatalf("python: %s", res.Stderr)
	}
	s.waitLine(t, "disconnect", func(l string) bool { return strings.Contains(l, "disconnected") })
	if code := s.stop(t, os.Interrupt); code != 0 {
		t.Errorf("exit %d after Ctrl-C, want 0", code)
	}
	out := strings.Join(s.output(), "\n")
	ts := `\d\d:\d\d:\d\d\.\d\d\d `
	for _, re := range []string{
		`(?m)^` + ts + `listening on 127\.0\.0\.1:` + port + `: mode reply, encoding gbk$`,
		`(?m)^` + ts + `#1 127\.0\.0\.1:\d+ connected \(1 active\)$`, // the time is at the start of the line
		`(?m)^` + ts + `#1 127\.0\.0\.1:\d+ received 26 bytes: 你好服务端,我是客户端小黑!$`,
		`(?m)^` + ts + `#1 127\.0\.0\.1:\d+ disconnected after \S+: client left; received 26 bytes, sent 21 bytes$`,
		`(?m)^` + ts + `summary: served 1 client, received 26 bytes, sent 21 bytes in \S+$`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("output lacks %s:\n%s", re, out)
		}
	}
}

// The binary's --send --every runs on the system clock: a client hears
// the TEXT, in GBK, round after round, and the server reports each copy.
func TestBinaryServerEvery(t *testing.T) {
	t.Parallel()
	s := startBinServer(t, "-l", "127.0.0.1", "-p", "0", "--send", "心跳", "-e", "gbk", "--every", "10ms")
	addr := regexp.MustCompile(`listening on (127\.0\.0\.1:\d+)`).FindStringSubmatch(s.output()[0])[1]
	c := dialT(t, addr)
	c.SetReadDeadline(time.Now().Add(testnet.HangGuard))
	got := make([]byte, 8)
	if _, err := io.ReadFull(c, got); err != nil || string(got) != "\xd0\xc4\xcc\xf8\xd0\xc4\xcc\xf8" {
		t.Fatalf("two rounds: % x (%v), want 心跳 twice in GBK", got, err)
	}
	s.waitLine(t, "second round", func(string) bool {
		return strings.Count(strings.Join(s.output(), "\n"), "sent 4 bytes: 心跳") >= 2
	})
	if code := s.stop(t, os.Interrupt); code != 0 {
		t.Errorf("exit %d after Ctrl-C, want 0", code)
	}
}

// --json: one event per line, the documented fields; SIGTERM exits 0.
func TestBinaryServerJSON(t *testing.T) {
	t.Parallel()
	s := startBinServer(t, "-l", "::1", "-p", "0", "--json", "--echo")
	var listen struct {
		Addrs []string `json:"addrs"`
	}
	json.Unmarshal([]byte(s.output()[0]), &listen)
	if len(listen.Addrs) != 1 {
		t.Fatalf("listen event: %s", s.output()[0])
	}
	c := dialT(t, listen.Addrs[0])
	c.Write([]byte("hi \xff"))
	io.ReadFull(c, make([]byte, 4))
	c.Close()
	s.waitLine(t, "disconnect", func(l string) bool { return strings.Contains(l, `"type":"disconnect"`) })
	if code := s.stop(t, syscall.SIGTERM); code != 0 {
		t.Errorf("exit %d after SIGTERM", code)
	}
	var kinds []string
	for _, l := range s.output() {
		var ev map[string]any
		if err := json.Unmarshal([]byte(l), &ev); err != nil {
			t.Fatalf("not JSON: %q", l)
		}
		kinds = append(kinds, ev["type"].(string))
		if ev["type"] == "data" {
			if ev["text"] != "hi \uFFFD\\xff" || ev["hex"] != "686920ff" || ev["bytes"] != 4.0 || ev["invalid"] != 1.0 || ev["dir"] != "in" || ev["role"] != "server" {
				t.Errorf("data event = %s", l)
			}
		}
		if ev["type"] == "disconnect" && (ev["reason"] != "client left" || ev["bytes_in"] != 4.0 || ev["bytes_out"] != 4.0) {
			t.Errorf("disconnect event = %s", l)
		}
	}
	if strings.Join(kinds, ",") != "listen,connect,data,disconnect,summary" {
		t.Errorf("events %v", kinds)
	}
}

// The JSON lines of a server and of clients follow the schema: every kind
// of event, a client refused by --max-conns, --info; and the schema
// rejects broken lines, among them the old "event" kind key.
func TestJSONSchema(t *testing.T) {
	t.Parallel()
	const schema = "testdata/tcp.schema.json"
	s := startBinServer(t, "-l", "127.0.0.1", "-p", "0", "--json", "--echo", "--max-conns", "1", "--idle-timeout", "30s")
	var listen struct {
		Addrs []string `json:"addrs"`
	}
	json.Unmarshal([]byte(s.output()[0]), &listen)
	holder := dialT(t, listen.Addrs[0])
	s.waitLine(t, "connect", func(l string) bool { return strings.Contains(l, `"type":"connect"`) })
	var lines []string
	run := func(code int, args ...string) {
		res := testnet.Run(t, 30*time.Second, "", testnet.Binary(t), append([]string{"tcp", "client", "--json"}, args...)...)
		if res.Code != code {
			t.Fatalf("tcp client %v: exit %d, want %d: %s\n%s", args, res.Code, code, res.Stderr, res.Stdout)
		}
		if res.Stdout != "" { // none when the reset came before the connect returned
			lines = append(lines, strings.Split(strings.TrimSuffix(res.Stdout, "\n"), "\n")...)
		}
	}
	// The slot is taken: the server resets the connection once it accepts
	// it. --wait is long so that a server slow to accept on a loaded
	// machine cannot let the client end quietly first (it ends at the reset).
	run(1, "--send", "refused", "--wait", "25s", listen.Addrs[0])
	s.waitLine(t, "refusal", func(l string) bool { return strings.Contains(l, `"op":"max_conns"`) })
	holder.Close()
	s.waitLine(t, "disconnect", func(l string) bool { return strings.Contains(l, `"type":"disconnect"`) })
	run(0, "-e", "gbk", "--send", "你好", "--wait", "0.1", "--info", listen.Addrs[0])
	run(0, "-x", "--send", "ff fe 00", "--wait", "0.1", listen.Addrs[0]) // no text: "undecoded"
	if code := s.stop(t, syscall.SIGTERM); code != 0 {
		t.Errorf("server exit %d after SIGTERM", code)
	}
	lines = append(lines, s.output()...)
	kinds := map[string]bool{}
	for _, l := range lines {
		var ev map[string]any
		if err := json.Unmarshal([]byte(l), &ev); err != nil {
			t.Fatalf("not JSON: %q", l)
		}
		kinds[fmt.Sprint(ev["type"])] = true
	}
	for _, k := range []string{"listen", "connect", "data", "disconnect", "error", "summary"} {
		if !kinds[k] {
			t.Errorf("no %s line among %v: the test covers less than it says", k, kinds)
		}
	}
	// Error lines this test cannot provoke: a failed --save, a timed send
	// (--every) to a client that broke (TestServerEvery has "command").
	lines = append(lines,
		`{"type":"error","time":"2026-01-01T00:00:00Z","role":"server","conn":1,"local":"127.0.0.1:1","remote":"127.0.0.1:2","op":"save","error":"write in/127.0.0.1_2.bin: no space left on device"}`,
		`{"type":"error","time":"2026-01-01T00:00:00Z","role":"server","op":"every","error":"#1: client left before reading the reply"}`)
	if errs := testnet.SchemaErrors(t, schema, lines); errs != "" {
		t.Errorf("lines that do not follow the schema:\n%s", errs)
	}
	for _, broken := range []string{
		`{"type":"error","time":"2026-01-01T00:00:00Z","role":"server","op":"write","error":"x"}`,
		`{"event":"data","time":"2026-01-01T00:00:00Z","role":"server","conn":1,"local":"127.0.0.1:1","remote":"127.0.0.1:2","dir":"in","offset":0,"bytes":2,"text":"hi","hex":"6869"}`,
		`{"type":"data","time":"2026-01-01T00:00:00Z","role":"server","conn":1,"local":"127.0.0.1:1","remote":"127.0.0.1:2","dir":"in","offset":0,"bytes":2,"text":"hi","hex":"686"}`,
		`{"type":"disconnect","time":"2026-01-01T00:00:00Z","role":"server","conn":1,"local":"127.0.0.1:1","remote":"127.0.0.1:2","reason":"client left","bytes_in":0,"bytes_out":0,"duration_s":"1s"}`,
		`{"type":"summary","time":"2026-01-01T00:00:00Z","role":"client","clients":1,"bytes_in":0,"bytes_out":0,"duration_s":1,"in_bits_per_s":0,"out_bits_per_s":0,"extra":1}`,
	} {
		if testnet.SchemaErrors(t, schema, []string{broken}) == "" {
			t.Errorf("the schema accepts a broken line: %s", broken)
		}
	}
}

// A port held by another process: exit 2 and a message naming it.
func TestBinaryServerPortInUse(t *testing.T) {
	t.Parallel()
	testnet.RequireTools(t, "python3")
	py := startPeer(t, "python3", "-c", pyServer, "127.0.0.1", "utf-8")
	port := strings.TrimSpace(py.line(t))
	res := testnet.Run(t, 10*time.Second, "", testnet.Binary(t), "tcp", "server", "-p", port)
	want := fmt.Sprintf("netdiag: tcp server: cannot listen on :%s: port %s is already in use by python3 (PID %d) on 127.0.0.1:%s; stop it or choose another port with -p\n", port, port, py.cmd.Process.Pid, port)
	if res.Code != 2 || res.Stderr != want {
		t.Errorf("exit %d, stderr %q\nwant exit 2, %q", res.Code, res.Stderr, want)
	}
}

// A privileged port as an unprivileged user: exit 2 and why.
func TestBinaryServerPrivilegedPort(t *testing.T) {
	t.Parallel()
	testnet.RequireRoot(t)
	testnet.RequireTools(t, "setpriv")
	res := testnet.Run(t, 10*time.Second, "", "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all",
		testnet.Binary(t), "tcp", "server", "-l", "127.0.0.1", "-p", "80")
	if res.Code != 2 || !strings.Contains(res.Stderr, "permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)") {
		t.Errorf("exit %d, stderr %q", res.Code, res.Stderr)
	}
}

// The client binary, GBK, against the textbook threaded Python server.
func TestBinaryClientSessionGBK(t *testing.T) {
	t.Parallel()
	testnet.RequireTools(t, "python3")
	py := startPeer(t, "python3", "-c", pyServer, "::1", "gbk")
	port := strings.TrimSpace(py.line(t))
	res := testnet.Run(t, 20*time.Second, "", testnet.Binary(t), "tcp", "client", "--encoding", "gbk", "--send", textbookGreeting, "--wait", "300ms", "::1", port)
	if res.Code != 0 {
		t.Fatalf("exit %d: %s", res.Code, res.Stderr)
	}
	for _, re := range []string{
		`(?m)^connected to \[::1\]:` + port + ` from \[::1\]:\d+ in \S+$`,
		`(?m)^sent 26 bytes: 你好服务端,我是客户端小黑!$`,
		`(?m)^received 21 bytes: ok, 问题正在处理中\.\.\.$`,
		`(?m)^closed after \S+: quiet for 300ms \(--wait\); received 21 bytes, sent 26 bytes$`,
		`(?m)^summary: sent 26 bytes, received 21 bytes in \S+ \(\S+ \S+ out, \S+ \S+ in\)$`,
	} {
		if !regexp.MustCompile(re).MatchString(res.Stdout) {
			t.Errorf("output lacks %s:\n%s", re, res.Stdout)
		}
	}
	if got := strings.TrimSpace(py.line(t)); got != "c4e3bac3b7fecef1b6cb2cced2cac7bfcdbba7b6cbd0a1bada21" {
		t.Errorf("python received %s", got)
	}
}

// Like nc: stdin from a pipe, half-close at EOF, everything printed; --hex
// shows a dump.
func TestBinaryClientStdinHex(t *testing.T) {
	t.Parallel()
	ts := startServer(t, "127.0.0.1", ServerOptions{Mode: ModeEcho})
	res := testnet.Run(t, 20*time.Second, "hi\x00\xff", testnet.Binary(t), "tcp", "client", ts.addr, "--hex") // flags after the address, as with nc
	if res.Code != 0 {
		t.Fatalf("exit %d: %s", res.Code, res.Stderr)
	}
	for _, want := range []string{
		"received 4 bytes\n  00000000  68 69 00 ff                                       |hi..|\n",
		"closed after ",
		": server closed the connection; received 4 bytes, sent 4 bytes\n",
	} {
		if !strings.Contains(res.Stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, res.Stdout)
		}
	}
}

// --file is written from a mapping of the file (MAP_POPULATE), as strace
// shows, not with sendfile(2), byte-exact.
func TestBinaryClientFileWrittenFromMapping(t *testing.T) {
	t.Parallel()
	testnet.RequireTools(t, "strace")
	path := filepath.Join(t.TempDir(), "f")
	data := randomText(t, 4<<20+123)
	os.WriteFile(path, data, 0o600)
	ts := startServer(t, "127.0.0.1", ServerOptions{Mode: ModeDiscard})
	trace := filepath.Join(t.TempDir(), "trace")
	res := testnet.Run(t, 30*time.Second, "", "strace", "-f", "-e", "trace=sendfile,mmap", "-o", trace, testnet.Binary(t), "tcp", "client", "--json", "--file", path, ts.addr)
	if res.Code != 0 {
		t.Fatalf("exit %d: %s", res.Code, res.Stderr)
	}
	tr, _ := os.ReadFile(trace)
	// "sendfile(8, 5, NULL, 2147483647) = N", or split by strace -f into
	// "... <unfinished ...>" and "<... sendfile resumed>) = N".
	var sent int
	for _, m := range regexp.MustCompile(`(?m)^\d+\s+(?:sendfile\([^)\n]*\)|<\.\.\. sendfile resumed>\))\s+=\s+(\d+)$`).FindAllSubmatch(tr, -1) {
		var n int
		fmt.Sscan(string(m[1]), &n)
		sent += n
	}
	mapped := regexp.MustCompile(fmt.Sprintf(`mmap\(NULL, %d, PROT_READ, MAP_SHARED\|MAP_POPULATE, \d+, 0`, len(data)))
	if sent != 0 || !mapped.Match(tr) {
		t.Errorf("sendfile moved %d bytes (want 0), the file mapped whole: %v:\n%.3000s", sent, mapped.Match(tr), tr)
	}
	dis := ts.log.WaitFor(t, "disconnect", isKind(KindDisconnect)).(DisconnectEvent)
	if dis.BytesIn != int64(len(data)) {
		t.Errorf("server got %d bytes", dis.BytesIn)
	}
	if !strings.Contains(res.Stdout, fmt.Sprintf(`"bytes_out":%d`, len(data))) {
		t.Errorf("summary lacks bytes_out %d:\n%s", len(data), res.Stdout)
	}
}

// Exit codes and messages for bad input and failures.
func TestBinaryErrors(t *testing.T) {
	t.Parallel()
	closed := netaddr.Port(testnet.FreePort(t))
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"server", "--encoding", "klingon"}, 2, `tcp server: --encoding: unknown encoding "klingon"; accepted (and their IANA/WHATWG aliases such as gb2312, cp936, latin1, sjis): big5, euc-jp, euc-kr, gb18030, gbk,`},
		{[]string{"client", "--encoding", "nope", "127.0.0.1:1"}, 2, `unknown encoding "nope"`},
		{[]string{"client", "--hex", "--send", "48 6g", "127.0.0.1:1"}, 2, `tcp client: --send with --hex: invalid hex "48 6g" at position 5: 'g' is not a hex digit`},
		{[]string{"server", "--hex", "--reply", "486", "-p", "0"}, 2, `--reply with --hex: invalid hex "486"`},
		{[]string{"client", "--encoding", "latin1", "--send", "你", "127.0.0.1:1"}, 2, `cannot be encoded in iso-8859-1`},
		{[]string{"client"}, 2, "give the server as HOST:PORT or HOST PORT"},
		{[]string{"client", "127.0.0.1", "1", "2"}, 2, `too many arguments ["127.0.0.1" "1" "2"]`},
		{[]string{"client", "127.0.0.1:1", "--nope"}, 2, "unknown flag --nope"},
		{[]string{"server", "9090"}, 2, `unexpected argument "9090": the server takes flags only`},
		{[]string{"client", "127.0.0.1:0"}, 2, "port 0 cannot be connected to"},
		{[]string{"client", "::1:80"}, 2, "Write [::1]:80 for the port"},
		{[]string{"client", "--send", "x", "--file", "/etc/hostname", "127.0.0.1:1"}, 2, "--send and --file exclude each other"},
		{[]string{"client", "--repeat", "3", "127.0.0.1:1"}, 2, "add --send"},
		{[]string{"client", "--file", "/nonexistent", "127.0.0.1:1"}, 2, "no such file or directory"},
		{[]string{"client", "--send", "x", "127.0.0.1", closed.String()}, 1, "tcp client: cannot connect to 127.0.0.1:" + closed.String() + ": dial tcp 127.0.0.1:" + closed.String() + ": connect: connection refused"},
		{[]string{"client", "-4", "-6", "127.0.0.1:1"}, 2, "-4 and -6 exclude each other"},
		{[]string{"server", "--echo", "--discard"}, 2, "--reply, --echo and --discard exclude each other"},
		{[]string{"server", "-l", "127.0.0.1:7000", "-p", "7001"}, 2, "name different ports"},
		{[]string{"server", "-l", "300.1.1.1"}, 2, `-l: invalid`},
		{[]string{"server", "-p", "70000"}, 2, "out of range"},
	} {
		res := testnet.Run(t, 10*time.Second, "", testnet.Binary(t), append([]string{"tcp"}, tc.args...)...)
		if res.Code != tc.code || !strings.Contains(res.Stderr, tc.want) {
			t.Errorf("netdiag tcp %s: exit %d, stderr %q\nwant exit %d and %q", strings.Join(tc.args, " "), res.Code, res.Stderr, tc.code, tc.want)
		}
		if strings.Contains(res.Stderr, "goroutine ") || strings.Contains(res.Stderr, "panic") {
			t.Errorf("netdiag tcp %s panicked:\n%s", strings.Join(tc.args, " "), res.Stderr)
		}
	}
}

// Only the null device itself counts as "the output is discarded".
func TestIsDevNull(t *testing.T) {
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Skip(err)
	}
	defer null.Close()
	file, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	for _, tc := range []struct {
		name string
		w    io.Writer
		want bool
	}{{"null", null, true}, {"file", file, false}, {"buffer", new(bytes.Buffer), false}} {
		if got := isDevNull(tc.w); got != tc.want {
			t.Errorf("isDevNull(%s) = %v, want %v", tc.name, got, tc.want)
		}
	}
}
