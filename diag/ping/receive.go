package ping

import (
	"bytes"
	"time"

	"netdiag/diag/ping/icmpsock"
)

// receive reads one family's socket until it is closed and matches each
// reply or error to its probe. After each wake-up it drains what else is
// queued (a sweep's replies come in bursts) and handles the lot under one
// lock.
func (e *engine) receive(f *family) {
	// Room for a reply (IP header, ICMP header, data) or an ICMP error,
	// which quotes at most 576 (IPv4) or 1,280 (IPv6) bytes.
	size := e.opt.Size + 1600
	n := 64
	if size > 16<<10 {
		n = 1 // big requests: one buffer, one packet at a time
	}
	bufs := make([][]byte, n)
	for i := range bufs {
		bufs[i] = make([]byte, size)
	}
	pkts := make([]icmpsock.Packet, 0, n)
	for {
		pkt, err := f.conn.Recv(bufs[0])
		pkts = pkts[:0]
		if err == nil {
			pkts = append(pkts, pkt)
			for len(pkts) < n {
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
		if err != nil && err != icmpsock.ErrClosed && !e.stopped && e.fatal == nil {
			e.fatal = err
			e.signal()
		}
		e.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// handle matches a packet to the probe it answers; mu must be held.
func (e *engine) handle(f *family, pkt *icmpsock.Packet) {
	p := f.slot(pkt.Seq)
	if p == nil {
		return
	}
	h := p.h
	if pkt.Kind == icmpsock.ICMPError {
		if pkt.Dst.IsValid() && pkt.Dst.WithZone("") != h.Addr.WithZone("") {
			return // about a request to another host: not this probe
		}
		e.settleError(p, &ProbeError{Seq: p.n, From: pkt.From, ICMPType: pkt.Type, ICMPCode: pkt.Code, Message: pkt.Describe()}, pkt.When)
		return
	}
	if !bytes.Equal(pkt.Data, e.payload) {
		return // someone else's reply with the same identifier and sequence
	}
	now := e.now()
	rtt := pkt.When.Sub(p.sent)
	if since := now.Sub(p.sent); rtt < 0 || rtt > since {
		// The kernel's timestamp is wall-clock time; if the clock was
		// stepped, fall back to the monotonic clock.
		rtt = since
	}
	ev := Event{Kind: EventReply, Time: pkt.When, Seq: p.n, From: pkt.From, Bytes: pkt.Len, TTL: pkt.TTL, RTT: rtt}
	switch p.state {
	case inFlight:
		p.state = replied
		h.InFlight--
		h.Received++
		h.addRTT(rtt)
	case replied:
		ev.Dup = true
		h.Duplicates++
		h.addRTT(rtt)
	default:
		ev.Late = true
		h.Late++
	}
	ev.Host = h.HostStats
	e.last = now
	e.emitLocked(ev)
	if e.opt.Deadline > 0 && e.opt.Count > 0 && h.Received >= e.opt.Count {
		e.stopSending(h)
	}
	e.checkDone(h)
}

// settleError records an error about probe p: it settles the probe as
// lost if it was in flight; an error about a probe already settled (the
// ICMP error after a failed send, or after the timeout) is reported but
// not counted again.
func (e *engine) settleError(p *probe, perr *ProbeError, when time.Time) {
	h := p.h
	settles := p.state == inFlight
	if settles {
		p.state = failed
		h.InFlight--
		h.Lost++
		h.Errors++
	}
	h.LastError = perr
	e.emitLocked(Event{Kind: EventError, Time: when, Host: h.HostStats, Seq: p.n, Error: perr})
	if settles {
		e.retry(h, e.now())
	}
	e.checkDone(h)
}

// sendFailed records that sending p failed; mu must be held.
func (e *engine) sendFailed(p *probe, err error) {
	e.settleError(p, &ProbeError{Seq: p.n, ICMPType: -1, ICMPCode: -1, Message: err.Error()}, e.now())
}
