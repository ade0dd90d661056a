package trace

import (
	"context"
	"net/netip"
	"slices"
	"sync"
	"time"

	"netdiag/diag/netaddr"
)

// EventKind says what an Event reports.
type EventKind int

// The events Run emits.
const (
	// EventStart: the target is resolved and probing begins.
	EventStart EventKind = iota + 1
	// EventProbe: a probe was answered, timed out or failed.
	EventProbe
	// EventName: a responder's reverse name arrived.
	EventName
)

// Event is something that happened during a trace, with the report as it
// stands: a display redraws from Result.
type Event struct {
	Kind EventKind
	// TTL is the probe's hop (EventProbe).
	TTL int
	// Result is a snapshot of the trace so far (its Hops are copies).
	Result Result
}

// Run traces the path to opt.Target and calls emit (when not nil) for
// every event, one at a time, in order. Every round sends one probe to
// every hop at once, the rounds opt.Interval apart; the trace ends when
// every probe is answered or timed out, or when ctx ends (Interrupted).
// Probes stop going past the destination, or past a hop that answered
// "unreachable", once one did.
//
// Errors: an *OptionError for invalid options, a *netaddr.ResolveError
// when the name does not resolve, an *icmpsock.PermissionError when ICMP
// sockets are not allowed (its message names the fixes), or the socket's
// error. A destination that does not answer is a Result (Reached false),
// not an error. Run never prints.
func Run(ctx context.Context, opt Options, emit func(Event)) (Result, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return Result{}, err
	}
	addrs, err := netaddr.ResolveHost(ctx, opt.Resolver, opt.Target, opt.Family)
	if err != nil {
		return Result{}, err
	}
	dst := addrs[0].WithZone("")
	res := Result{Target: opt.Target.String(), Addr: dst, Method: opt.Method}
	if opt.MTU {
		if res.Interface, res.InterfaceMTU, err = interfaceMTU(opt, dst); err != nil {
			return res, err
		}
	}
	return runWith(ctx, res, opt, emit, func(got func(reply)) (prober, error) {
		switch opt.Method {
		case UDP:
			return newUDPProber(opt, dst, got)
		case TCP:
			return newTCPProber(opt, dst, got)
		}
		return newICMPProber(opt, dst, got)
	})
}

// runWith traces res.Addr with the prober newProber makes; res holds what
// is known before the first probe (the outgoing interface in MTU mode).
func runWith(ctx context.Context, res Result, opt Options, emit func(Event), newProber func(got func(reply)) (prober, error)) (Result, error) {
	if emit == nil {
		emit = func(Event) {}
	}
	e := &engine{opt: opt, dst: res.Addr, emit: emit, wake: make(chan struct{}, 1),
		probes: map[uint32]*probe{}, names: map[netip.Addr]string{}, end: opt.MaxHops, size: DefaultPacketSize, res: res}
	if opt.MTU {
		e.size = min(res.InterfaceMTU, MaxPacketSize)
	}
	var err error
	if e.pr, err = newProber(e.handle); err != nil {
		return e.res, err
	}
	nameCtx, cancelNames := context.WithCancel(ctx)
	defer cancelNames()
	e.nameCtx = nameCtx

	var recv sync.WaitGroup
	recv.Go(func() {
		if err := e.pr.run(); err != nil {
			e.mu.Lock()
			e.fatal = err
			e.mu.Unlock()
			e.wakeUp()
		}
	})
	e.mu.Lock()
	e.start = time.Now()
	e.emitLocked(Event{Kind: EventStart})
	e.mu.Unlock()

	interrupted := e.loop(ctx)

	e.mu.Lock()
	e.stopped = true
	e.mu.Unlock()
	e.pr.close()
	recv.Wait()
	e.lookups.Wait()

	e.mu.Lock()
	defer e.mu.Unlock()
	out := e.snapshotLocked()
	out.Interrupted = interrupted
	out.Elapsed = time.Since(e.start)
	return out, e.fatal
}

// engine is one trace's state. The loop (Run's goroutine) sends the rounds
// and expires probes; the prober's receiver calls handle. Everything
// below mu is shared; events are emitted with mu held.
type engine struct {
	opt     Options
	dst     netip.Addr
	emit    func(Event)
	pr      prober
	wake    chan struct{}
	nameCtx context.Context
	lookups sync.WaitGroup
	res     Result // the fixed fields

	mu       sync.Mutex
	hops     [MaxTTL + 1]*hopState // by TTL
	probes   map[uint32]*probe     // in flight, by key
	queue    []*probe              // in flight, by deadline (sent in order, one timeout: FIFO)
	end      int                   // the last TTL worth probing
	endFound bool                  // end is the destination's or an unreachable hop's TTL
	reached  bool
	size     int   // the probes' packet size
	resend   []int // TTLs whose probe was too big, to probe again at once
	drops    []MTUDrop
	names    map[netip.Addr]string // looked up (or being looked up)
	start    time.Time
	stopped  bool
	fatal    error
}

// hopState is one TTL's statistics.
type hopState struct {
	Hop
	index map[netip.Addr]int // responder → position in Responders
}

// probe is one probe in flight.
type probe struct {
	key      uint32
	ttl      int
	size     int
	sent     time.Time
	deadline time.Time
	settled  bool
}

func (e *engine) wakeUp() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

func (e *engine) hop(ttl int) *hopState {
	if e.hops[ttl] == nil {
		e.hops[ttl] = &hopState{Hop: Hop{TTL: ttl}, index: map[netip.Addr]int{}}
	}
	return e.hops[ttl]
}

