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
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"netdiag/diag/netaddr"
	"netdiag/diag/render"
	"netdiag/diag/wire"
)

// RunClient sends the datagrams opt gives to opt.Target, reports the
// replies, and waits opt.Wait after the last datagram (and after each
// reply) for more; less when every datagram came back as an echo. It
// emits start, data, error and summary events and returns the summary. An
// ICMP port unreachable ends the run with a *PortClosedError; a datagram
// too large with a *TooLargeError. Ctrl-C (ctx) is not an error.
func RunClient(ctx context.Context, opt ClientOptions, emit Emit) (SummaryEvent, error) {
	if opt.Codec.IsZero() {
		opt.Codec = wire.UTF8
	}
	if opt.Size == 0 {
		opt.Size = defaultSize
	}
	addrs, err := netaddr.Resolve(ctx, opt.Resolver, opt.Target.Host, opt.Family)
	if err != nil {
		return SummaryEvent{}, err
	}
	dst := netip.AddrPortFrom(addrs[0], uint16(opt.Target.Port))
	c, anySource, err := open(dst, opt)
	if err != nil {
		return SummaryEvent{}, err
	}
	defer c.Close()
	if opt.DontFragment && anySource {
		return SummaryEvent{}, errors.New("--dont-fragment needs a unicast target: the path MTU of a broadcast or multicast send is not known")
	}
	if opt.DontFragment {
		if err := setDontFragment(c, dst.Addr().Is6()); err != nil {
			return SummaryEvent{}, fmt.Errorf("--dont-fragment: %w", err)
		}
	}
	growRecvBuffer(c, recvBuffer)
	cl := &client{c: c, opt: opt, emit: emit, dst: dst, anySource: anySource,
		local: c.LocalAddr().String(), replies: make(chan struct{}, 1), closed: make(chan struct{}),
		echoedBy: map[uint64]int{}}
	emit(StartEvent{Header: header(KindStart, "client"), Local: cl.local, Remote: dst.String(),
		Name: opt.Target.Host.Name, AnySource: anySource})
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
	switch {
	case err != nil:
	case cl.dropped != nil:
		err = cl.dropped
	case cl.portClosed:
		err = &PortClosedError{Target: dst.String()}
	}
	cl.mu.Unlock()
	emit(sum)
	return sum, err
}

// open returns the client's socket: connected to dst, so that an ICMP
// port unreachable comes back as ECONNREFUSED and only dst's replies are
// taken; unconnected for a broadcast or multicast dst, whose replies come
// from other addresses (anySource).
func open(dst netip.AddrPort, opt ClientOptions) (*net.UDPConn, bool, error) {
	var laddr *net.UDPAddr
	if opt.Source.IsValid() {
		laddr = net.UDPAddrFromAddrPort(opt.Source)
	}
	network := "udp4"
	if dst.Addr().Is6() {
		network = "udp6"
	}
	if !opt.Broadcast && !dst.Addr().IsMulticast() {
		c, err := net.DialUDP(network, laddr, net.UDPAddrFromAddrPort(dst))
		if err != nil {
			return nil, false, fmt.Errorf("cannot send to %s: %w", dst, err)
		}
		return c, false, nil
	}
	c, err := net.ListenUDP(network, laddr)
	if err != nil {
		return nil, false, fmt.Errorf("cannot open a socket to send to %s: %w", dst, err)
	}
	if opt.Broadcast {
		if err := setBroadcast(c); err != nil {
			c.Close()
			return nil, false, fmt.Errorf("--broadcast: %w", err)
		}
	}
	return c, true, nil
}

