package udp

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"netdiag/diag/netaddr"
	"netdiag/diag/render"
	"netdiag/diag/wire"
)

// RunClient sends the datagrams opt gives to opt.Target, prints the
// replies, and waits opt.Wait after the last datagram for more (less when
// every datagram came back as an echo). It emits start, data, error and
// summary events and returns the summary. An ICMP port unreachable ends
// the run with a *PortClosedError; a datagram too large with a
// *TooLargeError.
func RunClient(ctx context.Context, opt ClientOptions, emit Emit) (SummaryEvent, error) {
	if opt.Codec.IsZero() {
		opt.Codec = wire.UTF8
	}
	if opt.Size == 0 {
		opt.Size = defaultFileSize
	}
	addrs, err := netaddr.Resolve(ctx, opt.Resolver, opt.Target.Host, opt.Family)
	if err != nil {
		return SummaryEvent{}, err
	}
	dst := netip.AddrPortFrom(addrs[0], uint16(opt.Target.Port))
	var laddr *net.UDPAddr
	if opt.Source.IsValid() {
		laddr = net.UDPAddrFromAddrPort(opt.Source)
	}
	var c *net.UDPConn
	if opt.Broadcast {
		network := "udp4"
		if dst.Addr().Is6() {
			network = "udp6"
		}
		if c, err = net.ListenUDP(network, laddr); err == nil {
			if err = setBroadcast(c); err != nil {
				c.Close()
			}
		}
	} else {
		c, err = net.DialUDP("udp", laddr, net.UDPAddrFromAddrPort(dst))
	}
	if err != nil {
		return SummaryEvent{}, fmt.Errorf("cannot open a socket to %s: %w", dst, err)
	}
	defer c.Close()
	cl := &client{c: c, opt: opt, emit: emit, dst: dst, target: opt.Target.String(),
		local: c.LocalAddr().String(), replies: make(chan struct{}, 1), closed: make(chan struct{}),
		echoedBy: map[uint64]int{}}
	emit(StartEvent{Header: header(KindStart, "client"), Local: cl.local, Remote: dst.String(),
		Name: opt.Target.Host.Name, Broadcast: opt.Broadcast})
	start := time.Now()
	var wg sync.WaitGroup
	wg.Go(cl.receive)
	err = cl.sendAll(ctx)
	if err == nil {
		cl.wait(ctx)
	}
	c.SetReadDeadline(longAgo)
	wg.Wait()
	d := time.Since(start)
	cl.mu.Lock()
	sum := cl.sum
	sum.Header = header(KindSummary, "client")
	sum.Duration = render.Seconds(d)
	sum.InPerSecond, sum.OutPerSecond = perSecond(sum.Received, d), perSecond(sum.Sent, d)
	sum.Echo = cl.echoStats()
	sum.PortClosed = cl.portClosed
	if cl.portClosed && err == nil {
		err = &PortClosedError{Target: dst.String()}
	}
	cl.mu.Unlock()
	emit(sum)
	return sum, err
}

// client is one RunClient call.
type client struct {
	c             *net.UDPConn
	opt           ClientOptions
	emit          Emit
	dst           netip.AddrPort
	target, local string
	replies       chan struct{} // a reply arrived (a wake-up, size 1)
	closed        chan struct{} // closed on ICMP port unreachable
	start         time.Time     // of the first datagram, for --save

	mu         sync.Mutex
	sum        SummaryEvent
	portClosed bool
	// The echo bookkeeping: datagrams sent and not yet echoed, in order;
	// how many echoes each payload had (by hash); the figures.
	pending   []pending
	echoedBy  map[uint64]int
	echoed    int64
	dups      int64
	reordered int64
	maxEchoed uint64
	rttSum    time.Duration
	rttMin    time.Duration
	rttMax    time.Duration
}

// pending is a datagram sent and not yet echoed.
type pending struct {
	seq  uint64
	hash uint64
	at   time.Time
}

// maxPending bounds the echo bookkeeping: older datagrams count as lost.
const maxPending = 1 << 16

