package scan

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"netdiag/diag/netaddr"
)

// shortageLimit is how long the scan keeps retrying while local resource
// errors (EMFILE, EADDRNOTAVAIL…) stop every probe before it gives up.
const shortageLimit = 10 * time.Second

// scheduler hands jobs to the workers and collects their outcomes. mu
// guards everything but the Events calls, which run under evMu (taken while
// mu is still held, so events come out in the order outcomes went in).
type scheduler struct {
	opt Options
	ev  Events

	mu        sync.Mutex
	cond      *sync.Cond
	waiters   int
	src       *source
	retryQ    []job
	parked    []job // timed out in a blackout: retried if answers resume, else filtered
	held      []job // last attempt timed out in a time not yet judged for loss, or judged lossy: retried if it was loss, else filtered
	inflight  int
	ctl       *control
	tm        timing
	late      uint64 // answers that came after their attempt's wait
	live      map[*hostState]struct{}
	kept      []*hostState
	ready     map[uint64]*hostState // finished hosts waiting for earlier ones, for OnHost
	nextHost  uint64                // the index of the next host OnHost gets
	counts    Counts
	done      uint64
	probes    uint64
	retries   uint64
	firstErr  error
	fatal     error
	finished  bool
	pause     time.Time // no new probe before this (after a local shortage)
	lastFinal time.Time // when the last port got its final state
	timer     *time.Timer
	timerAt   time.Time

	evMu sync.Mutex
}

func newScheduler(opt Options, hosts []host, maxInFlight int, ev Events) *scheduler {
	s := &scheduler{
		opt:       opt,
		ev:        ev,
		src:       newSource(hosts, opt.Ports),
		ctl:       newControl(opt, maxInFlight),
		tm:        newTiming(opt.Timeout),
		live:      map[*hostState]struct{}{},
		ready:     map[uint64]*hostState{},
		lastFinal: time.Now(),
	}
	s.cond = sync.NewCond(&s.mu)
	return s
}

// work is one worker: probe jobs until there are none left.
func (s *scheduler) work(ctx context.Context) {
	for {
		j, ok := s.next(ctx)
		if !ok {
			return
		}
		s.finish(j, s.probe(ctx, &j))
	}
}

// next blocks until a job may start and returns it; false means stop.
func (s *scheduler) next(ctx context.Context) (job, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		if ctx.Err() != nil || s.fatal != nil || s.finished {
			return job{}, false
		}
		if s.inflight < s.ctl.window() {
			now, at := time.Now(), s.startAt()
			if !at.After(now) {
				if j, ok := s.take(now); ok {
					j.sent = now
					j.wait = s.tm.wait(j.try, j.try >= s.allowedTries(j))
					s.inflight++
					s.probes++
					s.ctl.started(now)
					if s.waiters > 0 && s.inflight < s.ctl.window() {
						s.cond.Signal() // pass the turn on: another may start too
					}
					return j, true
				}
				if s.inflight == 0 && len(s.parked) > 0 {
					s.unpark(false, now) // no answer came back: they are filtered
					continue
				}
				if s.inflight == 0 && len(s.held) > 0 {
					s.emitLocked(s.release(true, now))
					continue
				}
				if s.inflight == 0 {
					s.finished = true
					s.cond.Broadcast()
					return job{}, false
				}
			} else {
				s.wakeAt(at)
			}
		}
		s.waiters++
		s.cond.Wait()
		s.waiters--
	}
}

// startAt is when the next probe may start, as the rate cap and a pause
// after a local shortage allow (zero or past: now).
func (s *scheduler) startAt() time.Time {
	at := s.ctl.nextStart()
	if s.pause.After(at) {
		at = s.pause
	}
	return at
}

// take pops a retry, or else the next first attempt.
func (s *scheduler) take(now time.Time) (job, bool) {
	if len(s.retryQ) > 0 {
		j := s.retryQ[0]
		s.retryQ = s.retryQ[1:]
		return j, true
	}
	j, newHosts, ok := s.src.take()
	for _, h := range newHosts {
		s.live[h] = struct{}{}
	}
	j.firstSent = now
	return j, ok
}

