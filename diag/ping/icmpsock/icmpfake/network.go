// Package icmpfake is a fake ICMP network for testing engines
// that send echo requests through icmpsock.Socket (ping's engine, and
// trace, check and exporter when they use it). The test sees every request
// an engine sends, answers it with replies, duplicates or ICMP errors when
// and as it pleases, and moves time on by hand, so scheduling, timeouts
// and in-flight accounting are tested deterministically: no packet leaves
// the process and no test sleeps.
//
// A test builds a clock.Fake and a Network on it, hands Network.Open and
// the clock to the engine, then loops: Next (the next request), Advance or
// AdvanceTo on the clock, Reply or Error. Only tests import this package.
package icmpfake

import (
	"context"
	"errors"
	"net/netip"
	"sync"
	"time"

	"netdiag/diag/ping/icmpsock"
	"netdiag/internal/clock"
)

// Request is an echo request an engine sent.
type Request struct {
	Dst  netip.Addr
	Seq  uint16
	Data []byte
	// Time is the clock's time when it was sent.
	Time time.Time
	// N counts the requests sent on the Network, from 1.
	N int

	sock *Socket
}

// Network is a fake ICMP network: Open hands out one Socket per address
// family, and every request sent on them queues up for Next. It is safe
// for concurrent use.
type Network struct {
	clock clock.Clock

	mu       sync.Mutex
	socks    [2]*Socket // IPv4, IPv6
	configs  []icmpsock.Config
	openErr  error
	reqs     []Request
	taken    int           // requests Next has returned
	sent     chan struct{} // 1-buffered: a request was sent
	sendErrs map[netip.Addr]error
}

// NewNetwork returns a Network whose sockets take their times from clk.
func NewNetwork(clk clock.Clock) *Network {
	return &Network{clock: clk, sent: make(chan struct{}, 1), sendErrs: map[netip.Addr]error{}}
}

// Open opens a fake socket of cfg's family, in cfg's Mode (Unprivileged
// for Auto), or returns the error FailOpen set.
func (n *Network) Open(cfg icmpsock.Config) (icmpsock.Socket, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.configs = append(n.configs, cfg)
	if n.openErr != nil {
		return nil, n.openErr
	}
	mode := cfg.Mode
	if mode == icmpsock.Auto {
		mode = icmpsock.Unprivileged
	}
	s := &Socket{net: n, v6: cfg.IPv6, mode: mode, ready: make(chan struct{}, 1)}
	n.socks[b2i(cfg.IPv6)] = s
	return s, nil
}

// FailOpen makes every later Open return err (a *icmpsock.PermissionError,
// say).
func (n *Network) FailOpen(err error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.openErr = err
}

// Configs returns the configurations Open was called with.
func (n *Network) Configs() []icmpsock.Config {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]icmpsock.Config(nil), n.configs...)
}

// FailSends makes every later request to dst fail with err, as sendto
// fails when a firewall rejects it.
func (n *Network) FailSends(dst netip.Addr, err error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.sendErrs[dst] = err
}

// Next returns the next request not returned yet, in the order they were
// sent, waiting for it until ctx is done.
func (n *Network) Next(ctx context.Context) (Request, error) {
	for {
		n.mu.Lock()
		if n.taken < len(n.reqs) {
			r := n.reqs[n.taken]
			n.taken++
			n.mu.Unlock()
			return r, nil
		}
		n.mu.Unlock()
		select {
		case <-n.sent:
		case <-ctx.Done():
			return Request{}, ctx.Err()
		}
	}
}

// Requests returns every request sent so far.
func (n *Network) Requests() []Request {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]Request(nil), n.reqs...)
}

// Reply queues the echo reply to r on its socket, arriving now: from r's
// destination, with r's sequence number and data, TTL 64.
func (n *Network) Reply(r Request) {
	r.sock.deliver(icmpsock.Packet{Kind: icmpsock.EchoReply, From: r.Dst, Seq: r.Seq, TTL: 64,
		Len: 8 + len(r.Data), Data: r.Data, When: n.clock.Now()}, nil)
}

