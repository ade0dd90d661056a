//go:build !linux

package icmpsock

import (
	"errors"
	"net/netip"
	"time"
)

// SendTTL is Send with the IPv4 TTL or IPv6 hop limit of this request set
// to ttl. Outside Linux it sets the socket's TTL before sending, so calls
// must not run concurrently with each other.
func (c *Conn) SendTTL(dst netip.Addr, seq uint16, data []byte, ttl int) (time.Time, error) {
	var err error
	if c.v6 {
		err = c.pc.IPv6PacketConn().SetHopLimit(ttl)
	} else {
		err = c.pc.IPv4PacketConn().SetTTL(ttl)
	}
	if err != nil {
		return time.Time{}, err
	}
	return c.Send(dst, seq, data)
}

// SetDontFragment would set path MTU probing; it works on Linux only.
func (c *Conn) SetDontFragment() error {
	return errors.New("path MTU discovery (don't-fragment requests) works on Linux only")
}