// wakeAt makes sure the waiters are woken at t.
func (s *scheduler) wakeAt(t time.Time) {
	if s.timer != nil && !s.timerAt.After(t) && s.timerAt.After(time.Now()) {
		return
	}
	s.timerAt = t
	d := time.Until(t)
	if s.timer == nil {
		s.timer = time.AfterFunc(d, s.wakeOne)
		return
	}
	s.timer.Reset(d)
}

// wakeOne wakes one waiting worker (the rate or pause timer); it passes
// the turn on if more may start.
func (s *scheduler) wakeOne() {
	s.mu.Lock()
	s.cond.Signal()
	s.mu.Unlock()
}

// wakeAll wakes every waiting worker (cancellation).
func (s *scheduler) wakeAll() {
	s.mu.Lock()
	s.cond.Broadcast()
	s.mu.Unlock()
}

// finish records a job's outcome.
func (s *scheduler) finish(j job, o outcome) {
	now := time.Now()
	var emit []func()
	s.mu.Lock()
	s.inflight--
	switch o.kind {
	case canceled:
		j.abandon()
	case answered:
		// An answer slower than the attempt before it waited says that
		// wait was too short, not that the attempt was lost.
		late := o.late || o.rtt > j.wait || (j.try > 1 && o.rtt > j.prevWait)
		switch {
		case late:
			s.late++
			s.tm.late(o.rtt)
		case o.rtt < synRetransmit:
			s.tm.sample(o.rtt)
			// Probes are judged for loss once their first three attempts
			// have had time to be answered.
			s.ctl.settle = s.tm.wait(1, false) + s.tm.wait(2, false) + s.tm.wait(3, false)
		}
		s.ctl.attempt(j.sent, true)
		s.ctl.answered(j.try, j.firstSent, o.rtt, late, now)
		emit = s.final(j, o, now)
		if len(s.parked) > 0 {
			s.unpark(true, now)
		}
	case timedOut:
		s.ctl.attempt(j.sent, false)
		s.ctl.timedOut()
		j.keep(o.pending)
		if j.try < s.allowedTries(j) {
			j.try++
			j.prevWait = j.wait
			s.retries++
			s.retryQ = append(s.retryQ, j)
			break
		}
		if s.blackout(j) {
			j.parked = true
			s.parked = append(s.parked, j)
			break
		}
		if j.holds < maxHolds && (s.ctl.unjudged(j.sent) || s.lossy(j)) {
			j.abandon() // hold no sockets while it waits
			s.held = append(s.held, j)
			break
		}
		o.state, o.reason, o.rtt = Filtered, ReasonNoResponse, 0
		emit = s.final(j, o, now)
	case selfConnect:
		if j.selfConns++; j.selfConns < 3 {
			s.retryQ = append(s.retryQ, j)
			break
		}
		o.kind, o.state, o.reason = answered, Closed, ReasonSelfConnect
		emit = s.final(j, o, now)
	case shortage:
		s.ctl.localShortage(s.inflight + 1)
		s.pause = now.Add(localPause)
		s.retryQ = append(s.retryQ, j)
		if now.Sub(s.lastFinal) > shortageLimit && s.fatal == nil {
			s.fatal = fmt.Errorf("no probe could be made for %v: %w (raise ulimit -n or lower --concurrency)", shortageLimit, o.err)
		}
	case failed:
		if s.firstErr == nil {
			s.firstErr = fmt.Errorf("%s port %d: %w", j.h.res.Addr, j.port, o.err)
		}
		emit = s.final(j, o, now)
	}
	if len(s.held) > 0 {
		emit = append(emit, s.release(false, now)...)
	}
	switch {
	case s.fatal != nil || (s.inflight == 0 && len(s.retryQ) == 0 && len(s.parked) == 0 && len(s.held) == 0 && s.src.done):
		s.cond.Broadcast()
	case s.waiters > 0 && s.inflight < s.ctl.window():
		// One may start: wake it now, or when the rate or a pause allows.
		// It passes the turn on (next); this wakes one, not a herd.
		if at := s.startAt(); at.After(now) {
			s.wakeAt(at)
		} else {
			s.cond.Signal()
		}
	}
	s.emitLocked(emit)
	s.mu.Unlock()
}

