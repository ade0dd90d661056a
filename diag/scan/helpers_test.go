package scan_test

import (
	"encoding/xml"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"netdiag/diag/netaddr"
	"netdiag/diag/sockets"
	"netdiag/internal/testnet"
)

// serve accepts connections on ln until the test ends, sends greeting (if
// any) and closes each; the accept goroutine is waited for.
func serve(t *testing.T, ln net.Listener, greeting string) {
	t.Helper()
	testnet.Serve(t, ln, func(c net.Conn) {
		if greeting != "" {
			_ = c.SetWriteDeadline(time.Now().Add(time.Second))
			_, _ = c.Write([]byte(greeting))
		}
	})
}

// freeRange returns a random range of n ports below the ephemeral range
// (32768+, where the kernel puts every port-0 bind and outgoing
// connection, so tests running in parallel do not land there) in which
// nothing listens on this namespace's TCP, IPv4 or IPv6.
func freeRange(t *testing.T, n int) netaddr.PortRange {
	t.Helper()
	for range 50 {
		first := netaddr.Port(10000 + rand.IntN(32768-10000-n))
		r := netaddr.PortRange{First: first, Last: first + netaddr.Port(n) - 1}
		busy, err := sockets.Find(func(s sockets.Socket) bool {
			p := netaddr.Port(s.Local.Port())
			return s.Proto == "tcp" && s.State == "LISTEN" && p >= r.First && p <= r.Last
		})
		if err != nil {
			t.Fatalf("listing sockets: %v", err)
		}
		if len(busy) == 0 {
			return r
		}
	}
	t.Fatalf("found no range of %d ports without listeners below 32768", n)
	return netaddr.PortRange{}
}

// listenOn opens listeners on k random ports of r at addr (retrying ports
// that happen to be taken) and returns the ports, sorted.
func listenOn(t *testing.T, addr netip.Addr, r netaddr.PortRange, k int, greeting string, listen func(network, address string) (net.Listener, error)) []netaddr.Port {
	t.Helper()
	var ports []netaddr.Port
	for tries := 0; len(ports) < k; tries++ {
		if tries > 10*k {
			t.Fatalf("could not open %d listeners in %v", k, r)
		}
		p := r.First + netaddr.Port(rand.IntN(r.Len()))
		if slices.Contains(ports, p) {
			continue
		}
		ln, err := listen("tcp", netip.AddrPortFrom(addr, uint16(p)).String())
		if err != nil {
			continue
		}
		serve(t, ln, greeting)
		ports = append(ports, p)
	}
	slices.Sort(ports)
	return ports
}

// nmapRun is the part of nmap's -oX output the tests read.
type nmapRun struct {
	Hosts []struct {
		Addrs []struct {
			Addr string `xml:"addr,attr"`
		} `xml:"address"`
		Ports struct {
			Ports []struct {
				ID    int `xml:"portid,attr"`
				State struct {
					State  string `xml:"state,attr"`
					Reason string `xml:"reason,attr"`
				} `xml:"state"`
			} `xml:"port"`
			Extra []struct {
				State   string `xml:"state,attr"`
				Reasons []struct {
					Ports string `xml:"ports,attr"`
				} `xml:"extrareasons"`
			} `xml:"extraports"`
		} `xml:"ports"`
	} `xml:"host"`
}

// nmapStates runs nmap (argv, which ends with the target and includes
// -oX -) and returns each port's state, the collapsed "Not shown" ports
// included.
func nmapStates(t *testing.T, argv ...string) map[netaddr.Port]string {
	t.Helper()
	testnet.RequireTools(t, "nmap")
	res := testnet.Run(t, 5*time.Minute, "", argv[0], argv[1:]...)
	if res.Code != 0 {
		t.Fatalf("%s: exit %d\n%s", strings.Join(argv, " "), res.Code, res.Stderr)
	}
	states, err := parseNmapXML(res.Stdout)
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(argv, " "), err, res.Stdout)
	}
	return states
}

func parseNmapXML(doc string) (map[netaddr.Port]string, error) {
	var run nmapRun
	if err := xml.Unmarshal([]byte(doc), &run); err != nil {
		return nil, fmt.Errorf("parsing nmap XML: %w", err)
	}
	if len(run.Hosts) != 1 {
		return nil, fmt.Errorf("nmap reported %d hosts, want 1", len(run.Hosts))
	}
	states := map[netaddr.Port]string{}
	h := run.Hosts[0]
	for _, p := range h.Ports.Ports {
		states[netaddr.Port(p.ID)] = p.State.State
	}
	for _, e := range h.Ports.Extra {
		for _, r := range e.Reasons {
			if r.Ports == "" {
				return nil, errors.New("nmap collapsed ports without listing them (extrareasons without ports)")
			}
			list, err := netaddr.ParsePortList(r.Ports)
			if err != nil {
				return nil, err
			}
			for p := range list.All() {
				states[p] = e.State
			}
		}
	}
	return states, nil
}

// portsIn returns the ports of states that are in state want, sorted.
func portsIn(states map[netaddr.Port]string, want string) []netaddr.Port {
	var out []netaddr.Port
	for p, s := range states {
		if s == want {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}