var seed = maphash.MakeSeed()

// sendAll sends every datagram opt gives, --interval apart.
func (cl *client) sendAll(ctx context.Context) error {
	next := cl.source()
	var ev DataEvent
	for i := 0; ; i++ {
		b, err := next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if i > 0 && cl.opt.Interval > 0 {
			t := time.NewTimer(cl.opt.Interval)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil
			case <-cl.closed:
				t.Stop()
				return nil
			case <-t.C:
			}
		} else if ctx.Err() != nil {
			return nil
		}
		select {
		case <-cl.closed:
			return nil
		default:
		}
		if err := cl.send(b); err != nil {
			if isRefused(err) {
				cl.refused()
				return nil
			}
			return err
		}
		if !cl.opt.Quiet {
			ev = DataEvent{Header: header(KindData, "client"), Local: cl.local, Remote: cl.dst.String(),
				Dir: "out", Seq: uint64(i + 1), Bytes: len(b), Raw: b}
			if !cl.opt.Hex {
				dec := cl.opt.Codec.NewDecoder()
				ev.Text, ev.Undecoded = dec.Show(b)
				ev.Text = append(ev.Text, dec.Flush()...)
			}
			cl.emit(&ev)
		}
	}
}

// send writes one datagram and books it for the echo figures.
func (cl *client) send(b []byte) error {
	at := time.Now()
	var err error
	if cl.opt.Broadcast {
		_, err = cl.c.WriteToUDPAddrPort(b, cl.dst)
	} else {
		_, err = cl.c.Write(b)
	}
	if err != nil {
		return tooLarge(cl.c, cl.dst.Addr().Is6(), len(b), err)
	}
	h := maphash.Bytes(seed, b)
	cl.mu.Lock()
	cl.sum.Sent++
	cl.sum.BytesOut += int64(len(b))
	if cl.start.IsZero() {
		cl.start = at
	}
	if len(cl.pending) == maxPending {
		cl.pending = cl.pending[1:]
	}
	cl.pending = append(cl.pending, pending{seq: uint64(cl.sum.Sent), hash: h, at: at})
	cl.mu.Unlock()
	return nil
}

// source returns the function that gives the next datagram, io.EOF after
// the last.
func (cl *client) source() func() ([]byte, error) {
	opt := cl.opt
	switch {
	case opt.Send != nil:
		n := 0
		return func() ([]byte, error) {
			if opt.Repeat > 0 && n >= opt.Repeat {
				return nil, io.EOF
			}
			n++
			return opt.Send, nil
		}
	case opt.File != nil:
		buf := make([]byte, opt.Size)
		return func() ([]byte, error) {
			n, err := io.ReadFull(opt.File, buf)
			switch {
			case n > 0:
				return buf[:n], nil
			case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
				return nil, io.EOF
			}
			return nil, fmt.Errorf("reading --file: %w", err)
		}
	case opt.Input != nil:
		r := bufio.NewReaderSize(opt.Input, maxRecv)
		var off int64
		return func() ([]byte, error) {
			for {
				line, err := r.ReadString('\n')
				start := off
				off += int64(len(line))
				if line == "" {
					if err == nil || errors.Is(err, io.EOF) {
						return nil, io.EOF
					}
					return nil, fmt.Errorf("reading stdin: %w", err)
				}
				if opt.Hex {
					if strings.TrimSpace(line) == "" {
						continue
					}
					return wire.ParseHex(line)
				}
				b, err := opt.Codec.Encode(line)
				if ee, ok := errors.AsType[*wire.EncodeError](err); ok {
					ee.Offset += start
				}
				return b, err
			}
		}
	}
	return func() ([]byte, error) { return nil, io.EOF }
}

