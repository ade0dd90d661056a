package check_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"netdiag/internal/testnet"
)

// schemaScript validates JSON lines on stdin against the schema named by
// argv[1] and prints each invalid line with its errors.
const schemaScript = `import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
bad = 0
for line in sys.stdin:
    errs = list(v.iter_errors(json.loads(line)))
    if errs:
        bad += 1
        print(line.strip()[:200], "->", "; ".join(e.message for e in errs)[:400])
sys.exit(1 if bad else 0)`

var checkJSONSchemaTool sync.Once

// validateSchema checks lines against testdata/check.schema.json with
// Python's jsonschema.
func validateSchema(t *testing.T, lines []string) testnet.Result {
	t.Helper()
	testnet.RequireTools(t, "python3")
	checkJSONSchemaTool.Do(func() {
		if r := testnet.Run(t, 20*time.Second, "", "python3", "-c", "import jsonschema"); r.Code != 0 {
			t.Fatalf("this test needs Python's jsonschema module: apt-get install python3-jsonschema (./.ci/run installs it)\n%s", r.Stderr)
		}
	})
	return testnet.Run(t, 30*time.Second, strings.Join(lines, "\n")+"\n", "python3", "-c", schemaScript, "testdata/check.schema.json")
}

// TestSchemaRejects checks that the schema is strict: lines with a wrong
// type, status, problem, a missing or an unknown field fail.
func TestSchemaRejects(t *testing.T) {
	t.Parallel()
	good := []string{
		`{"type":"step","step":"local","status":"ok","time_ms":0.05,"detail":"127.0.0.1 and ::1 answer ping","pings":[{"addr":"127.0.0.1","sent":3,"received":3,"rtt_ms":0.05}]}`,
		`{"type":"step","step":"dns","status":"fail","time_ms":0,"detail":"x","problem":"timeout","name":"a.test","resolv_conf":"/etc/resolv.conf","resolvers":[{"status":"fail","problem":"timeout","server":"[fe80::1%eth0]:53","time_ms":0,"addrs":[],"error":"no answer"}],"notes":[]}`,
		`{"type":"summary","status":"ok","text":"The network is OK: every step passed.","elapsed_ms":12.5,"interrupted":false}`,
	}
	if r := validateSchema(t, good); r.Code != 0 {
		t.Fatalf("valid lines rejected:\n%s%s", r.Stdout, r.Stderr)
	}
	for _, bad := range []string{
		`{"type":"step","step":"local","status":"great","time_ms":0,"detail":"","pings":[]}`,
		`{"type":"step","step":"local","status":"ok","time_ms":0,"detail":"","pings":[],"extra":1}`,
		`{"type":"step","step":"local","status":"ok","time_ms":0,"detail":""}`,
		`{"type":"step","step":"gateway","status":"fail","time_ms":0,"detail":"","problem":"bad luck","gateways":[]}`,
		`{"type":"step","step":"internet","status":"ok","time_ms":-1,"detail":"","port":443,"hosts":[]}`,
		`{"type":"summary","status":"skipped","text":"x","elapsed_ms":1,"interrupted":false}`,
		`{"type":"event","status":"ok"}`,
	} {
		if r := validateSchema(t, []string{bad}); r.Code == 0 {
			t.Errorf("the schema accepts %s", bad)
		}
	}
}
