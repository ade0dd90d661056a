package trace_test

import (
	"encoding/json"
	"strings"
	"testing"

	"netdiag/internal/testnet"
)

// TestJSONSchema validates the --json lines of traces over the chain that
// meet every kind of hop and summary (names, a rate-limited and then a
// silent router, an unreachable mark, a destination reached by ICMP, UDP
// and TCP or not at all, path MTU drops, both families) against
// testdata/trace.schema.json with Python's jsonschema, and checks that the
// schema rejects broken lines.
func TestJSONSchema(t *testing.T) {
	t.Parallel()
	c := newChain(t)
	c.nft(c.router(2), `table inet f {
		chain out {
			type filter hook output priority 0;
			icmp type time-exceeded limit rate over 1/minute burst 3 packets drop;
			icmpv6 type time-exceeded limit rate over 1/minute burst 3 packets drop;
		}
	}`)
	c.nft(c.router(3), `table inet f {
		chain forward { type filter hook forward priority 0; ip daddr 10.91.4.2 meta l4proto udp reject with icmp type admin-prohibited; }
	}`)
	c.IP(c.router(3), "link", "set", "l3-a", "mtu", "1400")
	c.IP(c.router(4), "link", "set", "l3-b", "mtu", "1400")
	hostsFile(t, c.client(), "10.91.0.2 r1.chain.test\n10.91.4.2 dst.chain.test\n")
	var lines []string
	for _, args := range [][]string{
		{"-c", "6", "-i", "0.05", "dst.chain.test"},
		{"-n", "--udp", "-c", "2", "-i", "0", dst4.String()},
		{"-n", "--tcp", "-p", "80", "-c", "2", dst6.String()},
		{"-n", "--mtu", "-c", "2", dst6.String()},
		{"-n", "-c", "1", "-W", "1", "-m", "3", dst4.String()},
	} {
		r := c.trace(t, args...)
		if r.code == 2 {
			t.Fatalf("trace %v: %s", args, r.stderr)
		}
		lines = append(lines, strings.Split(strings.TrimSpace(r.stdout), "\n")...)
	}
	seen := map[string]bool{}
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not JSON: %q", l)
		}
		for _, k := range []string{"mark", "note", "pmtu", "destination", "mtu_drops", "path_mtu"} {
			if m[k] != nil {
				seen[k] = true
			}
		}
		if m["type"] == "hop" && m["rtt_avg_ms"] == nil {
			seen["no answer"] = true
		}
		if rs, _ := m["responders"].([]any); len(rs) > 0 && rs[0].(map[string]any)["name"] != nil {
			seen["name"] = true
		}
		if m["type"] == "summary" {
			seen["reached "+m["method"].(string)] = seen["reached "+m["method"].(string)] || m["reached"] == true
			seen["not reached"] = seen["not reached"] || m["reached"] == false
		}
	}
	for _, want := range []string{"mark", "note", "pmtu", "destination", "mtu_drops", "path_mtu", "no answer", "name",
		"reached icmp", "reached tcp", "not reached"} {
		if !seen[want] {
			t.Errorf("no line shows %s: the test covers less than it says", want)
		}
	}
	const schema = "testdata/trace.schema.json"
	if errs := testnet.SchemaErrors(t, schema, lines); errs != "" {
		t.Errorf("lines that do not match the schema:\n%s", errs)
	}
	for _, broken := range []string{
		`{"type":"hop","hop":1,"responders":[],"sent":1,"received":0,"addrs":[],"loss":100}`,                                                                                                                 // no round trips
		`{"type":"hop","hop":0,"responders":[],"sent":1,"received":0,"addrs":[],"loss":100,"rtt_last_ms":null,"rtt_avg_ms":null,"rtt_best_ms":null,"rtt_worst_ms":null,"rtt_stdev_ms":null}`,                 // hop 0
		`{"type":"hop","hop":1,"responders":[],"sent":1,"received":0,"addrs":[],"loss":100,"rtt_last_ms":"1ms","rtt_avg_ms":null,"rtt_best_ms":null,"rtt_worst_ms":null,"rtt_stdev_ms":null}`,                // a duration as a string
		`{"type":"hop","hop":1,"responders":[],"sent":1,"received":0,"addrs":[],"loss":100,"rtt_last_ms":null,"rtt_avg_ms":null,"rtt_best_ms":null,"rtt_worst_ms":null,"rtt_stdev_ms":null,"note":"lossy"}`,  // unknown note
		`{"type":"hop","hop":1,"responders":[],"sent":1,"received":0,"addrs":[],"loss":100,"rtt_last_ms":null,"rtt_avg_ms":null,"rtt_best_ms":null,"rtt_worst_ms":null,"rtt_stdev_ms":null,"ttl":1}`,         // unknown field
		`{"type":"summary","target":"x","addr":"10.0.0.1","method":"icmp","reached":true,"sent":1,"received":1,"interrupted":false,"hops":1,"elapsed_ms":1,"text":"x"}`,                                      // no last_hop
		`{"type":"summary","target":"x","addr":"10.0.0.1","method":"sctp","reached":true,"sent":1,"received":1,"interrupted":false,"hops":1,"last_hop":1,"elapsed_ms":1,"text":"x"}`,                         // bad method
		`{"type":"summary","target":"x","addr":"10.0.0.1","method":"icmp","reached":true,"sent":1,"received":1,"interrupted":false,"hops":1,"last_hop":1,"elapsed_ms":1,"text":"x","mtu_drops":[{"hop":1}]}`, // a drop without its address and MTU
		`{"type":"event"}`,
	} {
		if testnet.SchemaErrors(t, schema, []string{broken}) == "" {
			t.Errorf("the schema accepts a broken line: %s", broken)
		}
	}
}
