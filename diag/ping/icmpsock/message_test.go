package icmpsock

import (
	"bytes"
	"net/netip"
	"testing"
)

func TestParse(t *testing.T) {
	lo4, dst4 := [4]byte{127, 0, 0, 1}, [4]byte{10, 0, 0, 2}
	router4 := [4]byte{10, 0, 0, 1}
	dst6 := [16]byte{0: 0xfd, 15: 2}
	req4 := cat(ipv4Header(lo4, dst4), echo(8, 0x1234, 9, []byte("abcdefgh")))
	req6 := cat(ipv6Header([16]byte{15: 1}, dst6), echo(128, 0x1234, 9, nil))

	var p Packet
	reply := cat(ipv4Header(dst4, lo4), echo(0, 0x1234, 5, []byte("payload")))
	reply[8] = 61
	if !parseIPv4Packet(reply, &p) || p.Kind != EchoReply || p.ID != 0x1234 || p.Seq != 5 || p.TTL != 61 ||
		p.From != netip.AddrFrom4(dst4) || p.Len != 15 || !bytes.Equal(p.Data, []byte("payload")) {
		t.Errorf("IPv4 echo reply parsed as %+v", p)
	}

	p = Packet{}
	frag := icmpError(3, 4, req4)
	frag[6], frag[7] = 0x05, 0xdc // next-hop MTU 1500
	if !parseIPv4Packet(cat(ipv4Header(router4, lo4), frag), &p) || p.Kind != ICMPError || p.Type != 3 || p.Code != 4 ||
		p.Info != 1500 || p.Seq != 9 || p.ID != 0x1234 || p.Dst != netip.AddrFrom4(dst4) || p.From != netip.AddrFrom4(router4) {
		t.Errorf("fragmentation needed parsed as %+v", p)
	}
	if got := p.Describe(); got != "Frag needed and DF set (mtu = 1500)" {
		t.Errorf("Describe = %q", got)
	}

	p = Packet{From: netip.MustParseAddr("fd00::1")}
	if !parseMessage(true, icmpError(3, 0, req6), &p) || p.Kind != ICMPError || p.Dst != netip.AddrFrom16(dst6) || p.Seq != 9 {
		t.Errorf("ICMPv6 time exceeded parsed as %+v", p)
	}
	if got := p.Describe(); got != "Time exceeded: Hop limit" {
		t.Errorf("Describe = %q", got)
	}

	for name, b := range map[string][]byte{
		"echo request":          echo(8, 1, 1, nil),
		"error quoting a reply": icmpError(3, 1, cat(ipv4Header(lo4, dst4), echo(0, 1, 1, nil))),
		"error quoting UDP":     icmpError(3, 3, cat(append(ipv4Header(lo4, dst4)[:9], 17), ipv4Header(lo4, dst4)[10:], make([]byte, 8))),
		"short error":           icmpError(11, 0, req4[:24]),
		"timestamp reply":       {14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
		"empty":                 {},
		"two bytes":             {0, 0},
	} {
		p = Packet{}
		if parseMessage(false, b, &p) {
			t.Errorf("%s: parsed as %+v, want rejected", name, p)
		}
	}
}

func TestDescribe(t *testing.T) {
	for _, tc := range []struct {
		v6        bool
		typ, code int
		info      uint32
		want      string
	}{
		{false, 3, 0, 0, "Destination Net Unreachable"},
		{false, 3, 1, 0, "Destination Host Unreachable"},
		{false, 3, 3, 0, "Destination Port Unreachable"},
		{false, 3, 13, 0, "Packet filtered"},
		{false, 3, 99, 0, "Dest Unreachable, Bad Code: 99"},
		{false, 11, 0, 0, "Time to live exceeded"},
		{false, 11, 1, 0, "Frag reassembly time exceeded"},
		{false, 12, 0, 20, "Parameter problem: pointer = 20"},
		{true, 1, 0, 0, "Destination unreachable: No route"},
		{true, 1, 1, 0, "Destination unreachable: Administratively prohibited"},
		{true, 1, 3, 0, "Destination unreachable: Address unreachable"},
		{true, 1, 4, 0, "Destination unreachable: Port unreachable"},
		{true, 2, 0, 1280, "Packet too big: mtu=1280"},
		{true, 3, 0, 0, "Time exceeded: Hop limit"},
		{true, 4, 1, 40, "Parameter problem: Unknown header at 40"},
	} {
		if got := Describe(tc.v6, tc.typ, tc.code, tc.info); got != tc.want {
			t.Errorf("Describe(v6=%v, %d, %d, %d) = %q, want %q", tc.v6, tc.typ, tc.code, tc.info, got, tc.want)
		}
	}
}

func TestMarshalEcho(t *testing.T) {
	b := MarshalEcho(false, 0x1234, 0x0102, []byte{1, 2, 3})
	if len(b) != 11 || b[0] != 8 || b[4] != 0x12 || b[5] != 0x34 || b[6] != 1 || b[7] != 2 {
		t.Fatalf("MarshalEcho = % x", b)
	}
	// The Internet checksum of a message with its checksum in place is 0.
	var sum uint32
	for i := 0; i < len(b); i += 2 {
		w := uint32(b[i]) << 8
		if i+1 < len(b) {
			w |= uint32(b[i+1])
		}
		sum += w
	}
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	if sum != 0xffff {
		t.Errorf("checksum does not verify: % x", b)
	}
	if b := MarshalEcho(true, 1, 2, nil); b[0] != 128 {
		t.Errorf("ICMPv6 echo request type = %d, want 128", b[0])
	}
}

// FuzzParse feeds arbitrary bytes to the parsers raw and datagram sockets
// use: they must never panic, and what they accept must be consistent.
func FuzzParse(f *testing.F) {
	lo4, dst4 := [4]byte{127, 0, 0, 1}, [4]byte{10, 0, 0, 2}
	req4 := cat(ipv4Header(lo4, dst4), echo(8, 7, 9, []byte("abcdefgh")))
	f.Add(cat(ipv4Header(dst4, lo4), echo(0, 7, 1, []byte("x"))), false)
	f.Add(cat(ipv4Header(lo4, lo4), icmpError(3, 1, req4)), false)
	f.Add(cat(ipv4Header(lo4, lo4), icmpError(11, 0, req4[:28])), false)
	f.Add(echo(129, 7, 1, nil), true)
	f.Add(icmpError(1, 3, cat(ipv6Header([16]byte{15: 1}, [16]byte{15: 2}), echo(128, 7, 9, nil))), true)
	f.Fuzz(func(t *testing.T, b []byte, v6 bool) {
		var p Packet
		ok := false
		if v6 {
			ok = parseMessage(true, b, &p)
		} else {
			ok = parseIPv4Packet(b, &p)
			var q Packet
			parseMessage(false, b, &q)
		}
		if !ok {
			return
		}
		switch p.Kind {
		case EchoReply:
			if p.Len < 8 || len(p.Data) != p.Len-8 {
				t.Errorf("reply of %d bytes with %d data bytes", p.Len, len(p.Data))
			}
		case ICMPError:
			if !p.Dst.IsValid() {
				t.Errorf("error without the quoted destination: %+v", p)
			}
			_ = p.Describe()
		default:
			t.Errorf("accepted with kind %d", p.Kind)
		}
	})
}
