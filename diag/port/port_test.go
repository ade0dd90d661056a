package port_test

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"netdiag/diag/netaddr"
	portcmd "netdiag/diag/port"
	"netdiag/internal/testnet"
)

func TestDescribeClasses(t *testing.T) {
	for _, tc := range []struct {
		port        netaddr.Port
		class, iana netaddr.PortClass
	}{
		{0, "well-known", "system"}, {1023, "well-known", "system"},
		{1024, "dynamic", "user"}, {49151, "dynamic", "user"},
		{49152, "dynamic", "dynamic"}, {65535, "dynamic", "dynamic"},
	} {
		got := portcmd.Describe(tc.port)
		if got.Port != tc.port || got.Class != tc.class || got.IANARange != tc.iana {
			t.Errorf("Describe(%d) = %s/%s, want %s/%s", tc.port, got.Class, got.IANARange, tc.class, tc.iana)
		}
	}
}

func TestDescribeServices(t *testing.T) {
	for port, want := range map[netaddr.Port]string{
		80:   "http/tcp[www]",
		21:   "ftp/tcp[] fsp/udp[fspd]",
		88:   "kerberos/tcp[kerberos5 krb5 kerberos-sec] kerberos/udp[kerberos5 krb5 kerberos-sec]",
		5672: "amqp/tcp[] amqp/sctp[]",
		1:    "tcpmux/tcp[]", // not rtmp: that is an AppleTalk DDP socket
		4:    "",             // only echo/ddp
		1025: "",
	} {
		var got []string
		for _, s := range portcmd.Describe(port).Services {
			got = append(got, fmt.Sprintf("%s/%s%v", s.Name, s.Proto, s.Aliases))
		}
		if strings.Join(got, " ") != want {
			t.Errorf("Describe(%d).Services = %q, want %q", port, strings.Join(got, " "), want)
		}
		if portcmd.Describe(port).Services == nil {
			t.Errorf("Describe(%d).Services is nil; JSON would say null", port)
		}
	}
}

// TestServicesAgainstGlibc compares names by port and ports by name with
// glibc's getservbyport/getservbyname (through Python's socket module),
// which read /etc/services — the file our table is generated from.
func TestServicesAgainstGlibc(t *testing.T) {
	testnet.RequireTools(t, "python3")
	type query struct {
		Kind  string `json:"kind"` // "port" or "name"
		Port  int    `json:"port,omitempty"`
		Name  string `json:"name,omitempty"`
		Proto string `json:"proto"`
	}
	var queries []query
	for _, proto := range []string{"tcp", "udp"} {
		for _, p := range netaddr.NamedPorts(proto) {
			queries = append(queries, query{Kind: "port", Port: int(p), Proto: proto})
			for _, s := range netaddr.ServicesByPort(p) {
				if s.Proto == proto {
					for _, n := range append([]string{s.Name}, s.Aliases...) {
						queries = append(queries, query{Kind: "name", Name: n, Proto: proto})
					}
				}
			}
		}
	}
	in, _ := json.Marshal(queries)
	const script = `
import json, socket, sys
out = []
for q in json.load(sys.stdin):
    try:
        if q["kind"] == "port":
            out.append(socket.getservbyport(q["port"], q["proto"]))
        else:
            out.append(socket.getservbyname(q["name"], q["proto"]))
    except OSError:
        out.append(None)
json.dump(out, sys.stdout)
`
	res := testnet.Run(t, testTimeout, string(in), "python3", "-c", script)
	var answers []any
	if err := json.Unmarshal([]byte(res.Stdout), &answers); err != nil || len(answers) != len(queries) {
		t.Fatalf("python3: %v (%d answers for %d queries)\n%s", err, len(answers), len(queries), res.Stderr)
	}
	for i, q := range queries {
		switch q.Kind {
		case "port":
			var name string
			for _, s := range portcmd.Describe(netaddr.Port(q.Port)).Services {
				if s.Proto == q.Proto {
					name = s.Name
					break
				}
			}
			if answers[i] != name {
				t.Errorf("port %d/%s: we name it %q, glibc %v", q.Port, q.Proto, name, answers[i])
			}
		case "name":
			port, ok := netaddr.LookupService(q.Name, q.Proto)
			if f, isNum := answers[i].(float64); !ok || !isNum || int(f) != int(port) {
				t.Errorf("%s/%s: we say port %d (found %v), glibc %v", q.Name, q.Proto, port, ok, answers[i])
			}
		}
	}
	t.Logf("%d lookups agree with glibc", len(queries))
}

