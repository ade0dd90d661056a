package udp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"sync"
	"time"

	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"

	"netdiag/diag/netaddr"
	"netdiag/diag/render"
	"netdiag/diag/sockets"
	"netdiag/diag/wire"
)

// longAgo is a deadline in the past: it wakes a blocked read at once.
var longAgo = time.Unix(1, 0)

// Listen opens the server's socket: on every interface (dual-stack unless
// Family says otherwise), or on the first address of Host. A port in use
// is a *sockets.PortInUseError.
func Listen(ctx context.Context, at ListenOptions) (*net.UDPConn, error) {
	network, addr := "udp", netip.AddrPortFrom(netip.IPv6Unspecified(), uint16(at.Port))
	switch {
	case !at.Host.IsZero():
		addrs, err := netaddr.Resolve(ctx, nil, at.Host, at.Family)
		if err != nil {
			return nil, err
		}
		network, addr = "udp4", netip.AddrPortFrom(addrs[0], uint16(at.Port))
		if addrs[0].Is6() {
			network = "udp6"
		}
	case at.Family == netaddr.IPv4:
		network, addr = "udp4", netip.AddrPortFrom(netip.IPv4Unspecified(), uint16(at.Port))
	case at.Family == netaddr.IPv6:
		network = "udp6"
	}
	var lc net.ListenConfig
	if at.Shared {
		lc.Control = sockets.ReuseAddr
	}
	pc, err := lc.ListenPacket(ctx, network, addr.String())
	if err != nil {
		return nil, sockets.ListenError("udp "+addr.String(), at.Port, "udp", err)
	}
	return pc.(*net.UDPConn), nil
}

// GroupError is a multicast group that could not be joined.
type GroupError struct {
	Group Group
	Err   error
}

// Error names the group and why.
func (e *GroupError) Error() string {
	return fmt.Sprintf("cannot join multicast group %s: %v", e.Group, e.Err)
}

// Unwrap returns the cause.
func (e *GroupError) Unwrap() error { return e.Err }

// join joins the groups on c.
func join(c *net.UDPConn, groups []Group) error {
	for _, g := range groups {
		var ifi *net.Interface
		if g.Iface != "" {
			var err error
			if ifi, err = net.InterfaceByName(g.Iface); err != nil {
				return &GroupError{Group: g, Err: fmt.Errorf("no interface %q (netdiag ifaces lists them)", g.Iface)}
			}
		}
		ga := &net.UDPAddr{IP: g.Addr.AsSlice()}
		var err error
		if g.Addr.Is4() {
			err = ipv4.NewPacketConn(c).JoinGroup(ifi, ga)
		} else {
			err = ipv6.NewPacketConn(c).JoinGroup(ifi, ga)
		}
		if err != nil {
			return &GroupError{Group: g, Err: err}
		}
	}
	return nil
}

// server is one Serve call.
type server struct {
	c     *net.UDPConn
	opt   ServerOptions
	emit  Emit
	local string
	ev    DataEvent // the read loop's, reused

	mu     sync.Mutex
	peers  map[netip.AddrPort]*Peer
	all    []*Peer // every peer ever heard from, for the summary
	nextID uint64
	sent   int64 // datagrams and bytes sent, for the summary
	bytes  int64
}

