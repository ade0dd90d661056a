package check_test

import (
	"testing"

	"netdiag/internal/testnet"
)

// checkSchema is the JSON Schema of netdiag check --json lines.
const checkSchema = "testdata/check.schema.json"

// TestSchemaRejects checks that the schema is strict: lines with a wrong
// type, status, problem, a missing or an unknown field fail.
func TestSchemaRejects(t *testing.T) {
	t.Parallel()
	good := []string{
		`{"type":"step","step":"local","status":"ok","time_ms":0.05,"detail":"127.0.0.1 and ::1 answer ping","pings":[{"addr":"127.0.0.1","sent":3,"received":3,"rtt_ms":0.05}]}`,
		`{"type":"step","step":"dns","status":"fail","time_ms":0,"detail":"x","problem":"timeout","name":"a.test","resolv_conf":"/etc/resolv.conf","resolvers":[{"status":"fail","problem":"timeout","server":"[fe80::1%eth0]:53","time_ms":0,"addrs":[],"error":"no answer"}],"notes":[]}`,
		`{"type":"summary","status":"ok","text":"The network is OK: every step passed.","elapsed_ms":12.5,"interrupted":false}`,
	}
	if errs := testnet.SchemaErrors(t, checkSchema, good); errs != "" {
		t.Fatalf("valid lines rejected:\n%s", errs)
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
		if testnet.SchemaErrors(t, checkSchema, []string{bad}) == "" {
			t.Errorf("the schema accepts %s", bad)
		}
	}
}
