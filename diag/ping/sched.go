package ping

import (
	"container/heap"
	"context"
	"time"
)

// loop sends probes when they are due and the rate allows, expires those
// whose timeout passed, and answers statistics requests, until every host
// is done, the deadline passes or ctx is cancelled (then it returns true).
func (e *engine) loop(ctx context.Context) (interrupted bool) {
	for {
		at, over := e.step()
		if over {
			return false
		}
		// With more due at once, don't wait, but still notice Ctrl-C and
		// statistics requests.
		next, stop := nowC, noStop
		if !at.IsZero() {
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
	if p := e.expiry.peek(); p != nil && (at.IsZero() || p.deadline.Before(at)) {
		at = p.deadline
	}
	h := e.ready.peek()
	if h == nil {
		return at, false
	}
	due := h.next
	if e.nextSend.After(due) {
		due = e.nextSend
	}
	if due.After(now) {
		if at.IsZero() || due.Before(at) {
			at = due
		}
		return at, false
	}
	f := h.fam
	seq := f.seq + 1
	if old := f.slot(seq); old != nil && old.state == inFlight {
		// Every sequence number is in flight: wait for the oldest to settle.
		return at, false
	}
	timeout := e.opt.Timeout
	for range h.retries {
		timeout = timeout * 3 / 2 // fping's back-off
	}
	e.sent++
	p := &probe{h: h, n: h.probes + 1, seq: seq, sent: now, deadline: now.Add(timeout), order: e.sent}
	f.seq = seq
	f.setSlot(p)
	h.probes++
	h.Sent++
	h.InFlight++
	e.expiry.push(p)
	h.next = now.Add(e.opt.Interval)
	if e.opt.Count > 0 && e.opt.Deadline == 0 && h.probes >= e.opt.Count {
		e.stopSending(h)
	} else {
		heap.Fix(&e.ready, h.heapIdx)
	}
	e.takeRateSlot(now)
	// Send with mu held: the receiver cannot match the reply before the
	// probe has its exact send time.
	sent, err := f.conn.Send(h.Addr, seq, e.payload)
	if !sent.IsZero() {
		p.sent = sent
	}
	e.last = p.sent
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

// stopSending takes h out of the send queue; it is done once nothing of it
// is in flight.
func (e *engine) stopSending(h *host) {
	if !h.sending {
		return
	}
	h.sending = false
	heap.Remove(&e.ready, h.heapIdx)
	e.checkDone(h)
}

// retry sends h another probe, when it has not answered yet and retries
// are left (Options.Retries, one-probe sweeps only).
func (e *engine) retry(h *host, now time.Time) {
	if e.opt.Count != 1 || h.Received > 0 || h.retries >= e.opt.Retries || h.sending || e.opt.Deadline > 0 {
		return
	}
	h.retries++
	h.sending = true
	h.next = now
	e.ready.push(h)
	e.signal() // the scheduler may be asleep until a later time
}

// checkDone marks h done when it has nothing left to send or wait for.
func (e *engine) checkDone(h *host) {
	if h.done || h.sending || h.InFlight > 0 {
		return
	}
	h.done = true
	e.active--
	e.emitLocked(Event{Kind: EventHostDone, Time: e.now(), Host: h.HostStats})
	e.signal()
}

// expire settles the probes whose timeout has passed as lost, and drops
// settled probes from the head of the queue, so the head is the next
// timeout to wait for.
func (e *engine) expire(now time.Time) {
	for {
		p := e.expiry.peek()
		if p == nil {
			return
		}
		if p.state != inFlight { // settled already: nothing to wait for
			e.expiry.pop()
			continue
		}
		if p.deadline.After(now) {
			return
		}
		e.expiry.pop()
		p.state = timedOut
		h := p.h
		h.InFlight--
		h.Lost++
		e.emitLocked(Event{Kind: EventTimeout, Time: now, Host: h.HostStats, Seq: p.n})
		e.retry(h, now)
		e.checkDone(h)
	}
}

// emitStats reports the statistics so far.
func (e *engine) emitStats() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.emitLocked(Event{Kind: EventStats, Time: e.now(), Summary: e.summaryLocked()})
}

// hostHeap orders hosts by when their next probe is due, then by position.
type hostHeap []*host

func (q hostHeap) Len() int { return len(q) }
func (q hostHeap) Less(i, j int) bool {
	if !q[i].next.Equal(q[j].next) {
		return q[i].next.Before(q[j].next)
	}
	return q[i].Index < q[j].Index
}
func (q hostHeap) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].heapIdx, q[j].heapIdx = i, j
}
func (q *hostHeap) Push(x any) {
	h := x.(*host)
	h.heapIdx = len(*q)
	*q = append(*q, h)
}
func (q *hostHeap) Pop() any {
	old := *q
	h := old[len(old)-1]
	*q = old[:len(old)-1]
	h.heapIdx = -1
	return h
}
func (q *hostHeap) push(h *host) { heap.Push(q, h) }
func (q hostHeap) peek() *host {
	if len(q) == 0 {
		return nil
	}
	return q[0]
}

// probeQueue holds the probes in flight, soonest deadline first (retries
// wait longer, so send order is not deadline order).
type probeQueue []*probe

func (q probeQueue) Len() int { return len(q) }
func (q probeQueue) Less(i, j int) bool {
	if !q[i].deadline.Equal(q[j].deadline) {
		return q[i].deadline.Before(q[j].deadline)
	}
	return q[i].order < q[j].order
}
func (q probeQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *probeQueue) Push(x any)   { *q = append(*q, x.(*probe)) }
func (q *probeQueue) Pop() any {
	old := *q
	p := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	return p
}
func (q *probeQueue) push(p *probe) { heap.Push(q, p) }
func (q *probeQueue) pop()          { heap.Pop(q) }
func (q probeQueue) peek() *probe {
	if len(q) == 0 {
		return nil
	}
	return q[0]
}
