package ping

import (
	"context"
	"time"
)

// loop sends probes when they are due and the rate allows, expires those
// whose timeout passed, and answers statistics requests, until every host
// is done, the deadline passes or ctx is cancelled (then it returns true).
// While more is due at once (a burst), it reads the sockets of parked
// receivers itself every few requests; before it waits, it hands them
// back.
func (e *engine) loop(ctx context.Context) (interrupted bool) {
	defer e.unpark()
	burst := 0
	for {
		at, over := e.step()
		if over {
			return false
		}
		next, stop := nowC, noStop
		if at.IsZero() {
			// With more due at once, don't wait, but still notice Ctrl-C and
			// statistics requests.
			if burst++; burst%drainEvery == 0 {
				e.drainParked()
			}
		} else {
			burst = 0
			e.unpark()
			next, stop = e.sys.clock.At(at)
		}
		select {
		case <-ctx.Done():
			stop()
			return true
		case <-e.opt.StatsRequests:
			e.emitStats()
		case <-e.wake:
		case <-next:
		}
		stop()
	}
}

// drainEvery is how many requests the scheduler sends in a burst between
// reads of the parked receivers' sockets: few enough that replies never
// pile up in the socket's buffer, enough that an empty read is rare.
const drainEvery = 16

// nowC is always ready: the scheduler's "no wait" timer.
var nowC = func() <-chan time.Time {
	c := make(chan time.Time)
	close(c)
	return c
}()

func noStop() bool { return false }

// step ends the run at the deadline, expires what timed out and sends the
// next probe if one is due. It returns when to step next (the zero Time:
// at once) and whether the run is over. While a host is not done, a probe
// is in flight or one is waiting to be sent, so there is always a next
// time.
func (e *engine) step() (at time.Time, over bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.now()
	if !e.end.IsZero() && !now.Before(e.end) {
		return time.Time{}, true
	}
	e.expire(now)
	if e.fatal != nil || e.active == 0 {
		return time.Time{}, true
	}
	at = e.end
	if d, ok := e.expiry.next(); ok {
		if t := e.at(d); at.IsZero() || t.Before(at) {
			at = t
		}
	}
	i, next, ok := e.ready.peek()
	if !ok {
		return at, false
	}
	due := e.at(next)
	if e.nextSend.After(due) {
		due = e.nextSend
	}
	if due.After(now) {
		if at.IsZero() || due.Before(at) {
			at = due
		}
		return at, false
	}
	addr := e.addr(i)
	f := e.fams[b2i(addr.Is6())]
	seq := f.seq + 1
	if old := f.slot(seq); old != nil && old.state == inFlight {
		// Every sequence number is in flight: wait for the oldest to settle.
		return at, false
	}
	h := &e.hosts[i]
	timeout := e.opt.Timeout
	for range h.retries {
		timeout = timeout * 3 / 2 // fping's back-off
	}
	e.sent++
	since := now.Sub(e.epoch)
	p := f.newSlot(seq)
	*p = probe{host: uint32(i), n: h.nSent() + 1, seq: seq, sent: since, deadline: since + timeout, order: e.sent}
	f.seq = seq
	h.countSent()
	e.expiry.push(int(h.retries), expiryEntry{deadline: p.deadline, order: p.order, seq: seq, v6: f.v6})
	last := e.opt.Count > 0 && e.opt.Deadline == 0 && h.nSent() >= e.opt.Count
	e.ready.sent(i, since+e.opt.Interval, !last)
	if last {
		e.stopSending(i)
	}
	e.takeRateSlot(now)
	// Send with mu held: the receiver cannot match the reply before the
	// probe has its exact send time.
	sent, err := f.conn.Send(addr, seq, e.payload)
	if sent.IsZero() {
		sent = now
	} else {
		p.sent = sent.Sub(e.epoch)
	}
	e.last = sent
	if err != nil {
		e.sendFailed(p, err)
	}
	return time.Time{}, false
}

// takeRateSlot books the rate limit's next free slot for a request sent
// now. The limit is a cap, never exceeded: a timer that fires late is not
// made up for.
func (e *engine) takeRateSlot(now time.Time) {
	if e.opt.Rate <= 0 {
		return
	}
	if e.nextSend.Before(now) {
		e.nextSend = now
	}
	e.nextSend = e.nextSend.Add(time.Duration(float64(time.Second) / e.opt.Rate))
}

// stopSending takes host i out of the send queue; it is done once nothing
// of it is in flight.
func (e *engine) stopSending(i int) {
	h := &e.hosts[i]
	if !h.sending {
		return
	}
	h.sending = false
	e.ready.remove(i)
	e.checkDone(i)
}

// retry sends host i another probe, when it has not answered yet and
// retries are left (Options.Retries, one-probe sweeps only).
func (e *engine) retry(i int, now time.Time) {
	h := &e.hosts[i]
	if e.opt.Count != 1 || h.nReceived() > 0 || int(h.retries) >= min(e.opt.Retries, 1<<16-1) || h.sending || e.opt.Deadline > 0 {
		return
	}
	h.retries++
	h.sending = true
	e.ready.requeue(i, now.Sub(e.epoch))
	e.signal() // the scheduler may be asleep until a later time
}

// checkDone marks host i done when it has nothing left to send or wait for.
func (e *engine) checkDone(i int) {
	h := &e.hosts[i]
	if h.done || h.sending || h.nInFlight() > 0 {
		return
	}
	h.done = true
	e.active--
	e.emitLocked(Event{Kind: EventHostDone, Time: e.now(), Host: e.stats(i)})
	e.signal()
}

// expire settles the probes whose timeout has passed as lost, and drops
// settled probes from the heads of the queue, so the head is the next
// timeout to wait for.
func (e *engine) expire(now time.Time) {
	since := now.Sub(e.epoch)
	for {
		ent, ok := e.expiry.peek()
		if !ok {
			return
		}
		p := e.fams[b2i(ent.v6)].slot(ent.seq)
		if p == nil || p.order != ent.order || p.state != inFlight { // settled already: nothing to wait for
			e.expiry.pop()
			continue
		}
		if p.deadline > since {
			return
		}
		e.expiry.pop()
		p.state = timedOut
		i := int(p.host)
		e.hosts[i].countTimeout()
		e.emitLocked(Event{Kind: EventTimeout, Time: now, Host: e.stats(i), Seq: p.n})
		e.retry(i, now)
		e.checkDone(i)
	}
}

// emitStats reports the statistics so far.
func (e *engine) emitStats() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.emitLocked(Event{Kind: EventStats, Time: e.now(), Summary: e.summaryLocked()})
}
