package icmpsock

import (
	"net/netip"
	"time"
)

// Socket is what an engine needs of an ICMP socket of one address family.
// *Conn is the real one; package icmpfake has the fake that engine tests
// hand in, so schedulers, timeouts and in-flight accounting are tested
// without sockets or sleeps. As with Conn, Send and Recv (or TryRecv) may
// run concurrently, one goroutine each, and Close ends both.
type Socket interface {
	// Send sends an echo request with sequence number seq and data to dst
	// and returns when it went out, the start of its round trip (also when
	// it fails, if the attempt was made).
	Send(dst netip.Addr, seq uint16, data []byte) (time.Time, error)
	// Recv waits for the next echo reply to this socket or ICMP error about
	// one of its requests; the packet's Data aliases buf. After Close it
	// returns ErrClosed.
	Recv(buf []byte) (Packet, error)
	// TryRecv is Recv without the wait: ok is false when nothing is queued.
	TryRecv(buf []byte) (pkt Packet, ok bool, err error)
	// Close closes the socket; a Recv in progress returns ErrClosed.
	Close() error
	// Mode says which kind of socket it is: Unprivileged or Privileged.
	Mode() Mode
}

var _ Socket = (*Conn)(nil)
