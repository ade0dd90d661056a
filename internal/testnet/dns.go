package testnet

import (
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/dns/dnsmessage"
)

// DNSServer is the tests' tiny DNS responder (check's labs, the docs lab):
// it answers A and AAAA queries from a fixed zone over UDP. Special names
// make it misbehave: "servfail.test" gets SERVFAIL, "refused.test" REFUSED,
// "noaaaa.test" an A answer while its AAAA queries are ignored; any other
// name not in the zone gets NXDOMAIN.
type DNSServer struct {
	zone map[string][]netip.Addr // lower-case FQDN → addresses

	mu      sync.Mutex
	queries int
	asked   chan struct{} // closed at the first query (Asked)
	once    sync.Once
}

// ServeDNS answers queries arriving on pc from zone (name → addresses)
// until the test ends.
func ServeDNS(t testing.TB, pc net.PacketConn, zone map[string][]netip.Addr) *DNSServer {
	t.Helper()
	s := &DNSServer{zone: map[string][]netip.Addr{}, asked: make(chan struct{})}
	for name, addrs := range zone {
		s.zone[strings.ToLower(name)+"."] = addrs
	}
	ServePacket(t, pc, s.answer)
	return s
}

// Count returns how many queries arrived.
func (s *DNSServer) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queries
}

// Asked is closed when the first query arrives.
func (s *DNSServer) Asked() <-chan struct{} { return s.asked }

// answer builds the response to one query, or nil to ignore it.
func (s *DNSServer) answer(b []byte) []byte {
	var p dnsmessage.Parser
	h, err := p.Start(b)
	if err != nil || h.Response {
		return nil
	}
	q, err := p.Question()
	if err != nil {
		return nil
	}
	s.mu.Lock()
	s.queries++
	s.mu.Unlock()
	s.once.Do(func() { close(s.asked) })
	name := strings.ToLower(q.Name.String())
	resp := dnsmessage.Message{
		Header:    dnsmessage.Header{ID: h.ID, Response: true, RecursionDesired: h.RecursionDesired, RecursionAvailable: true},
		Questions: []dnsmessage.Question{q},
	}
	addrs, known := s.zone[name]
	switch {
	case name == "servfail.test.":
		resp.RCode = dnsmessage.RCodeServerFailure
	case name == "refused.test.":
		resp.RCode = dnsmessage.RCodeRefused
	case name == "noaaaa.test." && q.Type == dnsmessage.TypeAAAA:
		return nil
	case name == "noaaaa.test.":
		addrs, known = []netip.Addr{netip.MustParseAddr("192.0.2.1")}, true
		fallthrough
	case known:
		rh := dnsmessage.ResourceHeader{Name: q.Name, Class: dnsmessage.ClassINET, TTL: 60}
		for _, a := range addrs {
			switch {
			case q.Type == dnsmessage.TypeA && a.Is4():
				resp.Answers = append(resp.Answers, dnsmessage.Resource{Header: rh, Body: &dnsmessage.AResource{A: a.As4()}})
			case q.Type == dnsmessage.TypeAAAA && a.Is6():
				resp.Answers = append(resp.Answers, dnsmessage.Resource{Header: rh, Body: &dnsmessage.AAAAResource{AAAA: a.As16()}})
			}
		}
	default:
		resp.RCode = dnsmessage.RCodeNameError
	}
	out, err := resp.Pack()
	if err != nil {
		return nil
	}
	return out
}