func mustList(t *testing.T, s string) netaddr.PortList {
	t.Helper()
	l, err := netaddr.ParsePortList(s)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func ports(rep portcmd.Report) []netaddr.Port {
	var out []netaddr.Port
	for _, p := range rep.Ports {
		out = append(out, p.Port)
	}
	return out
}

func TestRunLists(t *testing.T) {
	rep, err := portcmd.Run(portcmd.Options{Lists: []netaddr.PortList{mustList(t, "20-25"), mustList(t, "www"), mustList(t, "20")}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []netaddr.Port{20, 21, 22, 23, 24, 25, 80, 20}; !slices.Equal(ports(rep), want) || rep.Asked != 8 || rep.Trimmed {
		t.Errorf("ports %v asked %d trimmed %v; want %v, 8, false", ports(rep), rep.Asked, rep.Trimmed, want)
	}
	if rep.Ports[0].Local != nil || rep.InUse != 0 {
		t.Errorf("without Local: local %v, in use %d", rep.Ports[0].Local, rep.InUse)
	}

	// A list of exactly MaxListed ports is reported in full; one more is
	// trimmed to the named ports.
	rep, _ = portcmd.Run(portcmd.Options{Lists: []netaddr.PortList{mustList(t, fmt.Sprintf("1-%d", portcmd.MaxListed))}})
	if len(rep.Ports) != portcmd.MaxListed || rep.Trimmed {
		t.Errorf("1-%d: %d ports, trimmed %v", portcmd.MaxListed, len(rep.Ports), rep.Trimmed)
	}
	var named []netaddr.Port
	for p := range netaddr.AllPorts().All() {
		if len(portcmd.Describe(p).Services) > 0 {
			named = append(named, p)
		}
	}
	rep, _ = portcmd.Run(portcmd.Options{Lists: []netaddr.PortList{netaddr.AllPorts(), mustList(t, "1025")}})
	if !slices.Equal(ports(rep), append(named, 1025)) || !rep.Trimmed || rep.Asked != 65536 {
		t.Errorf("- 1025: %d ports (want the %d named and 1025), trimmed %v, asked %d", len(rep.Ports), len(named), rep.Trimmed, rep.Asked)
	}
	rep, _ = portcmd.Run(portcmd.Options{Lists: []netaddr.PortList{netaddr.AllPorts()}, All: true})
	if len(rep.Ports) != 65535 || rep.Trimmed {
		t.Errorf("- --all: %d ports, trimmed %v", len(rep.Ports), rep.Trimmed)
	}
}

// listen opens a TCP listener on 127.0.0.1 and a UDP socket on ::1, both
// on the same free port, for the rest of the test.
func listen(t *testing.T) netaddr.Port {
	t.Helper()
	for range 20 {
		ln, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		pc, err := net.ListenPacket("udp6", fmt.Sprintf("[::1]:%d", port))
		if err != nil {
			ln.Close()
			continue // that port is taken on UDP: try another
		}
		t.Cleanup(func() { ln.Close(); pc.Close() })
		return netaddr.Port(port)
	}
	t.Fatal("found no port free on both TCP and UDP in 20 tries")
	return 0
}

func TestRunLocal(t *testing.T) {
	used, free := listen(t), netaddr.Port(testnet.FreePort(t))
	list := netaddr.NewPortList(netaddr.PortRange{First: used, Last: used}, netaddr.PortRange{First: free, Last: free})
	rep, err := portcmd.Run(portcmd.Options{Lists: []netaddr.PortList{list}, Local: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Asked != 2 || rep.InUse != 1 || len(rep.Ports) != 2 {
		t.Fatalf("asked %d in use %d ports %v; want 2, 1, both", rep.Asked, rep.InUse, ports(rep))
	}
	for _, p := range rep.Ports {
		switch {
		case p.Port == free && (p.Local.InUse || p.Local.Sockets == nil || len(p.Local.Sockets) != 0):
			t.Errorf("free port %d: %+v", free, p.Local)
		case p.Port == used:
			var got []string
			for _, s := range p.Local.Sockets {
				got = append(got, fmt.Sprintf("%s %s %s %d", s.Proto, s.Local, s.State, s.PID))
			}
			want := []string{
				fmt.Sprintf("tcp 127.0.0.1:%d LISTEN %d", used, os.Getpid()),
				fmt.Sprintf("udp [::1]:%d UNCONN %d", used, os.Getpid()),
			}
			if !p.Local.InUse || !slices.Equal(got, want) {
				t.Errorf("port %d: in use %v, sockets %q; want %q", used, p.Local.InUse, got, want)
			}
		}
	}
	for proto, want := range map[string]string{"tcp": "tcp", "udp": "udp"} {
		rep, err := portcmd.Run(portcmd.Options{Lists: []netaddr.PortList{list}, Local: true, Proto: proto})
		if err != nil || rep.InUse != 1 {
			t.Fatalf("Proto %s: %+v, %v", proto, rep, err)
		}
		for _, p := range rep.Ports {
			if p.Port == used && (len(p.Local.Sockets) != 1 || p.Local.Sockets[0].Proto != want) {
				t.Errorf("Proto %s: port %d sockets %+v", proto, used, p.Local.Sockets)
			}
		}
	}
	if _, err := portcmd.Run(portcmd.Options{Lists: []netaddr.PortList{list}, Local: true, Proto: "sctp"}); err == nil {
		t.Error(`Proto "sctp" accepted`)
	}

	// "-" with Local: only ports in use, ours among them.
	rep, err = portcmd.Run(portcmd.Options{Lists: []netaddr.PortList{netaddr.AllPorts()}, Local: true})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Trimmed || rep.Asked != 65535 || rep.InUse != len(rep.Ports) || !slices.Contains(ports(rep), used) || slices.Contains(ports(rep), free) {
		t.Errorf("-: trimmed %v asked %d in use %d ports %v; want only ports in use, %d among them", rep.Trimmed, rep.Asked, rep.InUse, ports(rep), used)
	}
}

// TestRunLocalAgainstSS checks every port "-" reports in use against ss -l.
func TestRunLocalAgainstSS(t *testing.T) {
	testnet.RequireTools(t, "ss")
	listen(t)
	before, err := portcmd.Run(portcmd.Options{Lists: []netaddr.PortList{netaddr.AllPorts()}, Local: true})
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("ss", "-Htuln").Output()
	if err != nil {
		t.Fatal(err)
	}
	after, err := portcmd.Run(portcmd.Options{Lists: []netaddr.PortList{netaddr.AllPorts()}, Local: true})
	if err != nil {
		t.Fatal(err)
	}
	ssPorts := make(map[string]bool) // "tcp 8080"
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) < 5 {
			t.Fatalf("ss line %q", line)
		}
		ssPorts[f[0]+" "+f[4][strings.LastIndexByte(f[4], ':')+1:]] = true
	}
	stable := make(map[string]bool) // in use before and after ss ran
	for _, p := range after.Ports {
		for _, s := range p.Local.Sockets {
			if s.Proto == "tcp" || s.State == "UNCONN" { // ss -l leaves out connected UDP
				stable[fmt.Sprintf("%s %d", s.Proto, p.Port)] = true
			}
		}
	}
	for _, p := range before.Ports {
		for _, s := range p.Local.Sockets {
			key := fmt.Sprintf("%s %d", s.Proto, p.Port)
			if stable[key] && !ssPorts[key] {
				t.Errorf("we say %s is in use (%s %s), ss -l does not list it", key, s.Local, s.State)
			}
		}
	}
	seen := make(map[string]bool) // in use in either run
	for _, rep := range []portcmd.Report{before, after} {
		for _, p := range rep.Ports {
			for _, s := range p.Local.Sockets {
				seen[fmt.Sprintf("%s %d", s.Proto, p.Port)] = true
			}
		}
	}
	for key := range ssPorts {
		if !seen[key] {
			t.Errorf("ss -l lists %s, we do not say it is in use", key)
		}
	}
	if len(stable) < 2 {
		t.Errorf("only %d ports in use, fewer than this test opened", len(stable))
	}
}
