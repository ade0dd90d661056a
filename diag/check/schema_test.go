package check_test

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"
	"time"

	"netdiag/diag/check"
	"netdiag/diag/render"
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

// TestPrintJSON pins the JSON lines of a whole result, byte for byte: the
// type and step keys first, then the step's fields, durations in
// milliseconds; and every line follows the schema.
func TestPrintJSON(t *testing.T) {
	t.Parallel()
	ms := func(d time.Duration) render.Millis { return render.Millis(d) }
	ping := &check.PingResult{Addr: netip.MustParseAddr("127.0.0.1"), Sent: 3, Received: 3, RTT: ms(52341 * time.Nanosecond)}
	r := &check.Result{
		Local:      check.LocalStep{Verdict: check.Verdict{Status: check.OK, Time: ms(52341 * time.Nanosecond), Detail: `127.0.0.1 "lo" answers`}, Pings: []*check.PingResult{ping}},
		Interfaces: check.InterfacesStep{Verdict: check.Verdict{Status: check.OK, Detail: "eth0"}, Interfaces: []check.InterfaceState{{Name: "eth0", State: "up", Addresses: []netip.Prefix{netip.MustParsePrefix("10.0.0.2/24")}, Usable: true, DefaultRoute: true}}},
		Gateway:    check.GatewayStep{Verdict: check.Verdict{Status: check.Warn, Time: ms(time.Millisecond), Detail: "10.0.0.1 drops pings", Problem: check.ICMPFiltered}, Gateways: []*check.GatewayProbe{}},
		DNS: check.DNSStep{Verdict: check.Verdict{Status: check.OK, Time: ms(2131 * time.Microsecond), Detail: "ok"}, Name: "example.test", ResolvConf: "/etc/resolv.conf",
			Resolvers: []*check.ResolverResult{{Status: check.OK, Server: netip.MustParseAddrPort("10.0.0.1:53"), Time: ms(2131 * time.Microsecond), RCode: "NOERROR", Addrs: []netip.Addr{netip.MustParseAddr("10.0.0.5")}}}, Notes: []string{}},
		Internet:  check.InternetStep{Verdict: check.Verdict{Status: check.Skipped, Detail: "not run"}, Port: 443, Hosts: []*check.HostProbe{}},
		PathMTU:   check.PathMTUStep{Verdict: check.Verdict{Status: check.Skipped, Detail: "not run"}},
		Diagnosis: check.Diagnosis{Status: check.Warn, Step: check.StepGateway, Problem: check.ICMPFiltered, Text: "The gateway drops pings."},
		Elapsed:   1500 * time.Microsecond,
	}
	var buf bytes.Buffer
	if err := check.Print(render.New(&buf, true), r); err != nil {
		t.Fatal(err)
	}
	want := `{"type":"step","step":"local","status":"ok","time_ms":0.052341,"detail":"127.0.0.1 \"lo\" answers","pings":[{"addr":"127.0.0.1","sent":3,"received":3,"rtt_ms":0.052341}]}
{"type":"step","step":"interfaces","status":"ok","time_ms":0,"detail":"eth0","interfaces":[{"name":"eth0","state":"up","addresses":["10.0.0.2/24"],"usable":true,"default_route":true}]}
{"type":"step","step":"gateway","status":"warn","time_ms":1,"detail":"10.0.0.1 drops pings","problem":"icmp_filtered","gateways":[]}
{"type":"step","step":"dns","status":"ok","time_ms":2.131,"detail":"ok","name":"example.test","resolv_conf":"/etc/resolv.conf","resolvers":[{"status":"ok","server":"10.0.0.1:53","time_ms":2.131,"rcode":"NOERROR","addrs":["10.0.0.5"]}],"notes":[]}
{"type":"step","step":"internet","status":"skipped","time_ms":0,"detail":"not run","port":443,"hosts":[]}
{"type":"step","step":"mtu","status":"skipped","time_ms":0,"detail":"not run"}
{"type":"summary","status":"warn","step":"gateway","problem":"icmp_filtered","text":"The gateway drops pings.","elapsed_ms":1.5,"interrupted":false}
`
	if buf.String() != want {
		t.Errorf("JSON lines:\n%s\nwant\n%s", buf.String(), want)
	}
	if errs := testnet.SchemaErrors(t, checkSchema, strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")); errs != "" {
		t.Errorf("lines that do not follow the schema:\n%s", errs)
	}
}
