package testnet

import (
	"strings"
	"sync"
	"testing"
	"time"
)

// schemaScript validates JSON lines on stdin against the JSON Schema
// (draft 2020-12) named by argv[1], printing each invalid line with why.
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

var jsonschemaChecked sync.Once

// SchemaErrors validates JSON lines against the JSON Schema in file schema
// with Python's jsonschema module and returns, for the lines that do not
// follow it, each line and why (empty when all do). The test fails when
// python3 or the module is missing (./.ci/run installs python3-jsonschema).
func SchemaErrors(t testing.TB, schema string, lines []string) string {
	t.Helper()
	RequireTools(t, "python3")
	jsonschemaChecked.Do(func() {
		if r := Run(t, 20*time.Second, "", "python3", "-c", "import jsonschema"); r.Code != 0 {
			t.Fatalf("this test needs Python's jsonschema module: apt-get install python3-jsonschema (./.ci/run installs it)\n%s", r.Stderr)
		}
	})
	r := Run(t, 30*time.Second, strings.Join(lines, "\n")+"\n", "python3", "-c", schemaScript, schema)
	if r.Code == 0 {
		return ""
	}
	return r.Stdout + r.Stderr
}
