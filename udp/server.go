package udp

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"

	"netdiag/diag/netaddr"
	"netdiag/diag/render"
	"netdiag/diag/wire"
)

// longAgo is a deadline in the past: it wakes a blocked read at once.
var longAgo = time.Unix(1, 0)

// Listen opens the server's socket: on every interface (dual-stack unless
// Family says otherwise), or on the first address of Host.
func Listen(ctx context.Context, at ListenOptions) (*net.UDPConn, error) {
	network, addr := "udp", netip.AddrPortFrom(netip.IPv6Unspecified(), uint16(at.Port))
	switch {
	case !at.Host.IsZero():
		addrs, err := netaddr.Resolve(ctx, nil, at.Host, at.Family)
		if err != nil {
			return nil, err
		}
		addr = netip.AddrPortFrom(addrs[0], uint16(at.Port))
	case at.Family == netaddr.IPv4:
		network, addr = "udp4", netip.AddrPortFrom(netip.IPv4Unspecified(), uint16(at.Port))
	case at.Family == netaddr.IPv6:
		network = "udp6"
	}
	c, err := net.ListenUDP(network, net.UDPAddrFromAddrPort(addr))
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %s: %w", addr, err)
	}
	return c, nil
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
	c    *net.UDPConn
	opt  ServerOptions
	emit Emit

	mu     sync.Mutex
	peers  map[netip.AddrPort]*Peer
	all    []*Peer // every peer ever heard from, for the summary
	nextID uint64
	done   bool
}

// Serve reads datagrams from c until ctx is done, answering them as
// opt.Mode says, and reads commands from opt.Input meanwhile. It emits
// listen, peer, data, list, close and error events and returns the summary
// (also emitted). c is closed on return.
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
		Encoding: opt.Codec.Name(), Size: opt.Size,
		DualStack: local.Addr().Is6() && local.Addr().IsUnspecified() && c.LocalAddr().Network() == "udp"}
	for _, g := range opt.Groups {
		ev.Groups = append(ev.Groups, g.String())
	}
	if ev.DualStack {
		ev.DualStack = dualStack(c)
	}
	emit(ev)
	s := &server{c: c, opt: opt, emit: emit, peers: map[netip.AddrPort]*Peer{}}
	stop := context.AfterFunc(ctx, func() { c.SetReadDeadline(longAgo) })
	defer stop()
	if opt.Input != nil {
		go s.commands(ctx)
	}
	sum, err := s.serve(ctx, local.String())
	s.mu.Lock()
	s.done = true
	sum.Header = header(KindSummary, "server")
	d := time.Since(start)
	sum.Duration = render.Seconds(d)
	sum.InPerSecond, sum.OutPerSecond = perSecond(sum.Received, d), perSecond(sum.Sent, d)
	for _, p := range s.all {
		p.Duration = render.Seconds(time.Since(p.First))
		sum.Peers = append(sum.Peers, *p)
	}
	s.mu.Unlock()
	emit(sum)
	return sum, err
}

// serve is the read loop.
func (s *server) serve(ctx context.Context, local string) (SummaryEvent, error) {
	var sum SummaryEvent
	buf := make([]byte, s.opt.Size)
	var dec *wire.Decoder
	if !s.opt.Hex && s.opt.Mode != ModeDiscard {
		dec = s.opt.Codec.NewDecoder()
	}
	var ev DataEvent
	for {
		n, _, flags, src, err := s.c.ReadMsgUDPAddrPort(buf, nil)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return sum, nil
			}
			s.emit(ErrorEvent{Header: header(KindError, "server"), Op: "recv", Error: err.Error()})
			continue
		}
		p := buf[:n]
		truncated := flags&msgTrunc != 0
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
			if err := s.send(src, out); err != nil {
				s.emit(ErrorEvent{Header: header(KindError, "server"), Op: "send", Remote: peer.Remote, Error: err.Error()})
			} else {
				sum.Sent++
				sum.BytesOut += int64(len(out))
			}
		}
		if s.opt.Save != nil {
			if _, err := s.opt.Save.Write(peer.Remote, peer.First, p); err != nil {
				s.emit(ErrorEvent{Header: header(KindError, "server"), Op: "save", Remote: peer.Remote, Error: err.Error()})
			}
		}
		if s.opt.Mode == ModeDiscard {
			continue
		}
		ev = DataEvent{Header: header(KindData, "server"), Peer: peer.ID, Local: local, Remote: peer.Remote,
			Dir: "in", Seq: seq, Bytes: n, Truncated: truncated, Raw: p}
		if dec != nil {
			ev.Text, ev.Undecoded = dec.Show(p)
			// A datagram is a message: a character cut at its end is
			// invalid, not continued in the next one.
			ev.Text = append(ev.Text, dec.Flush()...)
		} else {
			ev.Undecoded = n
		}
		s.emit(&ev)
	}
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

