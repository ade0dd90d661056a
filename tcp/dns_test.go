package tcp

import (
	"context"
	"encoding/binary"
	"net"
	"net/netip"
	"strings"
	"testing"

	"netdiag/internal/testnet"
)

// loopbackResolver returns a resolver that asks a tiny DNS server on
// 127.0.0.1, run for the test, which answers every A query with 127.0.0.1
// and every AAAA query with ::1, for any name: a name with both families
// without touching /etc/hosts.
func loopbackResolver(t testing.TB) *net.Resolver {
	t.Helper()
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	testnet.ServePacket(t, pc, dnsAnswer)
	addr := pc.LocalAddr().String()
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp4", addr)
	}}
}

// dnsAnswer builds the reply to a one-question query (RFC 1035 4.1).
func dnsAnswer(q []byte) []byte {
	if len(q) < 12 || binary.BigEndian.Uint16(q[4:]) != 1 {
		return nil
	}
	end := 12
	for end < len(q) && q[end] != 0 {
		end += int(q[end]) + 1
	}
	end += 5 // the root label, QTYPE, QCLASS
	if end > len(q) {
		return nil
	}
	qtype := binary.BigEndian.Uint16(q[end-4:])
	var rdata []byte
	switch qtype {
	case 1:
		a := netip.MustParseAddr("127.0.0.1").As4()
		rdata = a[:]
	case 28:
		a := netip.IPv6Loopback().As16()
		rdata = a[:]
	}
	resp := append([]byte(nil), q[:2]...)
	resp = append(resp, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0) // response, recursion; 1 question
	if rdata != nil {
		resp[7] = 1 // one answer
	}
	resp = append(resp, q[12:end]...)
	if rdata != nil {
		resp = append(resp, 0xc0, 12) // the question's name
		resp = binary.BigEndian.AppendUint16(resp, qtype)
		resp = append(resp, 0, 1, 0, 0, 0, 60)
		resp = binary.BigEndian.AppendUint16(resp, uint16(len(rdata)))
		resp = append(resp, rdata...)
	}
	return resp
}

func TestLoopbackResolver(t *testing.T) {
	t.Parallel()
	addrs, err := loopbackResolver(t).LookupNetIP(context.Background(), "ip", "dual.test")
	if err != nil {
		t.Fatal(err)
	}
	got := []string{}
	for _, a := range addrs {
		got = append(got, a.Unmap().String())
	}
	if s := strings.Join(got, " "); !strings.Contains(s, "127.0.0.1") || !strings.Contains(s, "::1") {
		t.Fatalf("dual.test = %v", got)
	}
}