// Error queues an ICMP error about r on its socket, arriving now: type
// and code as the message has them, sent by from (a router, say).
func (n *Network) Error(r Request, from netip.Addr, typ, code int) {
	r.sock.deliver(icmpsock.Packet{Kind: icmpsock.ICMPError, From: from, Dst: r.Dst, Seq: r.Seq, TTL: -1,
		Type: typ, Code: code, When: n.clock.Now()}, nil)
}

// Deliver queues any packet on the socket of family v6, arriving as it
// says (When is taken as given).
func (n *Network) Deliver(v6 bool, p icmpsock.Packet) {
	n.socket(v6).deliver(p, nil)
}

// Break makes the socket of family v6 fail: its next Recv, after what is
// queued, returns err.
func (n *Network) Break(v6 bool, err error) {
	n.socket(v6).deliver(icmpsock.Packet{}, err)
}

// OpenSockets returns how many sockets Open opened that are not closed.
func (n *Network) OpenSockets() int {
	n.mu.Lock()
	socks := n.socks
	n.mu.Unlock()
	open := 0
	for _, s := range socks {
		if s != nil {
			s.mu.Lock()
			if !s.closed {
				open++
			}
			s.mu.Unlock()
		}
	}
	return open
}

func (n *Network) socket(v6 bool) *Socket {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.socks[b2i(v6)]
}

// sendFrom records a request sent on s and returns the error FailSends set
// for its destination.
func (n *Network) sendFrom(s *Socket, dst netip.Addr, seq uint16, data []byte) (time.Time, error) {
	t := n.clock.Now()
	n.mu.Lock()
	defer n.mu.Unlock()
	n.reqs = append(n.reqs, Request{Dst: dst, Seq: seq, Data: append([]byte(nil), data...), Time: t, N: len(n.reqs) + 1, sock: s})
	select {
	case n.sent <- struct{}{}:
	default:
	}
	return t, n.sendErrs[dst]
}

// Socket is a fake icmpsock.Socket, opened by Network.Open.
type Socket struct {
	net  *Network
	v6   bool
	mode icmpsock.Mode

	mu     sync.Mutex
	queue  []arrival
	closed bool
	ready  chan struct{} // 1-buffered: something was queued, or the socket closed
}

// arrival is a queued packet, or the error Recv is to return.
type arrival struct {
	pkt icmpsock.Packet
	err error
}

func (s *Socket) deliver(p icmpsock.Packet, err error) {
	s.mu.Lock()
	s.queue = append(s.queue, arrival{p, err})
	s.mu.Unlock()
	s.wake()
}

func (s *Socket) wake() {
	select {
	case s.ready <- struct{}{}:
	default:
	}
}

// Send records the request for Network.Next and returns the clock's time.
func (s *Socket) Send(dst netip.Addr, seq uint16, data []byte) (time.Time, error) {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return time.Time{}, icmpsock.ErrClosed
	}
	return s.net.sendFrom(s, dst, seq, data)
}

// Recv returns the next packet queued, waiting for one; its Data is
// copied into buf, as a real socket reads into it.
func (s *Socket) Recv(buf []byte) (icmpsock.Packet, error) {
	for {
		p, ok, err := s.TryRecv(buf)
		if ok || err != nil {
			return p, err
		}
		<-s.ready
	}
}

// TryRecv is Recv without the wait.
func (s *Socket) TryRecv(buf []byte) (icmpsock.Packet, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return icmpsock.Packet{}, false, icmpsock.ErrClosed
	}
	if len(s.queue) == 0 {
		return icmpsock.Packet{}, false, nil
	}
	a := s.queue[0]
	s.queue = s.queue[1:]
	if a.err != nil {
		return icmpsock.Packet{}, false, a.err
	}
	p := a.pkt
	if p.Data != nil {
		if len(p.Data) > len(buf) {
			return icmpsock.Packet{}, false, errors.New("icmpfake: packet larger than the receive buffer")
		}
		p.Data = buf[:copy(buf, p.Data)]
	}
	return p, true, nil
}

// Close closes the socket; a waiting Recv returns icmpsock.ErrClosed.
func (s *Socket) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.wake()
	return nil
}

// Mode returns the mode the socket was opened in.
func (s *Socket) Mode() icmpsock.Mode { return s.mode }

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