// send writes b to dst and counts it for the peer.
func (s *server) send(dst netip.AddrPort, b []byte) error {
	if _, err := s.c.WriteToUDPAddrPort(b, dst); err != nil {
		return tooLarge(s.c, dst.Addr().Is6() && !dst.Addr().Is4In6(), len(b), err)
	}
	s.mu.Lock()
	if p := s.peers[dst]; p != nil {
		p.Out++
		p.BytesOut += int64(len(b))
	}
	s.mu.Unlock()
	return nil
}

// commands reads the server's stdin: every line is a wire.Command. It
// returns at the end of the input or once the server stopped.
func (s *server) commands(ctx context.Context) {
	sc := bufio.NewScanner(s.opt.Input)
	sc.Buffer(nil, maxRecv)
	for sc.Scan() && ctx.Err() == nil {
		s.mu.Lock()
		done := s.done
		s.mu.Unlock()
		if done {
			return
		}
		s.command(strings.TrimSuffix(sc.Text(), "\r"))
	}
}

// command runs one line of stdin.
func (s *server) command(line string) {
	fail := func(err error) {
		s.emit(ErrorEvent{Header: header(KindError, "server"), Op: "command", Error: err.Error()})
	}
	cmd, err := wire.ParseCommand(line)
	if err != nil {
		fail(err)
		return
	}
	switch cmd.Op {
	case "list":
		s.mu.Lock()
		ev := ListEvent{Header: header(KindList, "server"), Peers: []Peer{}}
		for _, p := range s.peers {
			cp := *p
			cp.Duration = render.Seconds(time.Since(p.First))
			ev.Peers = append(ev.Peers, cp)
		}
		s.mu.Unlock()
		slices.SortFunc(ev.Peers, func(a, b Peer) int { return int(a.ID) - int(b.ID) })
		s.emit(ev)
	case "close":
		s.mu.Lock()
		var gone *Peer
		for a, p := range s.peers {
			if p.ID == cmd.ID {
				gone = p
				delete(s.peers, a)
			}
		}
		s.mu.Unlock()
		if gone == nil {
			fail(fmt.Errorf("/close %d: no peer #%d (/list shows them)", cmd.ID, cmd.ID))
			return
		}
		s.emit(CloseEvent{Header: header(KindClose, "server"), Peer: *gone})
	case "send":
		text := cmd.Text
		if !s.opt.Hex {
			text += "\n" // a typed line, as nc sends it
		}
		b, err := wire.Payload(text, s.opt.Hex, s.opt.Codec)
		if err != nil {
			fail(err)
			return
		}
		s.mu.Lock()
		var to []netip.AddrPort
		for a, p := range s.peers {
			if cmd.ID == 0 || p.ID == cmd.ID {
				to = append(to, a)
			}
		}
		s.mu.Unlock()
		if len(to) == 0 {
			if cmd.ID != 0 {
				fail(fmt.Errorf("@%d: no peer #%d (/list shows them)", cmd.ID, cmd.ID))
			} else {
				fail(errors.New("no peer to send to yet: a peer is known once it has sent a datagram"))
			}
			return
		}
		for _, a := range to {
			if err := s.send(a, b); err != nil {
				fail(err)
				continue
			}
			s.emit(&DataEvent{Header: header(KindData, "server"), Peer: s.idOf(a), Remote: unmap(a).String(),
				Local: s.c.LocalAddr().String(), Dir: "out", Bytes: len(b), Text: wire.Decoded{{Text: text}}, Raw: b})
		}
	}
}

func (s *server) idOf(a netip.AddrPort) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.peers[a]; p != nil {
		return p.ID
	}
	return 0
}

// unmap shows an IPv4 peer of a dual-stack socket as IPv4.
func unmap(a netip.AddrPort) netip.AddrPort {
	return netip.AddrPortFrom(a.Addr().Unmap(), a.Port())
}
