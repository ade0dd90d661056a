package ping

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"time"

	"netdiag/diag/ping/icmpsock"
)

// Run pings the hosts opt names and calls emit for every event as it
// happens (never concurrently: events arrive one at a time, in order). It
// returns when every probe is settled, the Deadline passes or ctx is
// cancelled, with the statistics; probes still in flight then are counted
// as InFlight, never as lost.
//
// Errors: an *OptionError for invalid options; a *netaddr.ResolveError when
// the only host's name does not resolve (with several targets a failed
// name is reported in its HostStats instead); a *PermissionError when no
// ICMP socket may be opened; ctx's error when it is cancelled before the
// first probe. Run never prints.
func Run(ctx context.Context, opt Options, emit func(Event)) (Summary, error) {
	return runOn(ctx, opt, emit, system{open: openSocket, clock: systemClock{}})
}

// runOn is Run on the given sockets and clock.
func runOn(ctx context.Context, opt Options, emit func(Event), sys system) (Summary, error) {
	e, err := newEngine(ctx, opt, emit, sys)
	if err != nil {
		if e == nil {
			return Summary{}, err
		}
		return e.summary(), err
	}
	var wg sync.WaitGroup
	for _, f := range e.fams {
		if f != nil {
			wg.Go(func() { e.receive(f) })
		}
	}
	e.begin()
	interrupted := e.loop(ctx)

	e.mu.Lock()
	e.stopped = true
	e.mu.Unlock()
	for _, f := range e.fams {
		if f != nil {
			f.conn.Close()
		}
	}
	wg.Wait()
	s := e.summary()
	s.Elapsed = e.last.Sub(e.start)
	s.Interrupted = interrupted
	return s, e.fatal
}

// newEngine checks the options, resolves the targets, opens the sockets
// and queues every host for its first probe. On error it returns no
// engine when nothing was resolved yet, else the engine for its summary.
func newEngine(ctx context.Context, opt Options, emit func(Event), sys system) (*engine, error) {
	if err := opt.check(); err != nil {
		return nil, err
	}
	if emit == nil {
		emit = func(Event) {}
	}
	hosts, rerr := expand(ctx, opt.Resolver, opt.Targets, opt.Family)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	e := &engine{opt: opt, emit: emit, sys: sys, hosts: hosts, wake: make(chan struct{}, 1)}
	if len(hosts) == 1 && rerr != nil {
		return e, rerr
	}
	if err := e.open(); err != nil {
		return e, err
	}
	e.payload = makePayload(opt.Size)
	e.schedule()
	return e, nil
}

// begin starts the clock of the run (and its deadline) and reports the
// start.
func (e *engine) begin() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.start = e.now()
	if e.opt.Deadline > 0 {
		e.end = e.start.Add(e.opt.Deadline)
	}
	e.emitLocked(Event{Kind: EventStart, Time: e.start, Summary: e.summaryLocked()})
}

// engine is one run's state. The scheduler (loop) sends probes and expires
// them; one receiver goroutine per address family matches what comes
// back. Everything below mu is shared between them; events are emitted with
// mu held, which keeps them in order and never concurrent.
type engine struct {
	opt     Options
	emit    func(Event)
	sys     system // its sockets and clock
	payload []byte
	wake    chan struct{} // a host finished: re-check whether the run is over

	mu       sync.Mutex
	hosts    []*host
	fams     [2]*family // IPv4, IPv6
	ready    hostHeap   // hosts with probes left to send, by when the next is due
	expiry   probeQueue // probes in flight, by deadline
	active   int        // hosts not done yet
	nextSend time.Time  // the rate limit's next free slot
	sent     uint64     // probes sent
	start    time.Time
	end      time.Time // start + Options.Deadline; zero without one
	last     time.Time // the last request sent or reply received
	stopped  bool      // the run is over: receivers emit nothing more
	fatal    error     // a receiver's unrecoverable error, which ends the run
}

// family is one address family's socket and its table of probes by
// sequence number.
type family struct {
	conn  icmpsock.Socket
	v6    bool
	seq   uint16            // the last sequence number used
	slots [256]*[256]*probe // the latest probe sent with each sequence number, in pages made as needed
}

// slot returns the latest probe sent with sequence number seq, or nil.
func (f *family) slot(seq uint16) *probe {
	if page := f.slots[seq>>8]; page != nil {
		return page[seq&0xff]
	}
	return nil
}

