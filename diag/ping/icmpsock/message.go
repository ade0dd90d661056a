package icmpsock

import (
	"encoding/binary"
	"fmt"
	"net/netip"

	"golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// IANA protocol numbers, as icmp.ParseMessage wants them.
const (
	protoICMP   = 1
	protoICMPv6 = 58
)

// MarshalEcho returns an ICMP (v6: ICMPv6) echo request. The IPv4 checksum
// is computed; for ICMPv6 the kernel fills it in (it covers a pseudo-header
// only the kernel knows for sure).
func MarshalEcho(v6 bool, id, seq uint16, data []byte) []byte {
	var typ icmp.Type = ipv4.ICMPTypeEcho
	if v6 {
		typ = ipv6.ICMPTypeEchoRequest
	}
	m := icmp.Message{Type: typ, Body: &icmp.Echo{ID: int(id), Seq: int(seq), Data: data}}
	b, err := m.Marshal(nil)
	if err != nil {
		// Marshal fails only for bodies it cannot encode; an Echo always can.
		panic(fmt.Sprintf("icmpsock: marshalling an echo request: %v", err))
	}
	return b
}

// parseIPv4Packet parses what a raw IPv4 ICMP socket reads: the IP header,
// then the ICMP message. It fills pkt's From and TTL from the header.
func parseIPv4Packet(b []byte, pkt *Packet) bool {
	if len(b) < 20 || b[0]>>4 != 4 {
		return false
	}
	hl := int(b[0]&0x0f) * 4
	if hl < 20 || len(b) < hl {
		return false
	}
	pkt.From = netip.AddrFrom4([4]byte(b[12:16]))
	pkt.TTL = int(b[8])
	return parseMessage(false, b[hl:], pkt)
}

// parseMessage parses an ICMP (v6: ICMPv6) message, without IP header, into
// pkt: an echo reply, or an error quoting one of our echo requests. It
// reports whether b was either; other messages (echo requests, router
// advertisements, …) and malformed ones are not.
func parseMessage(v6 bool, b []byte, pkt *Packet) bool {
	proto := protoICMP
	if v6 {
		proto = protoICMPv6
	}
	m, err := icmp.ParseMessage(proto, b)
	if err != nil {
		return false
	}
	pkt.Type, pkt.Code = int(b[0]), int(b[1])
	var quoted []byte
	switch body := m.Body.(type) {
	case *icmp.Echo:
		if m.Type != ipv4.ICMPTypeEchoReply && m.Type != ipv6.ICMPTypeEchoReply {
			return false
		}
		pkt.Kind, pkt.Len = EchoReply, len(b)
		pkt.ID, pkt.Seq, pkt.Data = uint16(body.ID), uint16(body.Seq), body.Data
		return true
	case *icmp.DstUnreach:
		quoted = body.Data
		if !v6 && pkt.Code == 4 { // fragmentation needed: next-hop MTU
			pkt.Info = uint32(binary.BigEndian.Uint16(b[6:8]))
		}
	case *icmp.TimeExceeded:
		quoted = body.Data
	case *icmp.PacketTooBig:
		quoted, pkt.Info = body.Data, uint32(body.MTU)
	case *icmp.ParamProb:
		quoted, pkt.Info = body.Data, uint32(body.Pointer)
	default:
		return false
	}
	pkt.Kind = ICMPError
	return parseQuoted(v6, quoted, pkt)
}

// parseQuoted reads the start of the datagram an ICMP error quotes: the IP
// header and the first 8 bytes of our echo request. It fills pkt's Dst, ID,
// Seq and Data and reports whether the quoted packet was an echo request.
func parseQuoted(v6 bool, q []byte, pkt *Packet) bool {
	var rest []byte
	if v6 {
		if len(q) < 40+8 || q[0]>>4 != 6 || q[6] != protoICMPv6 {
			return false
		}
		pkt.Dst = netip.AddrFrom16([16]byte(q[24:40]))
		rest = q[40:]
		if rest[0] != byte(ipv6.ICMPTypeEchoRequest) {
			return false
		}
	} else {
		if len(q) < 20 || q[0]>>4 != 4 {
			return false
		}
		hl := int(q[0]&0x0f) * 4
		if hl < 20 || len(q) < hl+8 || q[9] != protoICMP {
			return false
		}
		pkt.Dst = netip.AddrFrom4([4]byte(q[16:20]))
		rest = q[hl:]
		if rest[0] != byte(ipv4.ICMPTypeEcho) {
			return false
		}
	}
	return parseEchoHeader(rest, pkt)
}

// parseEchoHeader reads the identifier and sequence number of an echo
// message (at least its 8-byte header) into pkt, and the data after them.
func parseEchoHeader(b []byte, pkt *Packet) bool {
	if len(b) < 8 {
		return false
	}
	pkt.ID = binary.BigEndian.Uint16(b[4:6])
	pkt.Seq = binary.BigEndian.Uint16(b[6:8])
	pkt.Data = b[8:]
	return true
}

// Describe returns iputils ping's text for an ICMP error type and code
// ("Destination Host Unreachable", "Time to live exceeded"; for ICMPv6
// "Destination unreachable: Address unreachable", "Time exceeded: Hop
// limit"). info is the MTU or pointer the message carries.
func Describe(v6 bool, typ, code int, info uint32) string {
	if v6 {
		return describe6(typ, code, info)
	}
	switch typ {
	case 3:
		if code == 4 {
			return fmt.Sprintf("Frag needed and DF set (mtu = %d)", info)
		}
		if code >= 0 && code < len(unreach4) {
			return unreach4[code]
		}
		return fmt.Sprintf("Dest Unreachable, Bad Code: %d", code)
	case 4:
		return "Source Quench"
	case 11:
		switch code {
		case 0:
			return "Time to live exceeded"
		case 1:
			return "Frag reassembly time exceeded"
		}
		return fmt.Sprintf("Time exceeded, Bad Code: %d", code)
	case 12:
		return fmt.Sprintf("Parameter problem: pointer = %d", info)
	}
	return fmt.Sprintf("Bad ICMP type: %d", typ)
}

var unreach4 = []string{
	"Destination Net Unreachable",
	"Destination Host Unreachable",
	"Destination Protocol Unreachable",
	"Destination Port Unreachable",
	"Frag needed and DF set",
	"Source Route Failed",
	"Destination Net Unknown",
	"Destination Host Unknown",
	"Source Host Isolated",
	"Destination Net Prohibited",
	"Destination Host Prohibited",
	"Destination Net Unreachable for Type of Service",
	"Destination Host Unreachable for Type of Service",
	"Packet filtered",
	"Precedence Violation",
	"Precedence Cutoff",
}

var unreach6 = []string{
	"No route",
	"Administratively prohibited",
	"Beyond scope of source address",
	"Address unreachable",
	"Port unreachable",
	"Source address failed ingress/egress policy",
	"Reject route to destination",
}

func describe6(typ, code int, info uint32) string {
	switch typ {
	case 1:
		if code >= 0 && code < len(unreach6) {
			return "Destination unreachable: " + unreach6[code]
		}
		return fmt.Sprintf("Destination unreachable: Unknown code %d", code)
	case 2:
		return fmt.Sprintf("Packet too big: mtu=%d", info)
	case 3:
		switch code {
		case 0:
			return "Time exceeded: Hop limit"
		case 1:
			return "Time exceeded: Defragmentation failure"
		}
		return fmt.Sprintf("Time exceeded: code %d", code)
	case 4:
		what := [...]string{"Wrong header field", "Unknown header", "Unknown option"}
		if code >= 0 && code < len(what) {
			return fmt.Sprintf("Parameter problem: %s at %d", what[code], info)
		}
		return fmt.Sprintf("Parameter problem: code %d at %d", code, info)
	}
	return fmt.Sprintf("Unknown ICMPv6 type: %d", typ)
}
