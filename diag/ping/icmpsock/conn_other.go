//go:build !linux

package icmpsock

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"time"

	"golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// Conn is an ICMP socket of one address family. Send and Recv may run
// concurrently with each other (one goroutine each); Close ends both.
//
// Outside Linux it is built on golang.org/x/net/icmp: ICMP errors are seen
// only on raw sockets (datagram sockets have no error queue there), and
// receive times are taken when Recv reads the packet.
type Conn struct {
	sockInfo
	pc *icmp.PacketConn
}

// isSocketErr reports whether the other kind of socket is worth a try
// after err: here, after any error.
func isSocketErr(error) bool { return true }

// permissionError describes why ICMP sockets are not allowed.
func permissionError(cfg Config) *PermissionError {
	e := &PermissionError{Mode: cfg.Mode, IPv6: cfg.IPv6}
	e.Exe = executable()
	return e
}

func open(cfg Config, raw bool) (*Conn, error) {
	if cfg.Interface != "" {
		return nil, errors.New("choosing an interface (-I NAME) works on Linux only; give a source address instead")
	}
	network := map[[2]bool]string{
		{false, false}: "udp4", {false, true}: "ip4:icmp",
		{true, false}: "udp6", {true, true}: "ip6:ipv6-icmp",
	}[[2]bool{cfg.IPv6, raw}]
	addr := "0.0.0.0"
	if cfg.IPv6 {
		addr = "::"
	}
	if cfg.Source.IsValid() {
		addr = cfg.Source.String()
	}
	pc, err := icmp.ListenPacket(network, addr)
	if err != nil {
		return nil, err
	}
	c := &Conn{sockInfo: sockInfo{v6: cfg.IPv6, raw: raw, id: uint16(rand.UintN(1 << 16))}, pc: pc}
	if cfg.IPv6 {
		p := pc.IPv6PacketConn()
		_ = p.SetControlMessage(ipv6.FlagHopLimit, true)
		if cfg.TTL > 0 {
			err = p.SetHopLimit(cfg.TTL)
		}
	} else {
		p := pc.IPv4PacketConn()
		_ = p.SetControlMessage(ipv4.FlagTTL, true)
		if cfg.TTL > 0 {
			err = p.SetTTL(cfg.TTL)
		}
	}
	if err != nil {
		pc.Close()
		return nil, fmt.Errorf("setting the TTL: %w", err)
	}
	return c, nil
}

// Send sends an echo request with sequence number seq and data to dst. It
// returns the time just before the request went to the kernel, the start
// of its round trip.
func (c *Conn) Send(dst netip.Addr, seq uint16, data []byte) (time.Time, error) {
	msg := MarshalEcho(c.v6, c.id, seq, data)
	var to net.Addr = &net.IPAddr{IP: dst.AsSlice(), Zone: dst.Zone()}
	if !c.raw {
		to = &net.UDPAddr{IP: dst.AsSlice(), Zone: dst.Zone()}
	}
	sent := time.Now()
	_, err := c.pc.WriteTo(msg, to)
	if errors.Is(err, net.ErrClosed) {
		return sent, ErrClosed
	}
	return sent, err
}

// TryRecv would be Recv without the wait; outside Linux it reports nothing
// queued, and receivers take one packet at a time.
func (c *Conn) TryRecv([]byte) (Packet, bool, error) { return Packet{}, false, nil }

// SetReadDeadline makes a waiting or future Recv return a timeout error
// (IsTimeout) at t; the zero t means no deadline.
func (c *Conn) SetReadDeadline(t time.Time) error { return c.pc.SetReadDeadline(t) }

// Close closes the socket; a Recv in progress returns ErrClosed.
func (c *Conn) Close() error { return c.pc.Close() }

// Recv waits for the next echo reply to this Conn or ICMP error about one
// of its requests, skipping everything else. The packet's Data aliases buf.
func (c *Conn) Recv(buf []byte) (Packet, error) {
	for {
		var (
			n   int
			ttl = -1
			src net.Addr
			err error
		)
		if c.v6 {
			var cm *ipv6.ControlMessage
			n, cm, src, err = c.pc.IPv6PacketConn().ReadFrom(buf)
			if cm != nil {
				ttl = cm.HopLimit
			}
		} else {
			var cm *ipv4.ControlMessage
			n, cm, src, err = c.pc.IPv4PacketConn().ReadFrom(buf)
			if cm != nil {
				ttl = cm.TTL
			}
		}
		switch {
		case errors.Is(err, os.ErrDeadlineExceeded):
			return Packet{}, errTimeout
		case errors.Is(err, net.ErrClosed):
			return Packet{}, ErrClosed
		case err != nil:
			return Packet{}, err
		}
		pkt := Packet{TTL: ttl, When: time.Now()}
		b := buf[:n]
		var ok bool
		// Some systems hand datagram and raw IPv4 sockets the IP header too.
		if !c.v6 && len(b) > 0 && b[0]>>4 == 4 {
			ok = parseIPv4Packet(b, &pkt)
			if ttl >= 0 {
				pkt.TTL = ttl
			}
		} else {
			ok = parseMessage(c.v6, b, &pkt)
		}
		if !ok || pkt.ID != c.id {
			continue
		}
		switch a := src.(type) {
		case *net.IPAddr:
			pkt.From, _ = netip.AddrFromSlice(a.IP)
			pkt.From = pkt.From.Unmap().WithZone(a.Zone)
		case *net.UDPAddr:
			pkt.From = a.AddrPort().Addr().Unmap()
		}
		return pkt, nil
	}
}