// client is one RunClient call.
type client struct {
	c         *net.UDPConn
	opt       ClientOptions
	emit      Emit
	dst       netip.AddrPort
	anySource bool
	local     string
	replies   chan struct{} // a reply arrived (a wake-up, size 1)
	closed    chan struct{} // closed on an ICMP error that ends the run
	ev        DataEvent     // the receiver's, reused
	order     sync.Mutex    // held while a datagram is sent and reported

	mu         sync.Mutex
	sum        SummaryEvent
	start      time.Time // of the first datagram, for --save
	portClosed bool
	dropped    *TooLargeError // a router dropped a datagram too large for the path
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

// seed hashes payloads for the echo matching; it never changes.
var seed = maphash.MakeSeed()

// sendAll sends every datagram opt gives, Interval apart.
func (cl *client) sendAll(ctx context.Context) error {
	if cl.opt.Send != nil {
		n := max(cl.opt.Repeat, 1)
		if cl.opt.Forever {
			n = 0
		}
		return wire.Repeat(ctx, cl.opt.Clock, n, cl.opt.Interval, cl.closed, func(int) error {
			return cl.sendOne(cl.opt.Send, true)
		})
	}
	if cl.opt.File != nil {
		return cl.sendFile(ctx)
	}
	next := cl.source()
	for ctx.Err() == nil {
		b, err := next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		select {
		case <-cl.closed:
			return nil
		default:
		}
		if err := cl.sendOne(b, false); err != nil {
			return err
		}
	}
	return nil
}

// sendFile sends File cut into Size-byte datagrams, many to a system call
// on Linux: to a connected socket, a batch of them with sendmmsg, and
// where the path takes a datagram whole, several datagrams in each of its
// messages, cut by the kernel (UDP segmentation offload, UDP_SEGMENT).
// Every datagram is still its own on the wire and to the receiver.
func (cl *client) sendFile(ctx context.Context) error {
	size := cl.opt.Size
	seg := 1 // datagrams per message
	if !cl.anySource {
		seg = segments(cl.c, size, cl.dst.Addr().Is6())
	}
	msgs := sendBatch
	if seg > 1 {
		msgs = segBatch
	}
	b := &fileBatch{size: size, slab: make([]byte, seg*msgs*size), dgrams: make([][]byte, seg*msgs), bufs: make([][]byte, 0, msgs)}
	// Read ahead: a system call per small datagram would halve the rate.
	file := bufio.NewReaderSize(cl.opt.File, max(256<<10, size))
	var out outbox
	write := func(bufs [][]byte) (int, error) { return out.send(cl.c, bufs) }
	if cl.anySource {
		write = cl.sendEach
	}
	for ctx.Err() == nil {
		rerr := b.read(file)
		if b.n > 0 {
			select {
			case <-cl.closed:
				return nil
			default:
			}
			first := cl.book(b.dgrams[:b.n])
			sent, err := b.send(write, 0, seg)
			if err != nil && seg > 1 && (errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.EIO)) {
				// The path refused segmentation after all: one datagram
				// to a message from here on.
				seg = 1
				unsegment(cl.c)
				var more int
				more, err = b.send(write, sent, 1)
				sent += more
			}
			cl.booked(first, b.dgrams[:sent], b.n)
			if isRefused(err) {
				cl.refused()
				return nil
			}
			if err != nil {
				return tooLarge(cl.c, cl.dst.Addr().Is6(), len(b.dgrams[min(sent, b.n-1)]), cl.opt.DontFragment, err)
			}
		}
		switch {
		case errors.Is(rerr, io.EOF), errors.Is(rerr, io.ErrUnexpectedEOF):
			return nil
		case rerr != nil:
			return fmt.Errorf("reading --file: %w", rerr)
		}
	}
	return nil
}

// fileBatch is the datagrams of a --file read for one system call, one
// after the other in slab: each Size bytes, the file's last one maybe
// shorter.
type fileBatch struct {
	size   int
	slab   []byte
	dgrams [][]byte // the n datagrams read, in slab
	n      int
	bufs   [][]byte // the messages of a send
}

