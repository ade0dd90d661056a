package exporter

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"netdiag/internal/testnet"
)

// TestJSONSchema validates the --json log of an exporter run at debug
// level (start, probes that succeed and fail, /probe with a bad target, a
// refused and an accepted reload, SIGTERM) against
// testdata/exporter.schema.json with Python's jsonschema, and checks that
// the schema rejects broken lines.
func TestJSONSchema(t *testing.T) {
	testnet.RequireRoot(t)
	dir := t.TempDir()
	good := "interval: 0.1\ntargets:\n  - hosts: [127.0.0.1]\n  - hosts: [\"127.0.0.1:1\"]\n    module: tcp_connect\n  - hosts: [\"127.0.0.1:1\"]\n    module: dns\n"
	cfg := writeFile(t, dir, "exporter.yml", good)
	ex := startProc(t, testnet.Binary(t), "exporter", "--json", "--log-level", "debug", "--listen", "127.0.0.1:0", "--config", cfg)
	var base string
	re := regexp.MustCompile(`"msg":"Listening on",[^}]*"address":"([^"]+)"`)
	testnet.WaitUntil(t, 30*time.Second, "the exporter to listen", func() (bool, error) {
		if m := re.FindStringSubmatch(ex.logs.String()); m != nil {
			base = "http://" + m[1]
			return true, nil
		}
		return false, nil
	})
	for _, q := range []string{"?target=127.0.0.1&module=icmp", "?target=127.0.0.1:1&module=tcp_connect", "?target=127.0.0.1:1&module=dns", "?target=nosuch.invalid&module=icmp", "?target=1.2.3.4.5&module=icmp"} {
		get(t, base+"/probe"+q)
	}
	writeFile(t, dir, "exporter.yml", good+"    size: 10\n")
	if resp, err := http.Post(base+"/-/reload", "", nil); err == nil {
		resp.Body.Close()
	}
	writeFile(t, dir, "exporter.yml", good)
	ex.cmd.Process.Signal(syscall.SIGHUP)
	testnet.WaitUntil(t, 30*time.Second, "the reload in the log", func() (bool, error) {
		return strings.Contains(ex.logs.String(), `"msg":"configuration reloaded"`), nil
	})
	ex.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-ex.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("still running 30 s after SIGTERM:\n%s", ex.logs)
	}
	lines := strings.Split(strings.TrimSpace(ex.logs.String()), "\n")
	msgs := map[string]bool{}
	for _, l := range lines {
		var m struct{ Msg string }
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not JSON: %q", l)
		}
		msgs[m.Msg] = true
	}
	for _, want := range []string{"probing", "probe succeeded", "probe failed", "connection failed", "lookup failed",
		"bad target", "cannot resolve the target", "configuration refused; the old one keeps running",
		"configuration reloaded", "shutting down", "shut down cleanly"} {
		if !msgs[want] {
			t.Errorf("no %q in the log: the test covers less than it says\n%s", want, ex.logs)
		}
	}
	const schema = "testdata/exporter.schema.json"
	if errs := testnet.SchemaErrors(t, schema, lines); errs != "" {
		t.Errorf("lines that do not match the schema:\n%s", errs)
	}
	for _, broken := range []string{
		`{"level":"INFO","msg":"shutting down"}`,                                         // no time
		`{"time":"2026-12-07T12:00:00Z","level":"NOTICE","msg":"shutting down"}`,         // no such level
		`{"time":"2026-12-07T12:00:00Z","level":"INFO","msg":"probing","icmp":"1"}`,      // a count as a string
		`{"time":"2026-12-07T12:00:00Z","level":"INFO","msg":"shut down","took":"12ms"}`, // a duration as a string
		`{"time":"2026-12-07T12:00:00Z","level":"INFO","msg":"x","colour":"red"}`,        // unknown attribute
	} {
		if testnet.SchemaErrors(t, schema, []string{broken}) == "" {
			t.Errorf("the schema accepts a broken line: %s", broken)
		}
	}
}
