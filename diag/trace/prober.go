package trace

import (
	"errors"
	"net/netip"
	"syscall"
	"time"

	"netdiag/diag/ping/icmpsock"
)

// prober sends probes of one method to one destination and reports what
// comes back. Its replies go to the function it was made with, from the
// goroutine running run (TCP: from one goroutine per probe); the engine
// matches them to probes by key.
type prober interface {
	// send sends one probe with the given TTL, as an IP packet of size
	// bytes where the method allows, and returns its key and when it
	// left. Calls do not overlap.
	send(ttl, size int) (key uint32, sent time.Time, err error)
	// run receives until close; an error means the socket failed.
	run() error
	// forget drops a probe the engine settled without its answer.
	forget(key uint32)
	// close ends run.
	close()
}

// replyKind says what answered a probe.
type replyKind int

const (
	// timeExceeded: a router on the way (ICMP time exceeded).
	timeExceeded replyKind = iota + 1
	// reachedDest: the destination (echo reply, UDP port unreachable, a
	// TCP SYN-ACK or reset, a UDP answer).
	reachedDest
	// unreachable: an ICMP destination unreachable (or another error),
	// with the mark traceroute prints.
	unreachable
	// tooBig: fragmentation needed or packet too big, with the MTU.
	tooBig
	// localError: this host's stack refused or failed the probe.
	localError
)

// reply is what answered a probe.
type reply struct {
	key  uint32
	kind replyKind
	from netip.Addr
	when time.Time
	mark string // unreachable
	mtu  int    // tooBig
	err  string // localError
}

// classify turns an ICMP error of icmpsock (from a socket's error queue or
// read from a raw socket) about the probe key into a reply; dst is the
// destination traced.
func classify(pkt *icmpsock.Packet, v6 bool, dst netip.Addr, key uint32) reply {
	r := reply{key: key, from: pkt.From.WithZone(""), when: pkt.When}
	if pkt.Kind == icmpsock.EchoReply {
		r.kind = reachedDest
		return r
	}
	if pkt.Local {
		if pkt.Errno == syscall.EMSGSIZE && pkt.Info > 0 {
			r.kind, r.mtu = tooBig, int(pkt.Info)
			return r
		}
		r.kind, r.err = localError, pkt.Errno.Error()
		return r
	}
	// The ICMP types: IPv4 11 / IPv6 3 time exceeded, 3 / 1 destination
	// unreachable, IPv4 3 code 4 / IPv6 2 too big.
	timeEx, unreach, portUnreach := 11, 3, 3
	if v6 {
		timeEx, unreach, portUnreach = 3, 1, 4
	}
	switch {
	case pkt.Type == timeEx:
		r.kind = timeExceeded
	case !v6 && pkt.Type == 3 && pkt.Code == 4, v6 && pkt.Type == 2:
		r.kind, r.mtu, r.mark = tooBig, int(pkt.Info), "!F"
	case pkt.Type == unreach && pkt.Code == portUnreach && r.from == dst:
		r.kind = reachedDest
	case pkt.Type == unreach:
		r.kind, r.mark = unreachable, markOf(v6, pkt.Code)
	default: // parameter problem, source quench
		r.kind, r.mark = unreachable, "!?"
	}
	return r
}

// headers returns the bytes of the IP header and the 8-byte ICMP or UDP
// header a probe carries before its data.
func headers(v6 bool) int {
	if v6 {
		return 40 + 8
	}
	return 20 + 8
}

// icmpProber sends echo requests on one icmpsock socket, the TTL set per
// request, so every hop's probes are in flight at once.
type icmpProber struct {
	conn *icmpsock.Conn
	dst  netip.Addr
	v6   bool
	seq  uint16
	data []byte // zeros, as long as the largest probe needs
	got  func(reply)
}

func newICMPProber(opt Options, dst netip.Addr, got func(reply)) (*icmpProber, error) {
	conn, err := icmpsock.Open(icmpsock.Config{Mode: opt.Mode, IPv6: dst.Is6(), Source: opt.Source, Interface: opt.Interface})
	if err != nil {
		return nil, err
	}
	if opt.MTU {
		if err := conn.SetDontFragment(); err != nil {
			conn.Close()
			return nil, err
		}
	}
	return &icmpProber{conn: conn, dst: dst, v6: dst.Is6(), got: got}, nil
}

func (p *icmpProber) send(ttl, size int) (uint32, time.Time, error) {
	n := max(size-headers(p.v6), 0)
	if len(p.data) < n {
		p.data = make([]byte, n)
	}
	p.seq++
	sent, err := p.conn.SendTTL(p.dst, p.seq, p.data[:n], ttl)
	return uint32(p.seq), sent, err
}

func (p *icmpProber) run() error {
	buf := make([]byte, 65536)
	for {
		pkt, err := p.conn.Recv(buf)
		switch {
		case errors.Is(err, icmpsock.ErrClosed):
			return nil
		case err != nil:
			return err
		case pkt.Kind == icmpsock.ICMPError && pkt.Dst.IsValid() && pkt.Dst.WithZone("") != p.dst:
			continue // about a request to another host (another raw socket's)
		}
		p.got(classify(&pkt, p.v6, p.dst, uint32(pkt.Seq)))
	}
}

func (p *icmpProber) forget(uint32) {}

func (p *icmpProber) close() { p.conn.Close() }