// Serve reads datagrams from c until ctx is done, answering them as
// opt.Mode says, and reads commands from opt.Input meanwhile. It emits
// listen, peer, data, list, close and error events and returns the
// summary (also emitted). c is closed on return. Failing to join a group
// is a *GroupError.
func Serve(ctx context.Context, c *net.UDPConn, opt ServerOptions, emit Emit) (SummaryEvent, error) {
	defer c.Close()
	if opt.Codec.IsZero() {
		opt.Codec = wire.UTF8
	}
	if opt.Size == 0 {
		opt.Size = maxRecv
	}
	start := time.Now()
	if err := join(c, opt.Groups); err != nil {
		return SummaryEvent{}, err
	}
	local := c.LocalAddr().(*net.UDPAddr).AddrPort()
	ev := ListenEvent{Header: header(KindListen, "server"), Addr: local.String(), Mode: opt.Mode.String(),
		Encoding: opt.Codec.Name(), Size: opt.Size, RecvBuffer: growRecvBuffer(c, recvBuffer), TimedInfo: opt.Timed.Info()}
	for _, g := range opt.Groups {
		ev.Groups = append(ev.Groups, g.String())
	}
	if local.Addr().Is6() && local.Addr().IsUnspecified() {
		ev.DualStack = dualStack(c)
	}
	emit(ev)
	s := &server{c: c, opt: opt, emit: emit, local: local.String(), peers: map[netip.AddrPort]*Peer{}}
	stopRead := context.AfterFunc(ctx, func() { c.SetReadDeadline(longAgo) })
	defer stopRead()
	if opt.Input != nil {
		stop := wire.StartCommands(ctx, opt.Input, s, wire.CommandOptions{Role: "server", Codec: opt.Codec, Hex: opt.Hex,
			Fail: func(err error) {
				emit(ErrorEvent{Header: header(KindError, "server"), Op: "command", Error: err.Error()})
			}}, emit)
		defer stop()
	}
	stopTimed := wire.StartTimed(ctx, s, opt.Timed, opt.Clock, func(err error) {
		emit(ErrorEvent{Header: header(KindError, "server"), Op: "every", Error: err.Error()})
	})
	sum, err := s.serve(ctx)
	stopTimed()
	s.mu.Lock()
	sum.Header = header(KindSummary, "server")
	d := time.Since(start)
	sum.Duration = render.Seconds(d)
	sum.Sent, sum.BytesOut = s.sent, s.bytes
	sum.InPerSecond, sum.OutPerSecond = perSecond(sum.Received, d), perSecond(sum.Sent, d)
	for _, p := range s.all {
		p.Duration = render.Seconds(time.Since(p.First))
		sum.Peers = append(sum.Peers, *p)
	}
	s.mu.Unlock()
	emit(sum)
	return sum, err
}

// serve is the read loop: it takes every datagram queued at each wake-up
// (one system call for many on Linux) and, once ctx is done, those still
// queued, so that the summary counts every datagram the system took in
// before Ctrl-C.
func (s *server) serve(ctx context.Context) (SummaryEvent, error) {
	var sum SummaryEvent
	in := newInbox(recvBatch, s.opt.Size)
	var dec *wire.Decoder
	if !s.opt.Hex && s.opt.Mode != ModeDiscard {
		dec = s.opt.Codec.NewDecoder()
	}
	for {
		n, err := in.read(s.c)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				s.drain(in, &sum, dec)
				return sum, nil
			}
			// An ICMP error for an earlier reply (the peer left): say so
			// and go on serving the others.
			s.emit(ErrorEvent{Header: header(KindError, "server"), Op: "recv", Error: err.Error()})
			continue
		}
		for i := range n {
			s.take(&sum, in.datagram(i), in.src[i], in.trunc[i], dec)
		}
	}
}

// maxDrain bounds the datagrams taken after Ctrl-C: a flood that goes on
// cannot keep the server from stopping.
const maxDrain = 1 << 16

// drain takes the datagrams still queued, at most maxDrain.
func (s *server) drain(in *inbox, sum *SummaryEvent, dec *wire.Decoder) {
	for taken := 0; taken < maxDrain; {
		n, err := in.drain(s.c)
		if n == 0 || err != nil {
			return
		}
		for i := range n {
			s.take(sum, in.datagram(i), in.src[i], in.trunc[i], dec)
		}
		taken += n
	}
}

// take counts, answers, saves and reports one datagram.
func (s *server) take(sum *SummaryEvent, p []byte, src netip.AddrPort, truncated bool, dec *wire.Decoder) {
	n := len(p)
	sum.Received++
	sum.BytesIn += int64(n)
	if truncated {
		sum.Truncated++
	}
	peer, seq := s.heard(src, n)
	var out []byte
	switch s.opt.Mode {
	case ModeEcho:
		out = p
	case ModeReply:
		out = s.opt.Reply
	}
	if out != nil {
		if err := s.sendTo(src, out); err != nil {
			s.emit(ErrorEvent{Header: header(KindError, "server"), Op: "send", Peer: peer.ID, Remote: peer.Remote, Error: err.Error()})
		}
	}
	if _, err := s.opt.Save.Write(peer.Remote, peer.First, p); err != nil {
		s.emit(ErrorEvent{Header: header(KindError, "server"), Op: "save", Peer: peer.ID, Remote: peer.Remote, Error: err.Error()})
	}
	if s.opt.Mode == ModeDiscard {
		return
	}
	s.ev = DataEvent{Header: header(KindData, "server"), Peer: peer.ID, Local: s.local, Remote: peer.Remote,
		Dir: "in", Seq: seq, Bytes: n, Truncated: truncated, Raw: p}
	s.ev.Text, s.ev.Undecoded = showDatagram(dec, p)
	s.emit(&s.ev)
}

