package exporter

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/urfave/cli/v2"

	"netdiag/diag/cliargs/cliargstest"
)

// TestFlagsToOptions drives the command line → Options function with the
// one flag layer, as netdiag does, without probing anything.
func TestFlagsToOptions(t *testing.T) {
	format := func(c *cli.Context) (string, error) {
		opt, err := flagsToOptions(c)
		return fmt.Sprintf("listen %s config %s interval %v timeout %v family %v mode %d buckets %d targets %v",
			opt.Listen, opt.ConfigFile, opt.Interval, opt.Timeout, opt.Family, opt.Mode, len(opt.Buckets), opt.Targets), err
	}
	cliargstest.Options(t, Command(), format, []cliargstest.Case{
		{Args: []string{"127.0.0.1"}, Want: "listen 127.0.0.1:9374 config  interval 1s timeout 0s family any mode 0 buckets 20 targets [127.0.0.1]"},
		{Args: []string{"--config", "x.yml", "-i", "0.5", "-W2", "--listen", "[::1]:9000", "-6", "--buckets", "0.001,0.01", "--privileged"}, Want: "listen [::1]:9000 config x.yml interval 500ms timeout 2s family IPv6 mode 2 buckets 2 targets []"},
		{Args: []string{"127.0.0.1:22", "dns://127.0.0.1", "--json", "--log-level", "debug"}, Want: "listen 127.0.0.1:9374 config  interval 1s timeout 0s family any mode 0 buckets 20 targets [127.0.0.1:22 dns://127.0.0.1]"},
	})
	cliargstest.UsageErrors(t, Command(), format, []cliargstest.Case{
		{Args: nil, Want: "no target given"},
		{Args: []string{"-i0", "h"}, Want: "must be more than 0"},
		{Args: []string{"-W0", "h"}, Want: "-W 0: must be more than 0"},
		{Args: []string{"--listen", "9374", "h"}, Want: `--listen: invalid host:port "9374"`},
		{Args: []string{"--buckets", "0.1,0.01", "h"}, Want: "bounds must ascend"},
		{Args: []string{"--buckets", "x", "h"}, Want: `"x" is not a number`},
		{Args: []string{"--log-level", "loud", "h"}, Want: "--log-level"},
		{Args: []string{"-4", "-6", "h"}, Want: "-4 and -6 exclude each other"},
		{Args: []string{"--privileged", "--unprivileged", "h"}, Want: "exclude each other"},
	})
}

// loadFile writes a configuration and loads it as the exporter would.
func loadFile(t *testing.T, text string, args ...string) (*loaded, error) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "exporter.yml")
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	e := &Exporter{opt: Options{ConfigFile: file, Targets: args, Interval: time.Second}}
	return e.load(context.Background())
}

