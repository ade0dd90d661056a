package exporter

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"netdiag/internal/testnet"
)

// proc is a netdiag exporter (or Prometheus) process started by a test.
type proc struct {
	cmd  *exec.Cmd
	logs *testnet.Buffer
	done chan struct{} // closed when it has exited, with err its Wait's error
	err  error
}

// startProc starts argv with its output in logs; the process is killed
// when the test ends if it is still running.
func startProc(t *testing.T, argv ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(argv[0], argv[1:]...), logs: &testnet.Buffer{}, done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// listening waits for the exporter's "Listening on" line and returns the
// address.
func (p *proc) listening(t *testing.T) string {
	t.Helper()
	re := regexp.MustCompile(`msg="Listening on" address=(\S+)`)
	var addr string
	testnet.WaitUntil(t, 30*time.Second, "the exporter to listen", func() (bool, error) {
		select {
		case <-p.done:
			return false, fmt.Errorf("exited: %v\n%s", p.err, p.logs)
		default:
		}
		if m := re.FindStringSubmatch(p.logs.String()); m != nil {
			addr = m[1]
			return true, nil
		}
		return false, nil
	})
	return addr
}

// writeFile writes a file in the test's temporary directory.
func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	f := filepath.Join(dir, name)
	if err := os.WriteFile(f, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

// promQuery runs an instant PromQL query on Prometheus's HTTP API and
// returns each series' labels and value.
func promQuery(t *testing.T, prom, q string) (map[string]float64, error) {
	resp, err := http.Get(prom + "/api/v1/query?query=" + url.QueryEscape(q))
	if err != nil {
		return nil, nil // not up yet
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusServiceUnavailable {
		return nil, nil // starting
	}
	var r struct {
		Status string
		Data   struct {
			Result []struct {
				Metric map[string]string
				Value  [2]any
			}
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || r.Status != "success" {
		return nil, fmt.Errorf("query %s: %s %v", q, r.Status, err)
	}
	out := map[string]float64{}
	for _, s := range r.Data.Result {
		v, _ := strconv.ParseFloat(s.Value[1].(string), 64)
		out[s.Metric["host"]+" "+s.Metric["reason"]] = v
	}
	return out, nil
}

// TestPrometheusScrapes: a real Prometheus, on loopback with a generated
// configuration, scrapes the exporter, and PromQL over its HTTP API finds
// the series with the values expected: replies from the pinged hosts, and
// refusals from a closed port.
func TestPrometheusScrapes(t *testing.T) {
	testnet.RequireTools(t, "prometheus")
	testnet.RequireRoot(t)
	dir := t.TempDir()
	closed := testnet.FreePort(t)
	cfg := writeFile(t, dir, "exporter.yml", "interval: 0.2\nlabels: {site: lab}\ntargets:\n  - hosts: [127.0.0.1, \"::1\"]\n"+
		"  - hosts: [\"127.0.0.1:"+strconv.Itoa(closed)+"\"]\n    module: tcp_connect\n")
	ex := startProc(t, testnet.Binary(t), "exporter", "--listen", "127.0.0.1:0", "--config", cfg)
	addr := ex.listening(t)

	promPort := testnet.FreePort(t)
	pcfg := writeFile(t, dir, "prometheus.yml", fmt.Sprintf(`global: {scrape_interval: 1s, scrape_timeout: 1s}
scrape_configs:
  - job_name: netdiag
    static_configs: [{targets: [%q]}]
`, addr))
	startProc(t, "prometheus", "--config.file="+pcfg, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		fmt.Sprintf("--web.listen-address=127.0.0.1:%d", promPort))
	prom := fmt.Sprintf("http://127.0.0.1:%d", promPort)

	var got map[string]float64
	testnet.WaitUntil(t, 90*time.Second, "Prometheus to hold two scrapes of replies", func() (bool, error) {
		var err error
		got, err = promQuery(t, prom, `smokeping_response_duration_seconds_count{job="netdiag",site="lab"}`)
		return got["127.0.0.1 "] >= 5 && got["::1 "] >= 5, err
	})
	testnet.WaitUntil(t, 60*time.Second, "refusals in Prometheus", func() (bool, error) {
		got, err := promQuery(t, prom, `netdiag_tcp_failures_total{job="netdiag"}`)
		return got["127.0.0.1 refused"] >= 1 && len(got) == 4, err
	})
	// The README's loss expression: no loss on loopback.
	testnet.WaitUntil(t, 60*time.Second, "a loss ratio over two scrapes", func() (bool, error) {
		got, err := promQuery(t, prom, `1 - increase(smokeping_response_duration_seconds_count[5s]) / increase(smokeping_requests_total[5s])`)
		v, ok := got["127.0.0.1 "]
		if ok && v > 0.5 {
			return false, fmt.Errorf("loss ratio %v on loopback", v)
		}
		return ok, err
	})
}

// TestSignals: SIGHUP with a bad configuration logs the refusal with file
// and line and probing goes on; SIGTERM shuts down cleanly within a second.
func TestSignals(t *testing.T) {
	testnet.RequireRoot(t)
	dir := t.TempDir()
	cfg := writeFile(t, dir, "exporter.yml", "interval: 0.1\ntargets:\n  - hosts: [127.0.0.1]\n")
	ex := startProc(t, testnet.Binary(t), "exporter", "--listen", "127.0.0.1:0", "--config", cfg)
	base := "http://" + ex.listening(t)
	metricsUntil(t, base, "replies", func(b string) bool {
		v, _ := sample(b, "smokeping_response_duration_seconds_count", `host="127.0.0.1"`)
		return v >= 2
	})
	writeFile(t, dir, "exporter.yml", "interval: 0.1\ntargets:\n  - hosts: [127.0.0.1]\n    size: 10\n")
	ex.cmd.Process.Signal(syscall.SIGHUP)
	testnet.WaitUntil(t, 30*time.Second, "the refusal in the log", func() (bool, error) {
		return strings.Contains(ex.logs.String(), `exporter.yml:4: unknown key \"size\"`), nil
	})
	_, body := get(t, base+"/metrics")
	before, _ := sample(body, "smokeping_requests_total", `host="127.0.0.1"`)
	metricsUntil(t, base, "probing to go on", func(b string) bool {
		v, _ := sample(b, "smokeping_requests_total", `host="127.0.0.1"`)
		return v > before
	})

	sent := time.Now()
	ex.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-ex.done:
		wall := time.Since(sent)
		if ex.err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", ex.err, ex.logs)
		}
		// The exporter times its own shutdown, from the signal's arrival to
		// the last prober stopped: that must be under 1 s. The wall clock
		// seen here adds process exit and this test's scheduling, so it
		// only gets a loose bound.
		m := regexp.MustCompile(`msg="shut down cleanly" took=(\S+)`).FindStringSubmatch(ex.logs.String())
		if m == nil {
			t.Fatalf("no clean shutdown in the log:\n%s", ex.logs)
		}
		if took, err := time.ParseDuration(m[1]); err != nil || took >= time.Second {
			t.Errorf("shutdown took %s, want under 1s", m[1])
		}
		if wall > 10*time.Second {
			t.Errorf("the process took %v to exit after SIGTERM", wall)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("still running 30 s after SIGTERM:\n%s", ex.logs)
	}
}

// TestPingTargetStopsAnswering: in a namespace of its own, a pinged
// address whose replies nftables starts dropping shows up as timeouts on the same
// series while its requests go on.
func TestPingTargetStopsAnswering(t *testing.T) {
	ns := testnet.Netns(t, "exp")
	argv := testnet.InNetns(ns, testnet.Binary(t), "exporter", "--listen", "127.0.0.1:9374", "-i", "0.1", "127.0.0.2", "127.0.0.3")
	ex := startProc(t, argv...)
	ex.listening(t)
	client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		var c net.Conn
		err := testnet.DoInNetns(t, ns, func() (err error) {
			c, err = (&net.Dialer{}).DialContext(ctx, network, addr)
			return err
		})
		return c, err
	}}}
	scrape := func() string {
		resp, err := client.Get("http://127.0.0.1:9374/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	until := func(what string, cond func(string) bool) string {
		var body string
		testnet.WaitUntil(t, 30*time.Second, what, func() (bool, error) { body = scrape(); return cond(body), nil })
		return body
	}
	until("replies", func(b string) bool {
		v, _ := sample(b, "smokeping_response_duration_seconds_count", `host="127.0.0.2"`)
		return v >= 3
	})
	testnet.Nft(t, ns, "table inet t {\n chain in {\n  type filter hook input priority 0;\n  ip saddr 127.0.0.2 icmp type echo-reply drop\n }\n}\n")
	body := until("timeouts", func(b string) bool {
		v, _ := sample(b, "netdiag_ping_failures_total", `host="127.0.0.2"`, `reason="timeout"`)
		return v >= 3
	})
	reqs, _ := sample(body, "smokeping_requests_total", `host="127.0.0.2"`)
	replies, _ := sample(body, "smokeping_response_duration_seconds_count", `host="127.0.0.2"`)
	if reqs < replies+3 {
		t.Errorf("127.0.0.2: %v requests, %v replies: the lost requests are not counted", reqs, replies)
	}
	if v, _ := sample(body, "netdiag_ping_failures_total", `host="127.0.0.3"`, `reason="timeout"`); v != 0 {
		t.Errorf("127.0.0.3, still answering, has %v timeouts", v)
	}
}
