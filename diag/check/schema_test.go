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
		`{"type":"step","step":"mtu","status":"warn","time_ms":0.3,"detail":"x","problem":"mtu_reduced","host":"10.0.0.9","interface":"eth0","interface_mtu":1500,"path_mtu":1400,"drop_hop":2,"drop_addr":"10.0.1.1"}`,
		`{"type":"step","step":"internet","status":"fail","time_ms":0,"detail":"x","problem":"no_reply","port":443,"hosts":[{"status":"fail","problem":"no_reply","host":"10.0.0.9","addr":"10.0.0.9","ping":null,"tcp":null,"trace":{"reached":false,"last_hop":1,"last_addrs":["10.0.0.1"],"hops":[{"hop":1,"addrs":["10.0.0.1"],"sent":3,"received":3},{"hop":2,"addrs":[],"sent":3,"received":0}],"text":"replies stop after hop 1 (10.0.0.1)"}}]}`,
		`{"type":"summary","status":"fail","step":"internet","problem":"path_cut","text":"x","elapsed_ms":12.5,"interrupted":false}`,
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
		`{"type":"step","step":"mtu","status":"ok","time_ms":0,"detail":"","path_mtu":"1500"}`,
		`{"type":"step","step":"internet","status":"fail","time_ms":0,"detail":"","port":443,"hosts":[{"status":"fail","host":"h","ping":null,"tcp":null,"trace":{"reached":false}}]}`,
	} {
		if testnet.SchemaErrors(t, checkSchema, []string{bad}) == "" {
			t.Errorf("the schema accepts %s", bad)
		}
	}
}
