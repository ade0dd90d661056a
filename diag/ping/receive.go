package ping

import (
	"bytes"
	"time"

	"netdiag/diag/ping/icmpsock"
)

// receive reads one family's socket until it is closed and matches each
// reply or error to its probe.
func (e *engine) receive(f *family) {
	buf := make([]byte, 1<<16+512)
	for {
		pkt, err := f.conn.Recv(buf)
		if err == icmpsock.ErrClosed {
			return
		}
		e.mu.Lock()
		if err != nil {
			if !e.stopped && e.fatal == nil {
				e.fatal = err
				e.signal()
			}
			e.mu.Unlock()
			return
		}
		if !e.stopped {
			e.handle(f, &pkt)
		}
		e.mu.Unlock()
	}
}

// handle matches a packet to the probe it answers; mu must be held.
func (e *engine) handle(f *family, pkt *icmpsock.Packet) {
	p := f.slots[pkt.Seq]
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
	rtt := pkt.When.Sub(p.sent)
	if rtt < 0 || rtt > time.Since(p.sent) {
		// The kernel's timestamp is wall-clock time; if the clock was
		// stepped, fall back to the monotonic clock.
		rtt = time.Since(p.sent)
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
	e.last = time.Now()
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
	if p.state == inFlight {
		p.state = failed
		h.InFlight--
		h.Lost++
		h.Errors++
	}
	h.LastError = perr
	e.emitLocked(Event{Kind: EventError, Time: when, Host: h.HostStats, Seq: p.n, Error: perr})
	e.checkDone(h)
}

// sendFailed records that sending p failed; mu must be held.
func (e *engine) sendFailed(p *probe, err error) {
	e.settleError(p, &ProbeError{Seq: p.n, ICMPType: -1, ICMPCode: -1, Message: err.Error()}, time.Now())
}