// read reads the next datagrams, as many as the batch holds; an error
// (io.EOF at the end) comes with the datagrams read before it.
func (b *fileBatch) read(r io.Reader) error {
	b.n = 0
	for b.n < len(b.dgrams) {
		buf := b.slab[b.n*b.size : (b.n+1)*b.size]
		m, err := io.ReadFull(r, buf)
		if m > 0 {
			b.dgrams[b.n] = buf[:m]
			b.n++
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// send writes datagrams from.. of the batch, seg of them to a message; it
// returns how many datagrams went out before an error.
func (b *fileBatch) send(write func([][]byte) (int, error), from, seg int) (int, error) {
	b.bufs = b.bufs[:0]
	for i := from; i < b.n; i += seg {
		last := min(i+seg, b.n) - 1
		b.bufs = append(b.bufs, b.slab[i*b.size:last*b.size+len(b.dgrams[last])])
	}
	m, err := write(b.bufs)
	return min(m*seg, b.n-from), err
}

// sendOne sends a datagram and, with report, reports it (--send TEXT; a
// --file or stdin is only counted, as tcp's client does); a port found
// closed ends the sending without an error of its own.
func (cl *client) sendOne(b []byte, report bool) error {
	// A reply is not reported before the datagram it answers: the
	// receiver waits for report's "sent" line.
	if report {
		cl.order.Lock()
		defer cl.order.Unlock()
	}
	at := time.Now() // before the write: the echo's time is later
	seq, err := cl.send(b)
	if isRefused(err) {
		cl.refused()
		return nil
	}
	if err != nil || !report {
		return err
	}
	ev := &DataEvent{Header: header(KindData, "client"), Local: cl.local, Remote: cl.dst.String(),
		Dir: "out", Seq: seq, Bytes: len(b), Raw: b}
	ev.Time = at
	var dec *wire.Decoder
	if !cl.opt.Hex {
		dec = cl.opt.Codec.NewDecoder()
	}
	ev.Text, ev.Undecoded = showDatagram(dec, b)
	cl.emit(ev)
	return nil
}

// send books one datagram for the echo figures and writes it; it returns
// the datagram's number.
func (cl *client) send(b []byte) (uint64, error) {
	bufs := [][]byte{b}
	seq := cl.book(bufs)
	var err error
	if cl.anySource {
		_, err = cl.c.WriteToUDPAddrPort(b, cl.dst)
	} else {
		_, err = cl.c.Write(b)
	}
	if err != nil {
		cl.booked(seq, nil, 1)
		return 0, tooLarge(cl.c, cl.dst.Addr().Is6(), len(b), cl.opt.DontFragment, err)
	}
	cl.booked(seq, bufs, 1)
	return seq, nil
}

// book counts datagrams about to be sent and books them for the echo
// figures; it returns the first one's number. The booking comes before
// the write: an echo may be read before the write returns.
func (cl *client) book(bufs [][]byte) uint64 {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	at := time.Now()
	if cl.start.IsZero() {
		cl.start = at
	}
	first := uint64(cl.sum.Sent) + 1
	for _, b := range bufs {
		if len(cl.pending) == maxPending {
			cl.pending = cl.pending[1:]
		}
		cl.sum.Sent++
		cl.pending = append(cl.pending, pending{seq: uint64(cl.sum.Sent), hash: maphash.Bytes(seed, b), at: at})
	}
	return first
}

// booked settles a booking of n datagrams from number first: the sent
// ones (the first len(sent)) count their bytes, the rest are taken back.
func (cl *client) booked(first uint64, sent [][]byte, n int) {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	for _, b := range sent {
		cl.sum.BytesOut += int64(len(b))
	}
	if len(sent) == n {
		return
	}
	unsent := first + uint64(len(sent))
	cl.sum.Sent -= int64(n - len(sent))
	cl.pending = slices.DeleteFunc(cl.pending, func(p pending) bool { return p.seq >= unsent })
}

// sendEach writes datagrams one at a time to dst from an unconnected
// socket; it returns how many went out before an error.
func (cl *client) sendEach(bufs [][]byte) (int, error) {
	for i, b := range bufs {
		if _, err := cl.c.WriteToUDPAddrPort(b, cl.dst); err != nil {
			return i, err
		}
	}
	return len(bufs), nil
}

// source returns the function that gives the next line of Input as a
// datagram, io.EOF after the last (at once without Input).
func (cl *client) source() func() ([]byte, error) {
	opt := cl.opt
	if opt.Input == nil {
		return func() ([]byte, error) { return nil, io.EOF }
	}
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
			// One line, its newline included, is one datagram, as nc -u
			// sends a typed line.
			b, err := opt.Codec.Encode(line)
			if ee, ok := errors.AsType[*wire.EncodeError](err); ok {
				ee.Offset += start
				return nil, fmt.Errorf("stdin: %w", ee)
			}
			return b, err
		}

	}
}

// receive reads replies until the socket's deadline passes, then takes
// those still queued.
func (cl *client) receive() {
	in := newInbox(recvBatch, maxRecv)
	var dec *wire.Decoder
	if !cl.opt.Hex {
		dec = cl.opt.Codec.NewDecoder()
	}
	for {
		n, err := in.read(cl.c)
		if err != nil {
			switch {
			case isRefused(err):
				cl.refused()
			case errors.Is(err, syscall.EMSGSIZE) && cl.opt.DontFragment:
				// A router's "fragmentation needed" for a datagram sent:
				// the kernel knows the path MTU now.
				tl := tooLarge(cl.c, cl.dst.Addr().Is6(), 0, true, err).(*TooLargeError)
				tl.Dropped = true
				cl.end(func() { cl.dropped = tl })
			case errors.Is(err, syscall.EMSGSIZE):
				// The same without --dont-fragment: the kernel sets the
				// bit while it discovers the path MTU, so the first
				// datagram too large for a link further on is lost; it
				// fragments the later ones.
				cl.emit(ErrorEvent{Header: header(KindError, "client"), Op: "recv", Error: droppedTooLarge(cl.c, cl.dst.Addr().Is6())})
				continue
			case errors.Is(err, net.ErrClosed):
			case isTimeout(err):
				for taken := 0; taken < maxDrain; taken += n {
					if n, err = in.drain(cl.c); n == 0 || err != nil {
						break
					}
					cl.take(in, n, dec)
				}
			default:
				cl.emit(ErrorEvent{Header: header(KindError, "client"), Op: "recv", Error: err.Error()})
			}
			return
		}
		cl.take(in, n, dec)
	}
}

// take books and reports the n replies of in.
func (cl *client) take(in *inbox, n int, dec *wire.Decoder) {
	for i := range n {
		p := in.datagram(i)
		cl.ev = DataEvent{Header: header(KindData, "client"), Local: cl.local, Remote: unmap(in.src[i]).String(),
			Dir: "in", Bytes: len(p), Truncated: in.trunc[i], Raw: p}
		ev := &cl.ev
		cl.mu.Lock()
		cl.sum.Received++
		cl.sum.BytesIn += int64(len(p))
		ev.Seq = uint64(cl.sum.Received)
		ev.Echo, ev.RTT, ev.Duplicate = cl.match(p, ev.Time)
		first := cl.start
		cl.mu.Unlock()
		if _, err := cl.opt.Save.Write(ev.Remote, first, p); err != nil {
			cl.emit(ErrorEvent{Header: header(KindError, "client"), Op: "save", Remote: ev.Remote, Error: err.Error()})
		}
		ev.Text, ev.Undecoded = showDatagram(dec, p)
		cl.order.Lock()
		cl.emit(ev)
		cl.order.Unlock()
	}
	select {
	case cl.replies <- struct{}{}:
	default:
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
	// max: a datagram whose send failed is taken back, and a duplicate
	// echo of the same bytes may have matched it.
	lost := max(cl.sum.Sent-cl.echoed, 0)
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

// refused records an ICMP port unreachable.
func (cl *client) refused() { cl.end(func() { cl.portClosed = true }) }

// end records, once, an ICMP error that ends the run: record runs with mu
// held, and the sending and waiting stop.
func (cl *client) end(record func()) {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	select {
	case <-cl.closed:
	default:
		record()
		close(cl.closed)
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
