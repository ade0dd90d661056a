package icmpsock

import (
	"testing"

	"golang.org/x/net/bpf"
)

// ipv4Header returns a 20-byte IPv4 header (version 4, length 5 words) for
// protocol ICMP from src to dst.
func ipv4Header(src, dst [4]byte) []byte {
	h := make([]byte, 20)
	h[0], h[8], h[9] = 0x45, 64, protoICMP
	copy(h[12:16], src[:])
	copy(h[16:20], dst[:])
	return h
}

// ipv6Header returns a 40-byte IPv6 header with next header ICMPv6.
func ipv6Header(src, dst [16]byte) []byte {
	h := make([]byte, 40)
	h[0], h[6], h[7] = 0x60, protoICMPv6, 64
	copy(h[8:24], src[:])
	copy(h[24:40], dst[:])
	return h
}

// echo returns an echo message of the given type (no checksum needed by
// the parsers).
func echo(typ byte, id, seq uint16, data []byte) []byte {
	b := []byte{typ, 0, 0, 0, byte(id >> 8), byte(id), byte(seq >> 8), byte(seq)}
	return append(b, data...)
}

// icmpError returns an ICMP error message quoting the datagram q.
func icmpError(typ, code byte, q []byte) []byte {
	return append([]byte{typ, code, 0, 0, 0, 0, 0, 0}, q...)
}

func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// TestFilterProgram runs the raw-socket filters in x/net/bpf's VM over
// packets as raw sockets read them: the replies and errors for our
// identifier must pass, everything else must not.
func TestFilterProgram(t *testing.T) {
	const id = 0xbeef
	lo4, dst4 := [4]byte{127, 0, 0, 1}, [4]byte{10, 0, 0, 2}
	lo6, dst6 := [16]byte{15: 1}, [16]byte{0: 0xfd, 15: 2}
	req4 := cat(ipv4Header(lo4, dst4), echo(8, id, 7, nil))
	other4 := cat(ipv4Header(lo4, dst4), echo(8, id+1, 7, nil))
	req6 := cat(ipv6Header(lo6, dst6), echo(128, id, 7, nil))
	other6 := cat(ipv6Header(lo6, dst6), echo(128, id+1, 7, nil))
	withOptions := append([]byte(nil), req4...)
	withOptions[0] = 0x46 // a 24-byte header: the filter lets Recv decide
	withOptions = cat(withOptions[:20], []byte{1, 1, 1, 1}, withOptions[20:])
	for _, tc := range []struct {
		name string
		v6   bool
		pkt  []byte
		pass bool
	}{
		{"v4 echo reply, our id", false, cat(ipv4Header(dst4, lo4), echo(0, id, 1, []byte("data"))), true},
		{"v4 echo reply, other id", false, cat(ipv4Header(dst4, lo4), echo(0, id+1, 1, nil)), false},
		{"v4 echo request", false, cat(ipv4Header(dst4, lo4), echo(8, id, 1, nil)), false},
		{"v4 host unreachable quoting ours", false, cat(ipv4Header(lo4, lo4), icmpError(3, 1, req4)), true},
		{"v4 time exceeded quoting ours", false, cat(ipv4Header(lo4, lo4), icmpError(11, 0, req4)), true},
		{"v4 parameter problem quoting ours", false, cat(ipv4Header(lo4, lo4), icmpError(12, 0, req4)), true},
		{"v4 unreachable quoting another id", false, cat(ipv4Header(lo4, lo4), icmpError(3, 1, other4)), false},
		{"v4 unreachable quoting a header with options", false, cat(ipv4Header(lo4, lo4), icmpError(3, 1, withOptions)), true},
		{"v4 redirect", false, cat(ipv4Header(lo4, lo4), icmpError(5, 1, req4)), false},
		{"v4 truncated", false, cat(ipv4Header(dst4, lo4), []byte{0, 0}), false},
		{"v6 echo reply, our id", true, echo(129, id, 1, nil), true},
		{"v6 echo reply, other id", true, echo(129, id+1, 1, nil), false},
		{"v6 echo request", true, echo(128, id, 1, nil), false},
		{"v6 address unreachable quoting ours", true, icmpError(1, 3, req6), true},
		{"v6 packet too big quoting ours", true, icmpError(2, 0, req6), true},
		{"v6 hop limit exceeded quoting ours", true, icmpError(3, 0, req6), true},
		{"v6 parameter problem quoting ours", true, icmpError(4, 0, req6), true},
		{"v6 unreachable quoting another id", true, icmpError(1, 3, other6), false},
		{"v6 router advertisement", true, []byte{134, 0, 0, 0, 64, 0, 0, 0}, false},
		{"v6 type 0", true, icmpError(0, 0, req6), false},
	} {
		vm, err := bpf.NewVM(filterProgram(tc.v6, id))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		n, err := vm.Run(tc.pkt)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := n > 0; got != tc.pass {
			t.Errorf("%s: filter passes = %v, want %v", tc.name, got, tc.pass)
		}
		if tc.pass && n < len(tc.pkt) {
			t.Errorf("%s: filter truncates to %d of %d bytes", tc.name, n, len(tc.pkt))
		}
	}
}
