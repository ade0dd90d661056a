package check

import (
	"net/netip"
	"testing"

	"golang.org/x/net/dns/dnsmessage"
)

// answerFor packs a response to a query for check.test.
func answerFor(f testing.TB, id uint16, typ dnsmessage.Type, rcode dnsmessage.RCode, bodies ...dnsmessage.ResourceBody) []byte {
	name := dnsmessage.MustNewName("check.test.")
	m := dnsmessage.Message{
		Header:    dnsmessage.Header{ID: id, Response: true, RCode: rcode},
		Questions: []dnsmessage.Question{{Name: name, Type: typ, Class: dnsmessage.ClassINET}},
	}
	for _, b := range bodies {
		m.Answers = append(m.Answers, dnsmessage.Resource{Header: dnsmessage.ResourceHeader{Name: name, Class: dnsmessage.ClassINET, TTL: 60}, Body: b})
	}
	p, err := m.Pack()
	if err != nil {
		f.Fatal(err)
	}
	return p
}

// FuzzReadAnswer feeds arbitrary datagrams to the DNS answer reader, which
// sees whatever arrives on the resolver's socket: it must never panic,
// accept only responses to a pending query, leave the result alone when it
// rejects one, and keep only addresses of the type asked.
func FuzzReadAnswer(f *testing.F) {
	f.Add(answerFor(f, 0x1234, dnsmessage.TypeA, dnsmessage.RCodeSuccess, &dnsmessage.AResource{A: [4]byte{10, 78, 0, 2}}))
	f.Add(answerFor(f, 0x4321, dnsmessage.TypeAAAA, dnsmessage.RCodeSuccess, &dnsmessage.AAAAResource{AAAA: netip.MustParseAddr("fd78::2").As16()}))
	f.Add(answerFor(f, 0x1234, dnsmessage.TypeA, dnsmessage.RCodeNameError))
	f.Add(answerFor(f, 0x1234, dnsmessage.TypeA, dnsmessage.RCodeSuccess, &dnsmessage.CNAMEResource{CNAME: dnsmessage.MustNewName("other.test.")},
		&dnsmessage.AAAAResource{}, &dnsmessage.AResource{A: [4]byte{192, 0, 2, 1}}))
	f.Add(answerFor(f, 0x9999, dnsmessage.TypeA, dnsmessage.RCodeSuccess))
	name := dnsmessage.MustNewName("check.test.")
	f.Fuzz(func(t *testing.T, b []byte) {
		pending := map[uint16]pendingQuery{
			0x1234: {packet: []byte{1}, typ: dnsmessage.TypeA},
			0x4321: {packet: []byte{1}, typ: dnsmessage.TypeAAAA},
		}
		r := &ResolverResult{Addrs: []netip.Addr{}}
		id, ok := readAnswer(b, name, pending, r)
		if !ok {
			if len(r.Addrs) > 0 || r.RCode != "" {
				t.Fatalf("rejected datagram changed the result: %+v", r)
			}
			return
		}
		q, found := pending[id]
		if !found {
			t.Fatalf("accepted an answer to ID %#x, which was not asked", id)
		}
		for _, a := range r.Addrs {
			if (q.typ == dnsmessage.TypeA) != a.Is4() {
				t.Fatalf("%v in the answer to a %v query", a, q.typ)
			}
		}
	})
}

func TestReadAnswer(t *testing.T) {
	name := dnsmessage.MustNewName("check.test.")
	pending := map[uint16]pendingQuery{0x1234: {packet: []byte{1}, typ: dnsmessage.TypeA}}
	r := &ResolverResult{Addrs: []netip.Addr{}}
	if _, ok := readAnswer(answerFor(t, 0x1234, dnsmessage.TypeAAAA, dnsmessage.RCodeSuccess), name, pending, r); ok {
		t.Error("accepted an answer whose question has another type")
	}
	if _, ok := readAnswer(answerFor(t, 0x1235, dnsmessage.TypeA, dnsmessage.RCodeSuccess), name, pending, r); ok {
		t.Error("accepted an answer with another ID")
	}
	b := answerFor(t, 0x1234, dnsmessage.TypeA, dnsmessage.RCodeSuccess, &dnsmessage.CNAMEResource{CNAME: dnsmessage.MustNewName("x.test.")},
		&dnsmessage.AResource{A: [4]byte{10, 78, 0, 2}})
	if id, ok := readAnswer(b, name, pending, r); !ok || id != 0x1234 || len(r.Addrs) != 1 || r.Addrs[0] != netip.MustParseAddr("10.78.0.2") || r.RCode != "NOERROR" {
		t.Errorf("A answer after a CNAME: %v %v %+v", id, ok, r)
	}
	r = &ResolverResult{Addrs: []netip.Addr{}}
	if _, ok := readAnswer(answerFor(t, 0x1234, dnsmessage.TypeA, dnsmessage.RCodeServerFailure), name, pending, r); !ok || r.RCode != "SERVFAIL" {
		t.Errorf("SERVFAIL: %+v", r)
	}
}