// lossy reports whether j's attempts fell where the path was losing: in a
// loss episode (j was first tried before a cut), or on a path whose loss
// floor is high (a rate limit the scan settled just above drops a large
// share of every attempt, retries too).
func (s *scheduler) lossy(j job) bool {
	return s.ctl.lastCut.After(j.firstSent) || s.ctl.floor >= highFloor
}

// highFloor is the loss floor from which every unanswered port is retried
// again before it is called filtered.
const highFloor = 0.25

// maxHolds bounds how often a port that went unanswered in a loss episode
// is held and given its --retries again: a port a firewall drops on a
// lossy path costs at most (1+maxHolds)(1+Retries) attempts.
const maxHolds = 3

// allowedTries is how many attempts j gets: the control's rule, plus one
// for a job parked in a blackout, and 1+Retries more each time it was held
// (see release) because it was first tried in a loss episode.
func (s *scheduler) allowedTries(j job) int {
	if j.holds > 0 {
		return (1 + j.holds) * (1 + s.opt.Retries)
	}
	if j.parked {
		return s.ctl.allowedTries() + 1
	}
	return s.ctl.allowedTries()
}

// blackout reports whether j's last attempt timed out in a blackout rather
// than at a silent port: it started while nothing at all was answered for
// longer than the timeout, although answers came before, and that silence
// began shortly (two timeouts) before the port's first attempt. That is what
// a stall of this machine (a CPU starved by other work), or of the path,
// looks like; a firewall that drops a port looks the same only for the
// first ports after the last answer. Such a port is parked instead of
// called filtered, once, if --retries leaves room for one more try.
func (s *scheduler) blackout(j job) bool {
	from, ok := s.ctl.blackoutAt(j.sent)
	return ok && !j.parked && s.ctl.allowedTries() < 1+s.opt.Retries && j.firstSent.Sub(from) < 2*s.opt.Timeout
}

// unpark ends the parking of the jobs that timed out in a blackout: when
// answers resume (retry true) they get another try; when the scan has
// nothing else left they are filtered after all.
func (s *scheduler) unpark(retry bool, now time.Time) {
	parked := s.parked
	s.parked = nil
	var emit []func()
	for _, j := range parked {
		if retry {
			j.try++
			s.retries++
			s.retryQ = append(s.retryQ, j)
			continue
		}
		emit = append(emit, s.final(j, outcome{kind: answered, state: Filtered, reason: ReasonNoResponse}, now)...)
	}
	s.emitLocked(emit)
}

// release decides on the held jobs whose last attempt's time has been
// judged for loss (all of them at the end: nothing else is left to
// answer). A port whose attempts fell where the path was losing (lossy)
// gets its --retries once more, up to maxHolds times; one tried where the
// path lost nothing unusual is filtered.
// It returns the events to send.
func (s *scheduler) release(end bool, now time.Time) []func() {
	var emit []func()
	kept := s.held[:0]
	for _, j := range s.held {
		switch {
		case !end && s.ctl.unjudged(j.sent):
			kept = append(kept, j)
		case s.lossy(j):
			j.holds++
			j.try++
			j.prevWait = j.wait
			s.retries++
			s.retryQ = append(s.retryQ, j)
		default:
			emit = append(emit, s.final(j, outcome{kind: answered, state: Filtered, reason: ReasonNoResponse}, now)...)
		}
	}
	clear(s.held[len(kept):])
	s.held = kept
	return emit
}

