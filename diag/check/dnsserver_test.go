package check_test

import (
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/dns/dnsmessage"

	"netdiag/internal/testnet"
)

// dnsServer is the tests' tiny DNS responder: it answers A and AAAA
// queries from a fixed zone over UDP. Special names make it misbehave:
// "servfail.test" gets SERVFAIL, "refused.test" REFUSED, "noaaaa.test" an A
// answer while its AAAA queries are ignored; any other name not in the zone
// gets NXDOMAIN.
type dnsServer struct {
	zone map[string][]netip.Addr // lower-case FQDN → addresses

	mu      sync.Mutex
	queries int
	asked   chan struct{} // closed at the first query
	once    sync.Once
}

// serveDNS answers queries arriving on pc until the test ends.
func serveDNS(t *testing.T, pc net.PacketConn, zone map[string][]netip.Addr) *dnsServer {
	t.Helper()
	s := &dnsServer{zone: map[string][]netip.Addr{}, asked: make(chan struct{})}
	for name, addrs := range zone {
		s.zone[strings.ToLower(name)+"."] = addrs
	}
	testnet.ServePacket(t, pc, s.answer)
	return s
}

// count returns how many queries arrived.
func (s *dnsServer) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queries
}

// answer builds the response to one query, or nil to ignore it.
func (s *dnsServer) answer(b []byte) []byte {
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
