package exporter

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"

	"netdiag/internal/testnet"
)

// startExporter runs an exporter in this process behind an httptest
// server on loopback; both stop when the test ends.
func startExporter(t *testing.T, opt Options) (*Exporter, string, *testnet.Buffer) {
	t.Helper()
	testnet.RequireRoot(t) // raw ICMP sockets
	if opt.Interval == 0 {
		opt.Interval = 100 * time.Millisecond
	}
	ctx, cancel := context.WithCancel(context.Background())
	logs := &testnet.Buffer{}
	e := newExporter(ctx, opt, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err := e.first(ctx); err != nil {
		cancel()
		t.Fatal(err)
	}
	srv := httptest.NewServer(e.handler())
	t.Cleanup(func() {
		srv.Close()
		cancel()
		e.shutdown()
	})
	return e, srv.URL, logs
}

// get fetches url and returns the status and body.
func get(t *testing.T, url string, header ...string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// sample returns the value of the sample whose name and labels (a
// substring of the label set, e.g. `host="127.0.0.1"`) match, and whether
// there is one.
func sample(body, name string, labels ...string) (float64, bool) {
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `(\{[^}]*\})? (\S+)$`)
	for _, m := range re.FindAllStringSubmatch(body, -1) {
		ok := true
		for _, l := range labels {
			ok = ok && strings.Contains(m[1], l)
		}
		if ok {
			v, _ := strconv.ParseFloat(m[2], 64)
			return v, true
		}
	}
	return 0, false
}

// serveDNS answers A queries with 127.0.0.1 and AAAA queries with ::1 on
// a loopback UDP port, or nothing at all when silent; it returns the port.
func serveDNS(t *testing.T, silent bool) int {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	testnet.ServePacket(t, pc, func(req []byte) []byte {
		var m dnsmessage.Message
		if silent || m.Unpack(req) != nil || len(m.Questions) != 1 {
			return nil
		}
		q := m.Questions[0]
		m.Header.Response, m.Header.RecursionAvailable = true, true
		h := dnsmessage.ResourceHeader{Name: q.Name, Type: q.Type, Class: q.Class, TTL: 60}
		switch q.Type {
		case dnsmessage.TypeA:
			m.Answers = []dnsmessage.Resource{{Header: h, Body: &dnsmessage.AResource{A: [4]byte{127, 0, 0, 1}}}}
		case dnsmessage.TypeAAAA:
			m.Answers = []dnsmessage.Resource{{Header: h, Body: &dnsmessage.AAAAResource{AAAA: netip.IPv6Loopback().As16()}}}
		}
		b, _ := m.Pack()
		return b
	})
	return pc.LocalAddr().(*net.UDPAddr).Port
}

// listen accepts and closes connections on a loopback port until the
// listener is closed.
func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	testnet.Serve(t, ln, nil)
	return ln
}

// TestProbe: /probe answers as blackbox_exporter does.
func TestProbe(t *testing.T) {
	_, url, _ := startExporter(t, Options{})
	ln := listen(t)
	dns, silent := serveDNS(t, false), serveDNS(t, true)
	for _, tc := range []struct {
		query   string
		header  []string
		success float64
		more    []string // samples that must be there
	}{
		{"module=icmp&target=127.0.0.1", nil, 1, []string{"probe_icmp_reply_hop_limit", `probe_icmp_duration_seconds{phase="rtt"}`, "probe_ip_protocol 4"}},
		{"module=icmp&target=::1", nil, 1, []string{"probe_ip_protocol 6"}},
		{"module=tcp_connect&target=" + ln.Addr().String(), nil, 1, []string{"probe_duration_seconds"}},
		{"module=tcp_connect&target=127.0.0.1:" + strconv.Itoa(testnet.FreePort(t)), nil, 0, nil},
		{"module=dns&target=127.0.0.1:" + strconv.Itoa(dns), nil, 1, []string{"probe_dns_answer_rrs 2", "probe_dns_query_succeeded 1"}},
		{"module=dns&target=127.0.0.1:" + strconv.Itoa(silent), []string{"X-Prometheus-Scrape-Timeout-Seconds", "1"}, 0,
			[]string{"probe_timeout_seconds 0.5", "probe_dns_query_succeeded 0"}},
	} {
		code, body := get(t, url+"/probe?"+tc.query, tc.header...)
		if code != 200 {
			t.Errorf("%s: HTTP %d: %s", tc.query, code, body)
			continue
		}
		if v, ok := sample(body, "probe_success"); !ok || v != tc.success {
			t.Errorf("%s: probe_success %v (present %v), want %v\n%s", tc.query, v, ok, tc.success, body)
		}
		for _, m := range tc.more {
			if !strings.Contains(body, m) {
				t.Errorf("%s: no %q in\n%s", tc.query, m, body)
			}
		}
		if tc.header != nil {
			// The silent resolver: the probe waited out its timeout.
			if d, _ := sample(body, "probe_duration_seconds"); d < 0.5 {
				t.Errorf("%s: the probe gave up after %vs, before its 0.5 s timeout", tc.query, d)
			}
		}
	}
	for _, tc := range []struct{ query, want string }{
		{"module=http_2xx&target=127.0.0.1", `Unknown module "http_2xx"`},
		{"module=icmp", "Target parameter is missing"},
	} {
		if code, body := get(t, url+"/probe?"+tc.query); code != 400 || !strings.Contains(body, tc.want) {
			t.Errorf("%s: HTTP %d %q, want 400 %q", tc.query, code, body, tc.want)
		}
	}
	if _, body := get(t, url+"/metrics"); !strings.Contains(body, "netdiag_exporter_module_unknown_total 1") {
		t.Errorf("the unknown module was not counted")
	}
}