// showDatagram decodes one datagram for display: a datagram is a message,
// so a character cut at its end is invalid, not continued in the next.
func showDatagram(dec *wire.Decoder, p []byte) (wire.Decoded, int) {
	text, undecoded := dec.Show(p)
	if rest := dec.Flush(); len(rest) > 0 {
		text = append(text, rest...)
	}
	return text, undecoded
}

// heard counts a datagram from src, making it a new peer (and saying so)
// the first time; it returns the peer (a copy) and the datagram's number.
func (s *server) heard(src netip.AddrPort, n int) (Peer, uint64) {
	s.mu.Lock()
	p := s.peers[src]
	isNew := p == nil
	if isNew {
		s.nextID++
		p = &Peer{ID: s.nextID, Remote: unmap(src).String(), First: time.Now()}
		s.peers[src] = p
		s.all = append(s.all, p)
	}
	p.In++
	p.BytesIn += int64(n)
	cp := *p
	s.mu.Unlock()
	if isNew {
		s.emit(PeerEvent{Header: header(KindPeer, "server"), ID: cp.ID, Remote: cp.Remote})
	}
	return cp, uint64(cp.In)
}

// sendTo counts b for the peer and the summary, then writes it to dst
// (the count comes first: the peer may read it before the write returns);
// a failed write is uncounted.
func (s *server) sendTo(dst netip.AddrPort, b []byte) error {
	s.count(dst, 1, len(b))
	if _, err := s.c.WriteToUDPAddrPort(b, dst); err != nil {
		s.count(dst, -1, -len(b))
		return tooLarge(s.c, dst.Addr().Is6() && !dst.Addr().Is4In6(), len(b), false, err)
	}
	return nil
}

// count adds n datagrams of size bytes to what was sent to dst.
func (s *server) count(dst netip.AddrPort, n, size int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent += int64(n)
	s.bytes += int64(size)
	if p := s.peers[dst]; p != nil {
		p.Out += int64(n)
		p.BytesOut += int64(size)
	}
}

// Peers lists the peers for /list (wire.Hub).
func (s *server) Peers() []wire.PeerInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]wire.PeerInfo, 0, len(s.peers))
	for _, p := range s.peers {
		out = append(out, wire.PeerInfo{ID: p.ID, Remote: p.Remote, Since: p.First, BytesIn: p.BytesIn, BytesOut: p.BytesOut})
	}
	slices.SortFunc(out, func(a, b wire.PeerInfo) int { return int(a.ID) - int(b.ID) })
	return out
}

// find returns the address of peer id.
func (s *server) find(id uint64) (netip.AddrPort, *Peer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for a, p := range s.peers {
		if p.ID == id {
			return a, p
		}
	}
	return netip.AddrPort{}, nil
}

// Send sends a stdin line to peer id (wire.Hub).
func (s *server) Send(id uint64, b []byte) error {
	a, p := s.find(id)
	if p == nil {
		return fmt.Errorf("no peer #%d", id)
	}
	if err := s.sendTo(a, b); err != nil {
		return err
	}
	s.mu.Lock()
	seq := uint64(p.Out)
	s.mu.Unlock()
	ev := &DataEvent{Header: header(KindData, "server"), Peer: id, Local: s.local, Remote: p.Remote,
		Dir: "out", Seq: seq, Bytes: len(b), Raw: b}
	var dec *wire.Decoder
	if !s.opt.Hex {
		dec = s.opt.Codec.NewDecoder()
	}
	ev.Text, ev.Undecoded = showDatagram(dec, b)
	s.emit(ev)
	return nil
}

// Close forgets peer id (wire.Hub).
func (s *server) Close(id uint64) error {
	a, p := s.find(id)
	if p == nil {
		return fmt.Errorf("no peer #%d", id)
	}
	s.mu.Lock()
	delete(s.peers, a)
	cp := *p
	s.mu.Unlock()
	cp.Duration = render.Seconds(time.Since(cp.First))
	s.emit(CloseEvent{Header: header(KindClose, "server"), Peer: cp})
	return nil
}

// unmap shows an IPv4 peer of a dual-stack socket as IPv4.
func unmap(a netip.AddrPort) netip.AddrPort {
	return netip.AddrPortFrom(a.Addr().Unmap(), a.Port())
}