// receive reads replies until the socket's deadline passes.
func (cl *client) receive() {
	buf := make([]byte, maxRecv)
	dec := cl.opt.Codec.NewDecoder()
	var ev DataEvent
	for {
		n, _, flags, src, err := cl.c.ReadMsgUDPAddrPort(buf, nil)
		if err != nil {
			if isRefused(err) {
				cl.refused()
			}
			if isRefused(err) || errors.Is(err, net.ErrClosed) || isTimeout(err) {
				return
			}
			cl.emit(ErrorEvent{Header: header(KindError, "client"), Op: "recv", Error: err.Error()})
			return
		}
		p := buf[:n]
		ev = DataEvent{Header: header(KindData, "client"), Local: cl.local, Remote: unmap(src).String(),
			Dir: "in", Bytes: n, Truncated: flags&msgTrunc != 0, Raw: p}
		cl.mu.Lock()
		cl.sum.Received++
		cl.sum.BytesIn += int64(n)
		ev.Seq = uint64(cl.sum.Received)
		ev.Echo, ev.RTT, ev.Duplicate = cl.match(p, ev.Time)
		first := cl.start
		cl.mu.Unlock()
		if cl.opt.Save != nil {
			if _, err := cl.opt.Save.Write(ev.Remote, first, p); err != nil {
				cl.emit(ErrorEvent{Header: header(KindError, "client"), Op: "save", Remote: ev.Remote, Error: err.Error()})
			}
		}
		if !cl.opt.Quiet {
			if !cl.opt.Hex {
				ev.Text, ev.Undecoded = dec.Show(p)
				ev.Text = append(ev.Text, dec.Flush()...)
			} else {
				ev.Undecoded = n
			}
			cl.emit(&ev)
		}
		select {
		case cl.replies <- struct{}{}:
		default:
		}
	}
}

// match books a reply: the echo of the oldest datagram sent with the same
// bytes that was not echoed yet, or a duplicate echo, or neither (0).
// Called with mu held.
func (cl *client) match(p []byte, at time.Time) (uint64, render.Seconds, bool) {
	h := maphash.Bytes(seed, p)
	for i, s := range cl.pending {
		if s.hash != h {
			continue
		}
		cl.pending = append(cl.pending[:i], cl.pending[i+1:]...)
		rtt := at.Sub(s.at)
		cl.echoed++
		cl.echoedBy[h]++
		cl.rttSum += rtt
		if cl.echoed == 1 || rtt < cl.rttMin {
			cl.rttMin = rtt
		}
		cl.rttMax = max(cl.rttMax, rtt)
		if s.seq < cl.maxEchoed {
			cl.reordered++
		}
		cl.maxEchoed = max(cl.maxEchoed, s.seq)
		return s.seq, render.Seconds(rtt), false
	}
	if cl.echoedBy[h] > 0 {
		cl.dups++
		return 0, 0, true
	}
	return 0, 0, false
}

// echoStats are the echo figures, nil when nothing came back as an echo.
// Called with mu held.
func (cl *client) echoStats() *EchoStats {
	if cl.echoed == 0 {
		return nil
	}
	lost := cl.sum.Sent - cl.echoed
	return &EchoStats{Echoed: cl.echoed, Lost: lost, LossPct: 100 * float64(lost) / float64(cl.sum.Sent),
		Duplicates: cl.dups, Reordered: cl.reordered, RTTMin: render.Seconds(cl.rttMin),
		RTTAvg: render.Seconds(cl.rttSum / time.Duration(cl.echoed)), RTTMax: render.Seconds(cl.rttMax)}
}

// wait waits for replies after the last datagram: until none came for
// opt.Wait, every datagram was echoed, the port is closed, or ctx is done.
func (cl *client) wait(ctx context.Context) {
	t := time.NewTimer(cl.opt.Wait)
	defer t.Stop()
	for {
		cl.mu.Lock()
		allEchoed := cl.sum.Sent > 0 && cl.echoed == cl.sum.Sent
		cl.mu.Unlock()
		if allEchoed {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-cl.closed:
			return
		case <-t.C:
			return
		case <-cl.replies:
			t.Reset(cl.opt.Wait)
		}
	}
}

// refused records an ICMP port unreachable, once.
func (cl *client) refused() {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	if !cl.portClosed {
		cl.portClosed = true
		close(cl.closed)
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