// setSlot records p as the latest probe with its sequence number.
func (f *family) setSlot(p *probe) {
	page := f.slots[p.seq>>8]
	if page == nil {
		page = new([256]*probe)
		f.slots[p.seq>>8] = page
	}
	page[p.seq&0xff] = p
}

// host is a host being pinged.
type host struct {
	HostStats
	fam     *family
	next    time.Time // when its next probe is due
	probes  int       // probes sent
	retries int       // retries sent
	sending bool      // it still has probes to send
	done    bool      // nothing to send and nothing in flight
	heapIdx int
}

type probeState uint8

const (
	inFlight probeState = iota
	replied
	timedOut
	failed
)

// probe is one echo request.
type probe struct {
	h        *host
	n        int    // the host's probe number, from 1
	order    uint64 // the run's probe number, for ties in the expiry queue
	seq      uint16
	sent     time.Time
	deadline time.Time
	state    probeState
}

// open opens one socket per address family the hosts need.
func (e *engine) open() error {
	var need [2]bool
	for _, h := range e.hosts {
		if h.ResolveErr != "" {
			continue
		}
		v6 := h.Addr.Is6()
		switch {
		case v6 && e.opt.Size > MaxSizeIPv6, !v6 && e.opt.Size > MaxSizeIPv4:
			return optionErrorf("size %d: too large for %s (at most %d data bytes)", e.opt.Size, h.Addr, map[bool]int{false: MaxSizeIPv4, true: MaxSizeIPv6}[v6])
		case e.opt.Source.IsValid() && e.opt.Source.Is6() != v6:
			return optionErrorf("source address %s cannot send to %s: the families differ", e.opt.Source, h.Addr)
		}
		need[b2i(v6)] = true
	}
	buf := 0
	if len(e.hosts) > 1 {
		buf = 4 << 20 // a sweep's replies come in a burst
	}
	for i, n := range need {
		if !n {
			continue
		}
		c, err := e.sys.open(icmpsock.Config{Mode: e.opt.Mode, IPv6: i == 1, Source: e.opt.Source,
			Interface: e.opt.Interface, TTL: e.opt.TTL, RecvBuffer: buf})
		if err != nil {
			for _, f := range e.fams {
				if f != nil {
					f.conn.Close()
				}
			}
			var perr *PermissionError
			if errors.As(err, &perr) {
				return err
			}
			return fmt.Errorf("opening an ICMP socket: %w", err)
		}
		e.fams[i] = &family{conn: c, v6: i == 1}
	}
	for _, h := range e.hosts {
		if h.ResolveErr == "" {
			h.fam = e.fams[b2i(h.Addr.Is6())]
		}
	}
	return nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// makePayload returns the data every request carries: 8 random bytes that
// tell this run's replies from anyone else's, then iputils' pattern (each
// byte its offset). Shorter sizes take a prefix.
func makePayload(size int) []byte {
	p := make([]byte, size)
	for i := range p {
		p[i] = byte(i)
	}
	rand.Read(p[:min(size, 8)])
	return p
}

// schedule puts every resolved host in the send queue, due now (or its
// share of Spread from now), and marks hosts that failed to resolve done.
func (e *engine) schedule() {
	now := time.Now()
	for i, h := range e.hosts {
		if h.ResolveErr != "" {
			h.done = true
			continue
		}
		if e.opt.Spread > 0 {
			h.next = now.Add(e.opt.Spread * time.Duration(i) / time.Duration(len(e.hosts)))
		}
		h.sending = true
		e.active++
		e.ready.push(h)
	}
}

// summary returns the statistics so far.
func (e *engine) summary() Summary {
	e.mu.Lock()
	defer e.mu.Unlock()
	return *e.summaryLocked()
}

func (e *engine) summaryLocked() *Summary {
	s := &Summary{Hosts: make([]HostStats, len(e.hosts)), Size: e.opt.Size, Start: e.start}
	for i, h := range e.hosts {
		s.Hosts[i] = h.HostStats
	}
	for _, f := range e.fams {
		if f != nil {
			s.Mode = f.conn.Mode()
			break
		}
	}
	if !e.start.IsZero() {
		s.Elapsed = e.now().Sub(e.start)
	}
	return s
}

// now is the engine's clock's time.
func (e *engine) now() time.Time { return e.sys.clock.Now() }

// emitLocked reports an event; mu must be held.
func (e *engine) emitLocked(ev Event) {
	if !e.stopped {
		e.emit(ev)
	}
}

// signal wakes the scheduler without blocking.
func (e *engine) signal() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}
