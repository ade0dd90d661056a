// Package scan implements "netdiag scan", a TCP connect scan: for each
// target address and port, is anything listening?
//
// Usage:
//
//	netdiag scan [flags] TARGET... [-p PORTS]
//
// TARGET is an address (IPv4 or IPv6), a host name, a prefix
// ("192.168.1.0/24", its hosts as ping sweeps them) or a range
// ("10.0.0.1-10.0.0.50", "10.0.0.1-50"). PORTS is a list such as
// "22,80,8000-8100" or "ssh,http", or "-" for all of 1-65535; the default
// is 1-1024 plus every registered port that has a service name.
//
// Each port ends up as nmap -sT names it:
//
//	open      the connection was accepted
//	closed    the connection was refused (the host answered with a reset)
//	filtered  no answer within --timeout on every attempt, or an ICMP
//	          unreachable / administratively prohibited message
//	error     the probe could not be made (an unexpected local error)
//
// # How it scans
//
// Run hands (address, port) jobs to a pool of workers. Each attempt is a
// non-blocking connect(2) (Linux) whose answer is checked at once and, if it
// is not there yet, awaited in Go's poller until --timeout; elsewhere it is
// net.Dialer. How many attempts are in flight and how fast new ones start is
// adaptive (see control): the window grows while answers come back, and
// halves, with new probes capped near the rate answers arrive at, when
// answers come only on retries (loss, a rate-limiting firewall) or much
// slower than before. A port whose attempt times out is retried (up to
// --retries, fewer while no retry has ever been answered), so congestion
// reads as slow rather than as false "filtered" ports. Ports whose attempts
// all fell into a blackout (nothing at all answered for longer than the
// timeout, right after answers were flowing: this machine stalled) wait
// and get another try once answers resume.
//
// The concurrency is capped below the open-file limit (ulimit -n, which the
// Go runtime raises to the hard limit at start-up), with room for the rest
// of the process; a local shortage of sockets or ports anyway (EMFILE,
// EADDRNOTAVAIL) shrinks the window and retries instead of failing a port.
//
// Open ports are closed with a reset (SO_LINGER 0) as nmap does, so the scan
// leaves no TIME_WAIT sockets. With --banner each open port's first words
// (an SSH or SMTP greeting) are read for --banner-timeout and shown made
// safe: printable characters only, the rest escaped, truncated.
//
// Scans of more than MaxAddrs addresses or MaxProbes address-port pairs are
// refused unless confirmed with --yes. Names are resolved before the first
// probe; a name that does not resolve is reported (Result.Unresolved) and
// the other targets are scanned. Names under ".invalid" fail without asking
// DNS (RFC 6761).
package scan

import (
	"context"
	"sync"
	"time"
)

// Run scans opt.Targets and returns what it found. Events (all optional)
// receive open ports as they are found, each host when it is done, and
// progress about every 100 ms.
//
// When ctx is cancelled (Ctrl-C) Run stops starting probes, waits for the
// ones in flight (at most Timeout) and returns what was found so far with
// Result.Interrupted set and a nil error. Errors are for scans that cannot
// run: bad options (*OptionError), a scan that is too large
// (*TooLargeError), targets none of which resolve (*netaddr.ResolveError), or
// a local resource shortage that does not go away.
func Run(ctx context.Context, opt Options, ev Events) (Result, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return Result{}, err
	}
	if err := opt.checkSize(); err != nil {
		return Result{}, err
	}
	hosts, unresolved, err := resolve(ctx, opt)
	if err != nil {
		return Result{}, err
	}
	var addrs uint64
	for _, h := range hosts {
		addrs = satAdd(addrs, h.target.Count())
	}
	total := satMul(addrs, uint64(opt.Ports.Len()))
	limit := fdLimit()
	conc := capConcurrency(opt.Concurrency, limit)

	release := func() {}
	if opt.Dial == nil {
		opt.Dial, release = defaultDialer()
	}
	defer release() // after the workers: deferred calls run in reverse
	start := time.Now()
	s := newScheduler(opt, hosts, conc, ev)
	defer s.src.close()
	stopWake := context.AfterFunc(ctx, s.wakeAll)
	defer stopWake()

	var wg sync.WaitGroup
	for range min(uint64(conc), total) {
		wg.Go(func() { s.work(ctx) })
	}
	if ev.OnProgress != nil {
		stop := make(chan struct{})
		var tick sync.WaitGroup
		tick.Go(func() { s.tick(stop, start, total) })
		defer tick.Wait()
		defer close(stop)
	}
	wg.Wait()

	res := s.result()
	res.Unresolved = unresolved
	res.Concurrency, res.FDLimit, res.Timeout = conc, limit, opt.Timeout
	res.Elapsed = time.Since(start)
	res.Interrupted = ctx.Err() != nil && res.Counts.Total() < total
	return res, s.fatal
}

// tick sends progress until stop is closed.
func (s *scheduler) tick(stop <-chan struct{}, start time.Time, total uint64) {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			p := s.progress(start, total)
			s.evMu.Lock()
			s.ev.OnProgress(p)
			s.evMu.Unlock()
		}
	}
}

// fdHeadroom is how many file descriptors the scan leaves for the rest of
// the process (standard streams, the poller, DNS, a banner's duplicate
// descriptor…), at least; a tenth of the limit when that is more.
const fdHeadroom = 64

// capConcurrency caps the probes in flight below the open-file limit.
func capConcurrency(want int, limit uint64) int {
	if limit == 0 {
		return want
	}
	room := max(fdHeadroom, limit/10)
	if limit <= room {
		return 1
	}
	return int(min(uint64(want), limit-room))
}