func TestConfig(t *testing.T) {
	l, err := loadFile(t, `
interval: 2s
labels: {site: lab}
modules:
  dns_local:
    prober: dns
    query_name: host.test
    timeout: 0.5
    ip_protocol: ip4
targets:
  - hosts: [127.0.0.1, "::1", 127.0.0.8/30]
    labels: {role: router}
  - hosts: ["127.0.0.1:22"]
    module: tcp_connect
    interval: 5
  - hosts: [127.0.0.53]
    module: dns_local
    timeout: 300ms
`, "127.0.0.2")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tg := range l.targets {
		got = append(got, fmt.Sprintf("%s %s %s %d %v %v %v", tg.Module, tg.Host, tg.Addr, tg.Port, tg.Interval, tg.Timeout, tg.Labels))
	}
	want := []string{
		"icmp 127.0.0.2 127.0.0.2 0 1s 1s map[]",
		"icmp 127.0.0.1 127.0.0.1 0 2s 2s map[role:router site:lab]",
		"icmp ::1 ::1 0 2s 2s map[role:router site:lab]",
		"icmp 127.0.0.9 127.0.0.9 0 2s 2s map[role:router site:lab]",
		"icmp 127.0.0.10 127.0.0.10 0 2s 2s map[role:router site:lab]",
		"tcp_connect 127.0.0.1 127.0.0.1 22 5s 5s map[site:lab]",
		"dns_local 127.0.0.53 127.0.0.53 53 2s 300ms map[site:lab]",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("targets:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if d := l.modules["dns_local"]; d.QueryName != "host.test" || d.Timeout != 500*time.Millisecond || d.Family.String() != "IPv4" {
		t.Errorf("module dns_local = %+v", d)
	}
	if fmt.Sprint(l.extra) != "[role site]" {
		t.Errorf("label names %v", l.extra)
	}
}

// TestConfigErrors: a bad configuration is refused with its file, its
// line and the reason.
func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"targets:\n  - hosts: [127.0.0.1]\n    modul: icmp\n", `:3: unknown key "modul"`},
		{"interval: soon\n", `:1: interval "soon": not a number of seconds`},
		{"targets:\n  - hosts:\n      - 127.0.0.1\n      - 300.1.1.1\n", ":4: 300.1.1.1: "},
		{"targets:\n  - hosts: [127.0.0.1]\n    module: http_2xx\n", `:3: unknown module "http_2xx"`},
		{"targets:\n  - hosts: [127.0.0.1]\n  - hosts: [127.0.0.1]\n", ":3: 127.0.0.1 (icmp) is already a target"},
		{"targets:\n  - hosts: [127.0.0.1]\n    module: tcp_connect\n", `:2: 127.0.0.1: invalid host:port`},
		{"modules:\n  m:\n    prober: http\n", `:3: module "m": unknown prober "http"`},
		{"modules:\n  m:\n    prober: tcp\n    size: 10\n", `:4: module "m": size is for icmp modules`},
		{"labels: {host: x}\n", `:1: labels: "host" is a label the exporter sets itself`},
		{"targets: [\n", ":1: did not find expected node content"},
		{"targets:\n  - hosts: [does-not-exist.invalid]\n", `:2: cannot resolve "does-not-exist.invalid"`},
	} {
		_, err := loadFile(t, tc.text)
		if err == nil || !strings.Contains(err.Error(), "exporter.yml"+tc.want) {
			t.Errorf("%q: %v\nwant …exporter.yml%s…", tc.text, err, tc.want)
		}
	}
}

func TestHistogram(t *testing.T) {
	h := newHistogram([]float64{0.001, 0.01, 0.1})
	for _, v := range []float64{0.0005, 0.001, 0.002, 0.05, 3} {
		h.observe(v)
	}
	if got := fmt.Sprint(h.cumulative()); got != "map[0.001:2 0.01:3 0.1:4]" || h.count != 5 || h.sum != 3.0535 {
		t.Errorf("cumulative %s count %d sum %v", got, h.count, h.sum)
	}
}

// TestNextSlot drives the TCP and DNS probes' schedule with a made-up
// clock: probes stay on the start + k·interval grid, and one that overran
// skips the slots it missed.
func TestNextSlot(t *testing.T) {
	start := time.Unix(1000, 0)
	for _, tc := range []struct {
		now  time.Duration // after start
		want time.Duration
	}{
		{-time.Second, 0}, {0, time.Second}, {10 * time.Millisecond, time.Second},
		{time.Second, 2 * time.Second}, {3500 * time.Millisecond, 4 * time.Second},
	} {
		if got := nextSlot(start, start.Add(tc.now), time.Second).Sub(start); got != tc.want {
			t.Errorf("now +%v: next at +%v, want +%v", tc.now, got, tc.want)
		}
	}
}

func TestSeriesStatus(t *testing.T) {
	s := newSeries(Target{Mod: Module{Prober: TCP}}, DefaultBuckets)
	s.probed(2*time.Millisecond, "")
	s.probed(0, "refused")
	s.probed(4*time.Millisecond, "")
	s.probed(0, "no such reason")
	st := s.status()
	if st.Requests != 4 || st.Loss != 50 || st.LastRTT != 4*time.Millisecond || st.AvgRTT != 2250*time.Microsecond {
		t.Errorf("status %+v", st)
	}
	if fmt.Sprint(s.failures) != "[1 0 0 1]" {
		t.Errorf("failures %v (refused, timeout, unreachable, error)", s.failures)
	}
}