// emitLocked sends events while s.mu is held: it hands over to evMu, so
// events keep their order, and takes s.mu again.
func (s *scheduler) emitLocked(emit []func()) {
	if len(emit) == 0 {
		return
	}
	s.evMu.Lock()
	s.mu.Unlock()
	for _, f := range emit {
		f()
	}
	s.evMu.Unlock()
	s.mu.Lock()
}

// final records a port's final state and returns the events to send.
func (s *scheduler) final(j job, o outcome, now time.Time) []func() {
	var emit []func()
	j.abandon()
	s.lastFinal = now
	s.done++
	s.counts.add(o.state, 1)
	h := j.h.res
	h.Counts.add(o.state, 1)
	if o.state == Open || (s.opt.All && h.Counts.Of(o.state) <= ListLimit) {
		p := PortResult{Addr: h.Addr, Port: j.port, State: o.state, Reason: o.reason,
			Service: netaddr.ServiceName(j.port, "tcp"), RTT: o.rtt, Banner: o.banner, Tries: j.try}
		h.Ports = append(h.Ports, p)
		if o.state == Open && s.ev.OnOpen != nil {
			emit = append(emit, func() { s.ev.OnOpen(h, p) })
		}
	}
	if j.h.remaining--; j.h.remaining == 0 {
		s.close(j.h, true)
		// Hosts of a group finish in any order; OnHost gets them in order.
		s.ready[j.h.index] = j.h
		for hs := s.ready[s.nextHost]; hs != nil; hs = s.ready[s.nextHost] {
			delete(s.ready, s.nextHost)
			s.nextHost++
			if s.ev.OnHost != nil {
				emit = append(emit, func() { s.ev.OnHost(hs.res) })
			}
		}
	}
	return emit
}

// close ends a host's scan: it tidies its port list and keeps it in the
// result if it has an open port or every host is kept.
func (s *scheduler) close(hs *hostState, done bool) {
	delete(s.live, hs)
	h := hs.res
	h.Done = done
	h.Ports = slices.DeleteFunc(h.Ports, func(p PortResult) bool { return !h.Listed(p.State) })
	if h.Ports == nil {
		h.Ports = []PortResult{} // JSON [] rather than null
	}
	slices.SortFunc(h.Ports, func(a, b PortResult) int { return int(a.Port) - int(b.Port) })
	if h.Counts.Open > 0 || s.opt.All {
		s.kept = append(s.kept, hs)
	}
}

// progress snapshots the scan for Events.OnProgress.
func (s *scheduler) progress(start time.Time, total uint64) Progress {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	return Progress{Done: s.done, Total: total, Open: s.counts.Open, InFlight: s.inflight,
		Window: s.ctl.window(), Rate: s.ctl.starts.rate(now), Elapsed: now.Sub(start)}
}

// result assembles the Result once every worker has returned.
func (s *scheduler) result() Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.timer != nil {
		s.timer.Stop()
	}
	for hs := range s.live {
		s.close(hs, false)
	}
	slices.SortFunc(s.kept, func(a, b *hostState) int {
		switch {
		case a.index < b.index:
			return -1
		case a.index > b.index:
			return 1
		}
		return 0
	})
	hosts := make([]*HostResult, len(s.kept))
	for i, hs := range s.kept {
		hosts[i] = hs.res
	}
	rateCap := 0.0
	if s.ctl.backoffs > 0 {
		rateCap = s.ctl.rateCap
	}
	return Result{
		Hosts: hosts, Ports: s.opt.Ports, HostsScanned: s.src.count, Counts: s.counts,
		Probes: s.probes, Retries: s.retries, Backoffs: s.ctl.backoffs, MinWindow: s.ctl.minWindow,
		RateCap: rateCap, LossFloor: s.ctl.floor, CutsUndone: s.ctl.undone,
		Late: s.late, LateMax: s.tm.lateMax, Waited: s.tm.raisedAbove(), FirstError: s.firstErr,
	}
}