// metricsUntil polls /metrics until cond holds on the body.
func metricsUntil(t *testing.T, url, what string, cond func(body string) bool) string {
	t.Helper()
	var body string
	testnet.WaitUntil(t, 30*time.Second, what, func() (bool, error) {
		_, body = get(t, url+"/metrics")
		return cond(body), nil
	})
	return body
}

// TestStoppedTargetFails: a target that stops answering shows up as
// failures on the same series, not as missing ones.
func TestStoppedTargetFails(t *testing.T) {
	ln := listen(t)
	addr := ln.Addr().String()
	_, url, _ := startExporter(t, Options{Targets: []string{addr, "127.0.0.1"}})
	port := `port="` + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port) + `"`
	metricsUntil(t, url, "two connections", func(b string) bool {
		v, _ := sample(b, "netdiag_tcp_response_duration_seconds_count", port)
		p, _ := sample(b, "smokeping_response_duration_seconds_count", `ip="127.0.0.1"`)
		return v >= 2 && p >= 2
	})
	ln.Close()
	body := metricsUntil(t, url, "refused connections", func(b string) bool {
		v, _ := sample(b, "netdiag_tcp_failures_total", port, `reason="refused"`)
		return v >= 2
	})
	reqs, _ := sample(body, "netdiag_tcp_requests_total", port)
	ok, _ := sample(body, "netdiag_tcp_response_duration_seconds_count", port)
	if reqs < ok+2 {
		t.Errorf("requests %v, successes %v: the failures are not counted as requests", reqs, ok)
	}
}

