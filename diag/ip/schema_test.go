package ip_test

import (
	"encoding/json"
	"strings"
	"testing"

	"netdiag/internal/testnet"
)

// TestJSONSchema validates the --json lines of inputs of every shape
// (addresses and prefixes of both versions, a zone, each kind of embedded
// IPv4 address, multicast, invalid inputs with and without a note), given
// as arguments and on stdin, against testdata/ip.schema.json with Python's
// jsonschema, and checks that the schema rejects broken lines.
func TestJSONSchema(t *testing.T) {
	inputs := []string{
		"192.168.1.10/24", "10.0.0.0/8", "0.0.0.0/0", "192.168.1.0/31", "203.0.113.7/32", "127.0.0.1",
		"2001:db8::1/64", "fe80::1%eth0", "::", "::/0", "ff02::1:2", "::ffff:192.0.2.1/120",
		"2001:0:4136:e378:8000:63bf:3fff:fdd2", "2002:c000:204::1", "64:ff9b::192.0.2.33",
		"192.88.99.1", "127.0.0.010", "bogus", "1.2.3.4:80", "10.0.0.0/255.0.0.0",
	}
	var lines []string
	for _, r := range []struct{ stdin string }{{""}, {strings.Join(inputs, "\n") + "\n"}} {
		args := append([]string{"--json"}, inputs...)
		if r.stdin != "" {
			args = []string{"--json", "-"}
		}
		res := runIP(t, r.stdin, args...)
		if res.Code != 1 {
			t.Fatalf("ip %v: exit %d, want 1 (some inputs are invalid): %s", args, res.Code, res.Stderr)
		}
		got := strings.Split(strings.TrimSpace(res.Stdout), "\n")
		if len(got) != len(inputs) {
			t.Fatalf("ip %v: %d lines for %d inputs", args, len(got), len(inputs))
		}
		lines = append(lines, got...)
	}
	seen := map[string]bool{}
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not JSON: %q", l)
		}
		for _, k := range []string{"prefix", "embedded", "zone", "note", "multicast_scope", "host_bits_warning", "error"} {
			if m[k] != nil {
				seen[k] = true
			}
		}
	}
	for _, k := range []string{"prefix", "embedded", "zone", "note", "multicast_scope", "host_bits_warning", "error"} {
		if !seen[k] {
			t.Errorf("no line has %q: the test covers less than it says", k)
		}
	}
	const schema = "testdata/ip.schema.json"
	if errs := testnet.SchemaErrors(t, schema, lines); errs != "" {
		t.Errorf("lines that do not match the schema:\n%s", errs)
	}
	for _, broken := range []string{
		`{"input":"x","valid":false,"error":"x"}`,                                      // no type
		`{"type":"ip","input":"x","valid":false}`,                                      // no error
		`{"type":"ip","input":"10.0.0.1","valid":true,"kind":"address","version":4}`,   // most fields missing
		`{"type":"ip","input":"10.0.0.0/8","valid":false,"error":"x","kind":"prefix"}`, // an invalid input with a kind
		`{"type":"ip","input":"x","valid":false,"error":"x","extra":1}`,                // unknown field
		`{"type":"ip","input":"x","valid":"no","error":"x"}`,                           // valid as a string
		lines[1][:strings.Index(lines[1], `,"prefix":{`)] + "}",                        // a prefix without its network
		strings.Replace(lines[5], `"integer":"2130706433"`, `"integer":2130706433`, 1), // a number, not a decimal string
		strings.Replace(lines[5], `"version":4`, `"version":5`, 1),                     // no such version
	} {
		if testnet.SchemaErrors(t, schema, []string{broken}) == "" {
			t.Errorf("the schema accepts a broken line: %s", broken)
		}
	}
}
