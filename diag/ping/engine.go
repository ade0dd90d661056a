package ping

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"sync"
	"time"

	"netdiag/diag/exitcode"
	"netdiag/diag/ping/icmpsock"
	"netdiag/internal/clock"
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
	return runOn(ctx, opt, emit, system{open: openSocket, clock: clock.System{}})
}

// runOn is Run on the given sockets and clock.
func runOn(ctx context.Context, opt Options, emit func(Event), sys system) (Summary, error) {
	e, err := newEngine(ctx, opt, emit, sys)
	if err != nil {
		if e == nil {
			return Summary{}, err
		}
		return e.final(), err
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
	s := e.final()
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
	segs, n, rerr := expand(ctx, opt.Resolver, opt.Targets, opt.Family)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	e := &engine{opt: opt, emit: emit, sys: sys, segs: segs, hosts: make([]host, n), wake: make(chan struct{}, 1)}
	if n == 1 && rerr != nil {
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
	// The start describes the targets, not every host: a /16's host list
	// would be 15 MB of zeros.
	e.emitLocked(Event{Kind: EventStart, Time: e.start, Summary: e.headLocked()})
}

// engine is one run's state. The scheduler (loop) sends probes and expires
// them; one receiver goroutine per address family matches what comes
// back. Everything below mu is shared between them; events are emitted with
// mu held, which keeps them in order and never concurrent.
//
// A sweep of a /16 has 65,534 hosts, so what it keeps per host is small:
// the hosts are one slice of 48-byte values, their addresses and targets
// are computed from the segments they came from, and probes live in each
// family's table by sequence number, without a heap object, timer or map
// entry of their own.
type engine struct {
	opt     Options
	emit    func(Event)
	sys     system // its sockets and clock
	payload []byte
	wake    chan struct{} // a host finished: re-check whether the run is over

	mu       sync.Mutex
	segs     []segment   // the targets the hosts came from, by first host index
	hosts    []host      // by index
	fams     [2]*family  // IPv4, IPv6
	ready    readyQueue  // hosts with probes left to send, by when the next is due
	expiry   expiryQueue // probes in flight, by deadline
	active   int         // hosts not done yet
	nextSend time.Time   // the rate limit's next free slot
	sent     uint64      // probes sent
	epoch    time.Time   // host and probe times are offsets from it
	start    time.Time
	end      time.Time // start + Options.Deadline; zero without one
	last     time.Time // the last request sent or reply received
	busy     bool      // the scheduler has more to send at once: parked receivers leave the sockets to it
	stopped  bool      // the run is over: receivers emit nothing more
	fatal    error     // a receiver's unrecoverable error, which ends the run
}

// family is one address family's socket and its table of probes by
// sequence number.
type family struct {
	conn  icmpsock.Socket
	v6    bool
	seq   uint16           // the last sequence number used
	slots [256]*[256]probe // the latest probe sent with each sequence number, in pages made as needed

	// While the scheduler sends a burst, the receiver parks (parked, under
	// the engine's mu) and the scheduler reads the socket itself between
	// requests, so replies are read as fast as requests go out without a
	// wake-up and a lock hand-off for each; resume hands the socket back.
	parked bool
	resume chan struct{}
	bufs   [][]byte // receive buffers, used by whoever holds the socket
}

// slot returns the latest probe sent with sequence number seq, or nil.
func (f *family) slot(seq uint16) *probe {
	if page := f.slots[seq>>8]; page != nil && page[seq&0xff].n != 0 {
		return &page[seq&0xff]
	}
	return nil
}

// newSlot returns the slot for a probe with sequence number seq, which
// replaces the last probe sent with it.
func (f *family) newSlot(seq uint16) *probe {
	page := f.slots[seq>>8]
	if page == nil {
		page = new([256]probe)
		f.slots[seq>>8] = page
	}
	return &page[seq&0xff]
}

// host is a host being pinged: the counts of a host with at most one
// round trip time and nothing unusual, or ext, its full statistics, once
// it has more (a second reply, a duplicate, a late reply, an error). Its
// index, address and target are those of its place in engine.hosts.
type host struct {
	next     time.Duration // when its next probe is due, after the epoch (while queued)
	rtt      time.Duration // its one round trip time, while ext is nil and received is 1
	ext      *HostStats    // its statistics, once the counts below no longer do
	sent     uint32
	received uint32
	lost     uint32
	inFlight uint32
	heapIdx  int32  // its place in the ready heap; -1 when not in it
	retries  uint16 // retries sent
	sending  bool   // it still has probes to send
	done     bool   // nothing to send and nothing in flight
}

// maxCompact is the most probes a host counts in its own fields.
const maxCompact = 1 << 31

// full returns h's statistics, moving them into ext first if need be.
func (h *host) full() *HostStats {
	if h.ext == nil {
		h.ext = &HostStats{Sent: int(h.sent), Received: int(h.received), Lost: int(h.lost), InFlight: int(h.inFlight)}
		if h.received > 0 {
			h.ext.addRTT(h.rtt)
		}
	}
	return h.ext
}

func (h *host) nSent() int {
	if h.ext != nil {
		return h.ext.Sent
	}
	return int(h.sent)
}

func (h *host) nReceived() int {
	if h.ext != nil {
		return h.ext.Received
	}
	return int(h.received)
}

func (h *host) nInFlight() int {
	if h.ext != nil {
		return h.ext.InFlight
	}
	return int(h.inFlight)
}

// countSent counts a probe sent.
func (h *host) countSent() {
	if h.ext == nil && h.sent < maxCompact {
		h.sent++
		h.inFlight++
		return
	}
	x := h.full()
	x.Sent++
	x.InFlight++
}

// countReply counts a first reply to a probe in flight.
func (h *host) countReply(rtt time.Duration) {
	if h.ext == nil && h.received == 0 {
		h.received, h.rtt = 1, rtt
		h.inFlight--
		return
	}
	x := h.full()
	x.InFlight--
	x.Received++
	x.addRTT(rtt)
}

// countTimeout counts a probe lost to its timeout.
func (h *host) countTimeout() {
	if h.ext == nil {
		h.inFlight--
		h.lost++
		return
	}
	h.ext.InFlight--
	h.ext.Lost++
}

type probeState uint8

const (
	inFlight probeState = iota
	replied
	timedOut
	failed
)

// probe is one echo request, kept in its family's slot table until its
// sequence number is used again.
type probe struct {
	n        int           // the host's probe number, from 1; 0 for an empty slot
	order    uint64        // the run's probe number, for ties in the expiry queue
	sent     time.Duration // after the epoch
	deadline time.Duration // after the epoch
	host     uint32        // its index
	seq      uint16
	state    probeState
}

// at returns the time d after the epoch.
func (e *engine) at(d time.Duration) time.Time { return e.epoch.Add(d) }

// open opens one socket per address family the hosts need.
func (e *engine) open() error {
	var need [2]bool
	for i := range e.segs {
		sg := &e.segs[i]
		if sg.resolveErr != "" {
			continue
		}
		v6 := sg.addrs.First.Is6()
		switch {
		case v6 && e.opt.Size > MaxSizeIPv6, !v6 && e.opt.Size > MaxSizeIPv4:
			return exitcode.Optionf("size %d: too large for %s (at most %d data bytes)", e.opt.Size, sg.addrs.First, map[bool]int{false: MaxSizeIPv4, true: MaxSizeIPv6}[v6])
		case e.opt.Source.IsValid() && e.opt.Source.Is6() != v6:
			return exitcode.Optionf("source address %s cannot send to %s: the families differ", e.opt.Source, sg.addrs.First)
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
		e.fams[i] = &family{conn: c, v6: i == 1, resume: make(chan struct{}, 1)}
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

// schedule queues every resolved host for its first probe, due now (or
// its share of Spread from now), and marks hosts that failed to resolve
// done.
func (e *engine) schedule() {
	e.epoch = e.now()
	for i := range e.segs {
		sg := &e.segs[i]
		for j := sg.first; j < sg.first+sg.n; j++ {
			h := &e.hosts[j]
			h.heapIdx = -1
			if sg.resolveErr != "" {
				h.done = true
				continue
			}
			h.sending = true
			e.active++
		}
	}
	e.ready.init(e)
}

// final returns the statistics of a run that has ended: each host's are
// computed when asked for, from the engine's few bytes a host, which
// nothing changes any more.
func (e *engine) final() Summary {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.headLocked()
	s.host = e.stats
	e.elapsed(s)
	return *s
}

// summaryLocked returns the statistics so far, a copy for every host.
func (e *engine) summaryLocked() *Summary {
	s := e.headLocked()
	s.hosts = make([]HostStats, len(e.hosts))
	for i := range e.hosts {
		s.hosts[i] = e.stats(i)
	}
	e.elapsed(s)
	return s
}

// elapsed sets s.Elapsed, the time from the start.
func (e *engine) elapsed(s *Summary) {
	if !e.start.IsZero() {
		s.Elapsed = e.now().Sub(e.start)
	}
}

// headLocked returns a Summary whose hosts have no counts yet: the
// targets, each host's address and name, the socket, the size and the
// start.
func (e *engine) headLocked() *Summary {
	s := &Summary{Count: len(e.hosts), Targets: make([]TargetInfo, len(e.segs)), Size: e.opt.Size, Start: e.start,
		host: e.identity, tally: new(tally)}
	for k := range e.segs {
		sg := &e.segs[k]
		s.Targets[k] = TargetInfo{Target: sg.target, Name: sg.name, Addr: sg.addr(sg.first), OtherAddrs: sg.other,
			ResolveErr: sg.resolveErr, First: sg.first, Hosts: sg.n}
	}
	for _, f := range e.fams {
		if f != nil {
			s.Mode = f.conn.Mode()
			break
		}
	}
	return s
}

// stats returns the statistics of host i.
func (e *engine) stats(i int) HostStats {
	h := &e.hosts[i]
	var s HostStats
	if h.ext != nil {
		s = *h.ext
	} else {
		s.Sent, s.Received, s.Lost, s.InFlight = int(h.sent), int(h.received), int(h.lost), int(h.inFlight)
		if h.received > 0 {
			s.addRTT(h.rtt)
		}
	}
	e.identify(&s, i)
	return s
}

// identity returns host i without counts: its index, target, name and
// address, which never change (the start's Summary reads them at any
// time).
func (e *engine) identity(i int) HostStats {
	var s HostStats
	e.identify(&s, i)
	return s
}

// identify sets the index, target, name and address of host i in s.
func (e *engine) identify(s *HostStats, i int) {
	sg := e.seg(i)
	s.Index, s.Target, s.Name, s.OtherAddrs, s.ResolveErr = i, sg.target, sg.name, sg.other, sg.resolveErr
	s.Addr = sg.addr(i)
}

// seg returns the segment host i came from.
func (e *engine) seg(i int) *segment {
	k := sort.Search(len(e.segs), func(k int) bool { return e.segs[k].first > i }) - 1
	return &e.segs[k]
}

// addr returns host i's address.
func (e *engine) addr(i int) netip.Addr { return e.seg(i).addr(i) }

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