// TestReload: a bad configuration is refused with file and line, and
// changes nothing; a good one replaces the old, and targets that stay keep
// their counters.
func TestReload(t *testing.T) {
	ln := listen(t)
	file := filepath.Join(t.TempDir(), "exporter.yml")
	write := func(s string) {
		if err := os.WriteFile(file, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("targets:\n  - hosts: [\"" + ln.Addr().String() + "\"]\n    module: tcp_connect\n")
	_, url, _ := startExporter(t, Options{ConfigFile: file})
	port := `port="` + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port) + `"`
	body := metricsUntil(t, url, "two connections", func(b string) bool {
		v, _ := sample(b, "netdiag_tcp_requests_total", port)
		return v >= 2
	})
	before, _ := sample(body, "netdiag_tcp_requests_total", port)

	write("targets:\n  - hosts: [127.0.0.1]\n    module: tcp_connect\n")
	resp, err := http.Post(url+"/-/reload", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 500 || !strings.Contains(string(msg), "exporter.yml:2: 127.0.0.1: invalid host:port") {
		t.Fatalf("reload of a bad config: HTTP %d %q", resp.StatusCode, msg)
	}
	body = metricsUntil(t, url, "probing to go on", func(b string) bool {
		v, _ := sample(b, "netdiag_tcp_requests_total", port)
		return v > before
	})
	if v, _ := sample(body, "netdiag_exporter_config_last_reload_successful"); v != 0 {
		t.Errorf("netdiag_exporter_config_last_reload_successful %v after a refused reload", v)
	}

	write("targets:\n  - hosts: [\"" + ln.Addr().String() + "\"]\n    module: tcp_connect\n  - hosts: [127.0.0.1]\n    labels: {site: lab}\n")
	if resp, err := http.Post(url+"/-/reload", "", nil); err != nil || resp.StatusCode != 200 {
		t.Fatalf("reload of a good config: %v %v", resp, err)
	}
	body = metricsUntil(t, url, "the new target", func(b string) bool {
		_, ok := sample(b, "smokeping_requests_total", `host="127.0.0.1"`, `site="lab"`)
		return ok
	})
	if v, _ := sample(body, "netdiag_tcp_requests_total", port); v <= before {
		t.Errorf("the TCP target's requests went from %v to %v through the reload: not carried", before, v)
	}
	if code, _ := get(t, url+"/-/reload"); code != http.StatusMethodNotAllowed {
		t.Errorf("GET /-/reload: %d, want 405", code)
	}
}

// TestCarry: a target that stays through a reload keeps its counters.
func TestCarry(t *testing.T) {
	old := newSeries(Target{Mod: Module{Prober: TCP}}, DefaultBuckets)
	old.probed(time.Millisecond, "")
	old.probed(0, "timeout")
	s := newSeries(old.t, DefaultBuckets)
	s.carry(old)
	if s.requests != 2 || s.hist.count != 1 || s.failures[1] != 1 {
		t.Errorf("carried requests %d, answers %d, timeouts %d", s.requests, s.hist.count, s.failures[1])
	}
}

// TestPromtool: promtool check metrics passes the /metrics output, with
// every prober and configured labels in it.
func TestPromtool(t *testing.T) {
	testnet.RequireTools(t, "promtool")
	ln := listen(t)
	dns := serveDNS(t, false)
	file := filepath.Join(t.TempDir(), "exporter.yml")
	os.WriteFile(file, []byte("labels: {site: lab}\ntargets:\n  - hosts: [127.0.0.1, \"::1\"]\n  - hosts: [\""+ln.Addr().String()+
		"\"]\n    module: tcp_connect\n  - hosts: [\"127.0.0.1:"+strconv.Itoa(dns)+"\"]\n    module: dns\n    labels: {role: resolver}\n"), 0o644)
	_, url, _ := startExporter(t, Options{ConfigFile: file})
	body := metricsUntil(t, url, "answers from every target", func(b string) bool {
		for _, n := range []string{"smokeping_response_duration_seconds_count", "netdiag_tcp_response_duration_seconds_count", "netdiag_dns_response_duration_seconds_count"} {
			if v, _ := sample(b, n); v < 1 {
				return false
			}
		}
		return true
	})
	cmd := exec.Command("promtool", "check", "metrics")
	cmd.Stdin = strings.NewReader(body)
	if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
	for _, want := range [][]string{
		{"smokeping_response_duration_seconds_bucket", `host="::1"`, `le="5e-05"`, `role=""`, `site="lab"`},
		{"smokeping_response_ttl", `host="127.0.0.1"`, `source=""`},
		{"netdiag_dns_failures_total", `query_name="example.com"`, `reason="nxdomain"`, `role="resolver"`, `site="lab"`},
		{"netdiag_tcp_failures_total", `reason="refused"`, `site="lab"`},
		{"go_goroutines"}, {"process_resident_memory_bytes"},
	} {
		if _, ok := sample(body, want[0], want[1:]...); !ok {
			t.Errorf("/metrics lacks %v", want)
		}
	}
	if v, _ := sample(body, "smokeping_response_ttl", `host="127.0.0.1"`); v != 64 {
		t.Errorf("smokeping_response_ttl of 127.0.0.1 is %v, want 64", v)
	}
	if !strings.Contains(body, "# TYPE smokeping_response_duration_seconds histogram") {
		t.Errorf("smokeping_response_duration_seconds is not a histogram")
	}
	if _, page := get(t, url+"/"); !strings.Contains(page, "<td>tcp_connect</td>") || !strings.Contains(page, "role=resolver site=lab") {
		t.Errorf("root page:\n%s", page)
	}
}