// loop sends the rounds and expires probes until every probe is settled,
// the receiver fails or ctx ends (then it reports true).
func (e *engine) loop(ctx context.Context) (interrupted bool) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	round, next := 0, time.Now()
	for {
		e.mu.Lock()
		now := time.Now()
		for len(e.resend) > 0 {
			ttl := e.resend[0]
			e.resend = e.resend[1:]
			if ttl <= e.end {
				e.sendLocked(ttl)
			}
		}
		if round < e.opt.Count && !now.Before(next) {
			for ttl := e.opt.FirstHop; ttl <= e.end; ttl++ {
				e.sendLocked(ttl)
			}
			round++
			next = next.Add(e.opt.Interval)
		}
		e.expireLocked(now)
		done := e.fatal != nil || round >= e.opt.Count && len(e.probes) == 0 && len(e.resend) == 0
		wait := time.Duration(-1)
		if round < e.opt.Count {
			wait = next.Sub(now)
		}
		if len(e.queue) > 0 {
			if d := e.queue[0].deadline.Sub(now); wait < 0 || d < wait {
				wait = d
			}
		}
		e.mu.Unlock()
		if done {
			return false
		}
		if wait >= 0 {
			timer.Reset(max(wait, 0))
		}
		select {
		case <-timer.C:
		case <-e.wake:
		case <-ctx.Done():
			return true
		}
	}
}

// sendLocked sends one probe with TTL ttl.
func (e *engine) sendLocked(ttl int) {
	key, sent, err := e.pr.send(ttl, e.size)
	h := e.hop(ttl)
	if err != nil {
		h.Sent++
		h.Error = errorText(err)
		e.emitLocked(Event{Kind: EventProbe, TTL: ttl})
		return
	}
	if old := e.probes[key]; old != nil {
		e.settleLocked(old) // its key came round again: long lost
	}
	p := &probe{key: key, ttl: ttl, size: e.size, sent: sent, deadline: sent.Add(e.opt.Timeout)}
	e.probes[key] = p
	e.queue = append(e.queue, p)
	h.InFlight++
}

// expireLocked settles the probes whose time is up as lost.
func (e *engine) expireLocked(now time.Time) {
	for len(e.queue) > 0 {
		p := e.queue[0]
		if !p.settled && p.deadline.After(now) {
			return
		}
		e.queue = e.queue[1:]
		if !p.settled {
			e.settleLocked(p)
			e.emitLocked(Event{Kind: EventProbe, TTL: p.ttl})
		}
	}
}

// settleLocked ends probe p and counts it as sent: lost, unless the
// caller counts its answer.
func (e *engine) settleLocked(p *probe) {
	e.dropLocked(p)
	e.hop(p.ttl).Sent++
}

// dropLocked ends probe p uncounted: too big (it goes again smaller), or
// past the end of the path.
func (e *engine) dropLocked(p *probe) {
	p.settled = true
	delete(e.probes, p.key)
	e.pr.forget(p.key)
	e.hop(p.ttl).InFlight--
}

// handle matches a reply to its probe and counts it.
func (e *engine) handle(r reply) {
	e.mu.Lock()
	defer e.mu.Unlock()
	p := e.probes[r.key]
	if e.stopped || p == nil || p.settled {
		return // late, or not ours
	}
	defer e.wakeUp()
	h := e.hop(p.ttl)
	if r.kind == tooBig && e.opt.MTU && r.mtu > 0 && r.mtu < p.size {
		e.dropLocked(p)
		e.lowerMTULocked(r.from, r.mtu, p.ttl)
		e.resend = append(e.resend, p.ttl)
		return
	}
	if r.kind == localError {
		e.settleLocked(p)
		h.Error = r.err
		e.emitLocked(Event{Kind: EventProbe, TTL: p.ttl})
		return
	}
	e.settleLocked(p)
	h.Received++
	h.rtt.add(max(r.when.Sub(p.sent), 0))
	if e.opt.MTU {
		h.MTU = max(h.MTU, p.size)
	}
	if i, ok := h.index[r.from]; ok {
		h.Responders[i].Received++
	} else {
		h.index[r.from] = len(h.Responders)
		h.Responders = append(h.Responders, Responder{Addr: r.from, Received: 1})
		e.lookupLocked(r.from)
	}
	switch {
	case r.kind == reachedDest || r.from == e.dst:
		h.Destination = true
		h.Mark = r.mark
		e.reached = true
		e.setEndLocked(p.ttl)
	case r.kind == unreachable || r.kind == tooBig:
		h.Mark = r.mark
		e.setEndLocked(p.ttl)
	}
	e.emitLocked(Event{Kind: EventProbe, TTL: p.ttl})
}

// setEndLocked makes ttl the last hop probed, when it is nearer than the
// end so far, and drops the probes in flight beyond it.
func (e *engine) setEndLocked(ttl int) {
	if e.endFound && ttl >= e.end {
		return
	}
	e.end, e.endFound = ttl, true
	for _, p := range e.probes {
		if p.ttl > ttl {
			e.dropLocked(p)
		}
	}
}

// lowerMTULocked records that the router from answered a probe of hop ttl
// with "fragmentation needed" (IPv6: "packet too big") naming mtu, and
// makes later probes that large.
func (e *engine) lowerMTULocked(from netip.Addr, mtu, ttl int) {
	e.size = min(e.size, mtu)
	hop := ttl - 1 // the router before the hop the probe was for, unless it is known
	for t := e.opt.FirstHop; t < ttl; t++ {
		if h := e.hops[t]; h != nil {
			if _, ok := h.index[from]; ok {
				hop = t
				break
			}
		}
	}
	d := MTUDrop{Hop: hop, Addr: from, MTU: mtu}
	if !slices.Contains(e.drops, d) {
		e.drops = append(e.drops, d)
		slices.SortFunc(e.drops, func(a, b MTUDrop) int { return a.Hop - b.Hop })
	}
}
