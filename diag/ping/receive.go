package ping

import (
	"bytes"
	"time"

	"netdiag/diag/ping/icmpsock"
)

// recvBatch is how many packets a reader takes off a socket at once.
const recvBatch = 64

// receiveBuffers returns the buffers a family's socket is read into: room
// for a reply (IP header, ICMP header, data) or an ICMP error, which
// quotes at most 576 (IPv4) or 1,280 (IPv6) bytes; big requests get one
// buffer, read a packet at a time.
func (e *engine) receiveBuffers(f *family) [][]byte {
	if f.bufs == nil {
		size := e.opt.Size + 1600
		n := recvBatch
		if size > 16<<10 {
			n = 1
		}
		f.bufs = make([][]byte, n)
		for i := range f.bufs {
			f.bufs[i] = make([]byte, size)
		}
	}
	return f.bufs
}

// receive reads one family's socket until it is closed and matches each
// reply or error to its probe. After each wake-up it drains what else is
// queued (a sweep's replies come in bursts) and handles the lot under one
// lock. While the scheduler sends a burst, it parks and leaves the socket
// to the scheduler (drainParked) until unpark.
func (e *engine) receive(f *family) {
	bufs := e.receiveBuffers(f)
	pkts := make([]icmpsock.Packet, 0, len(bufs))
	for {
		pkt, err := f.conn.Recv(bufs[0])
		pkts = pkts[:0]
		if err == nil {
			pkts = append(pkts, pkt)
			for len(pkts) < len(bufs) {
				p, ok, terr := f.conn.TryRecv(bufs[len(pkts)])
				if terr != nil {
					err = terr
				}
				if !ok {
					break
				}
				pkts = append(pkts, p)
			}
		}
		e.mu.Lock()
		if !e.stopped {
			for i := range pkts {
				e.handle(f, &pkts[i])
			}
		}
		e.recvFailed(err)
		park := err == nil && e.busy && !e.stopped
		f.parked = park
		e.mu.Unlock()
		if err != nil {
			return
		}
		if park {
			<-f.resume
		}
	}
}

// recvFailed ends the run on a receive error other than the socket's
// closing; mu must be held.
func (e *engine) recvFailed(err error) {
	if err != nil && err != icmpsock.ErrClosed && !e.stopped && e.fatal == nil {
		e.fatal = err
		e.signal()
	}
}

// drainParked reads what the sockets of parked receivers hold and handles
// it: the scheduler's share of receiving during a burst.
func (e *engine) drainParked() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.busy = true
	for _, f := range e.fams {
		if f == nil || !f.parked {
			continue
		}
		buf := f.bufs[0]
		for range recvBatch {
			pkt, ok, err := f.conn.TryRecv(buf)
			if ok && !e.stopped {
				e.handle(f, &pkt)
			}
			if err != nil {
				e.recvFailed(err)
				break
			}
			if !ok {
				break
			}
		}
	}
}

// unpark ends the scheduler's burst: parked receivers wait on their
// sockets again.
func (e *engine) unpark() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.busy = false
	for _, f := range e.fams {
		if f != nil && f.parked {
			f.parked = false
			f.resume <- struct{}{}
		}
	}
}

// handle matches a packet to the probe it answers; mu must be held.
func (e *engine) handle(f *family, pkt *icmpsock.Packet) {
	p := f.slot(pkt.Seq)
	if p == nil {
		return
	}
	i := int(p.host)
	if pkt.Kind == icmpsock.ICMPError {
		if pkt.Dst.IsValid() && pkt.Dst.WithZone("") != e.addr(i).WithZone("") {
			return // about a request to another host: not this probe
		}
		e.settleError(p, &ProbeError{Seq: p.n, From: pkt.From, ICMPType: pkt.Type, ICMPCode: pkt.Code, Message: pkt.Describe()}, pkt.When)
		return
	}
	if !bytes.Equal(pkt.Data, e.payload) {
		return // someone else's reply with the same identifier and sequence
	}
	now := e.now()
	sent := e.at(p.sent)
	rtt := pkt.When.Sub(sent)
	if since := now.Sub(sent); rtt < 0 || rtt > since {
		// The kernel's timestamp is wall-clock time; if the clock was
		// stepped, fall back to the monotonic clock.
		rtt = since
	}
	h := &e.hosts[i]
	ev := Event{Kind: EventReply, Time: pkt.When, Seq: p.n, From: pkt.From, Bytes: pkt.Len, TTL: pkt.TTL, RTT: rtt}
	switch p.state {
	case inFlight:
		p.state = replied
		h.countReply(rtt)
	case replied:
		ev.Dup = true
		x := h.full()
		x.Duplicates++
		x.addRTT(rtt)
	default:
		ev.Late = true
		h.full().Late++
	}
	ev.Host = e.stats(i)
	e.last = now
	e.emitLocked(ev)
	if e.opt.Deadline > 0 && e.opt.Count > 0 && h.nReceived() >= e.opt.Count {
		e.stopSending(i)
	}
	e.checkDone(i)
}

// settleError records an error about probe p: it settles the probe as
// lost if it was in flight; an error about a probe already settled (the
// ICMP error after a failed send, or after the timeout) is reported but
// not counted again.
func (e *engine) settleError(p *probe, perr *ProbeError, when time.Time) {
	i := int(p.host)
	x := e.hosts[i].full()
	settles := p.state == inFlight
	if settles {
		p.state = failed
		x.InFlight--
		x.Lost++
		x.Errors++
	}
	x.LastError = perr
	e.emitLocked(Event{Kind: EventError, Time: when, Host: e.stats(i), Seq: p.n, Error: perr})
	if settles {
		e.retry(i, e.now())
	}
	e.checkDone(i)
}

// sendFailed records that sending p failed; mu must be held.
func (e *engine) sendFailed(p *probe, err error) {
	e.settleError(p, &ProbeError{Seq: p.n, ICMPType: -1, ICMPCode: -1, Message: err.Error()}, e.now())
}
