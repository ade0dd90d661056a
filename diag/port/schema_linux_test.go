package port_test

import (
	"encoding/json"
	"net"
	"strings"
	"testing"
	"time"

	"netdiag/internal/testnet"
)

// TestJSONSchema validates --json lines (ports with and without service
// names and aliases; --local with TCP listeners on both loopbacks, a bound
// and a connected UDP socket, free ports, and the same seen by nobody, who
// cannot see their owners) against testdata/port.schema.json with Python's
// jsonschema, and checks that the schema rejects broken lines.
func TestJSONSchema(t *testing.T) {
	testnet.RequireTools(t, "setpriv")
	ns := testnet.Netns(t, "port")
	testnet.ListenInNetns(t, ns, "tcp", "127.0.0.1:2222")
	testnet.ListenInNetns(t, ns, "tcp", "[::1]:2223")
	testnet.ListenPacketInNetns(t, ns, "udp", "127.0.0.1:2224")
	var conn net.Conn
	if err := testnet.DoInNetns(t, ns, func() (err error) {
		conn, err = net.Dial("udp", "127.0.0.1:2225")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	bin := testnet.PublicBinary(t)
	var lines []string
	for _, argv := range [][]string{
		{bin, "port", "--json", "80", "ssh", "8000", "5672", "0", "65535", "dns"},
		{bin, "port", "--json", "--local", "2222-2226", "22"},
		{bin, "port", "--json", "--local", "-"},
		testnet.AsNobody(bin, "port", "--json", "--local", "-"),
	} {
		argv = testnet.InNetns(ns, argv...)
		res := testnet.Run(t, time.Minute, "", argv[0], argv[1:]...)
		if res.Code != 0 {
			t.Fatalf("%v: exit %d: %s", argv, res.Code, res.Stderr)
		}
		lines = append(lines, strings.Split(strings.TrimSpace(res.Stdout), "\n")...)
	}
	seen := map[string]bool{}
	for _, l := range lines {
		var p struct {
			Services []struct{ Aliases []string }
			Local    *struct {
				InUse   bool `json:"in_use"`
				Sockets []struct {
					State string
					PID   int
				}
			}
		}
		if err := json.Unmarshal([]byte(l), &p); err != nil {
			t.Fatalf("not JSON: %q", l)
		}
		for _, s := range p.Services {
			seen["aliases"] = seen["aliases"] || len(s.Aliases) > 0
		}
		if p.Local == nil {
			seen["no local"] = true
			continue
		}
		seen["free"] = seen["free"] || !p.Local.InUse
		for _, s := range p.Local.Sockets {
			seen[s.State] = true
			seen["pid"] = seen["pid"] || s.PID != 0
			seen["no pid"] = seen["no pid"] || s.PID == 0
		}
	}
	for _, want := range []string{"aliases", "no local", "free", "LISTEN", "UNCONN", "ESTAB", "pid", "no pid"} {
		if !seen[want] {
			t.Errorf("no line shows %s: the test covers less than it says", want)
		}
	}
	const schema = "testdata/port.schema.json"
	if errs := testnet.SchemaErrors(t, schema, lines); errs != "" {
		t.Errorf("lines that do not match the schema:\n%s", errs)
	}
	for _, broken := range []string{
		`{"port":80,"class":"well-known","iana_range":"system","services":[]}`,                                                                                                                                                 // no type
		`{"type":"port","port":80,"class":"well-known","iana_range":"system"}`,                                                                                                                                                 // no services
		`{"type":"port","port":70000,"class":"dynamic","iana_range":"dynamic","services":[]}`,                                                                                                                                  // no such port
		`{"type":"port","port":80,"class":"well-known","iana_range":"system","services":[],"extra":1}`,                                                                                                                         // unknown field
		`{"type":"port","port":80,"class":"registered","iana_range":"system","services":[]}`,                                                                                                                                   // bad class
		`{"type":"port","port":80,"class":"well-known","iana_range":"system","services":[{"name":"http","port":80,"proto":"icmp"}]}`,                                                                                           // bad proto
		`{"type":"port","port":9,"class":"well-known","iana_range":"system","services":[],"local":{"in_use":true,"sockets":[]}}`,                                                                                               // in use, no socket
		`{"type":"port","port":9,"class":"well-known","iana_range":"system","services":[],"local":{"in_use":false,"sockets":[{"proto":"udp","local":"127.0.0.1:9","remote":"0.0.0.0:0","state":"UNCONN","uid":0,"inode":1}]}}`, // free, with a socket
		`{"type":"port","port":9,"class":"well-known","iana_range":"system","services":[],"local":{"in_use":true,"sockets":[{"proto":"udp","local":"127.0.0.1","remote":"0.0.0.0:0","state":"UNCONN","uid":0,"inode":1}]}}`,    // no port in the address
	} {
		if testnet.SchemaErrors(t, schema, []string{broken}) == "" {
			t.Errorf("the schema accepts a broken line: %s", broken)
		}
	}
}
