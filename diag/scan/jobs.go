package scan

import (
	"iter"
	"net/netip"
	"slices"
	"time"

	"netdiag/diag/netaddr"
)

// hostGroup is how many addresses of a sweep are scanned together. Within a
// group the ports are interleaved across hosts (port 1 of every host, then
// port 2…), so a /24 sweep does not aim the whole window at one host at a
// time, and a group's results are complete before the next group starts.
const hostGroup = 256

// hostState is a host being scanned; the scheduler's lock guards it.
type hostState struct {
	index     uint64 // order among all scanned addresses
	res       *HostResult
	remaining int // ports without a final state yet
}

// job is one port of one host, possibly on a retry.
type job struct {
	h         *hostState
	port      netaddr.Port
	try       int       // 1 for the first attempt
	firstSent time.Time // when the first attempt started
	sent      time.Time // when this attempt started
	// wait is how long this attempt waits for an answer; prevWait is how
	// long the attempt before it waited (0 on the first).
	wait, prevWait time.Duration
	// pending are the earlier attempts that timed out and are still open.
	pending   []pending
	selfConns int // attempts the kernel connected to themselves
	// parked is set once the job's last allowed attempt timed out in a
	// blackout (see scheduler.blackout); it earns one more try.
	parked bool
	// holds counts the times the job was held until the loss of its time
	// was judged, and then released because it was loss: each earns every
	// retry again.
	holds int
}

// pending is a timed-out attempt kept open, and when it was sent.
type pending struct {
	attempt pendingAttempt
	sent    time.Time
}

// maxPending is how many timed-out attempts a port keeps open: its first
// (the one that has waited longest) and its latest.
const maxPending = 2

// keep adds the timed-out attempt p (nil: none) to j's pending ones. Over
// maxPending, the one before the latest is abandoned.
func (j *job) keep(p pendingAttempt) {
	if p == nil {
		return
	}
	if len(j.pending) == maxPending {
		j.pending[maxPending-1].attempt.abandon()
		j.pending = j.pending[:maxPending-1]
	}
	j.pending = append(j.pending, pending{p, j.sent})
}

// abandon closes j's pending attempts.
func (j *job) abandon() {
	for _, p := range j.pending {
		p.attempt.abandon()
	}
	j.pending = nil
}

// source hands out first attempts in scan order: hosts in target order, in
// groups of hostGroup, ports interleaved within a group.
type source struct {
	next   func() (int, netip.Addr, bool) // pulls (target index, address)
	stop   func()
	hosts  []host
	ports  []netaddr.Port
	group  []*hostState
	k      int // jobs handed out from the current group
	count  uint64
	primed bool
	done   bool
}

func newSource(hosts []host, ports netaddr.PortList) *source {
	next, stop := iter.Pull2(addresses(hosts))
	return &source{next: next, stop: stop, hosts: hosts, ports: slices.Collect(ports.All())}
}

// addresses yields every address to scan with the index of its target.
func addresses(hosts []host) iter.Seq2[int, netip.Addr] {
	return func(yield func(int, netip.Addr) bool) {
		for i, h := range hosts {
			if !h.target.IsSweep() {
				if !yield(i, h.addrs[0]) {
					return
				}
				continue
			}
			for a := range h.target.Range.All() {
				if !yield(i, a) {
					return
				}
			}
		}
	}
}

// take returns the next first attempt; newHosts are the hosts it started
// (the caller registers them). ok is false when every job was handed out.
func (s *source) take() (j job, newHosts []*hostState, ok bool) {
	if s.done {
		return job{}, nil, false
	}
	if !s.primed || s.k == len(s.group)*len(s.ports) {
		newHosts = s.fill()
		if len(s.group) == 0 || len(s.ports) == 0 {
			s.done = true
			return job{}, newHosts, false
		}
	}
	n := len(s.group)
	j = job{h: s.group[s.k%n], port: s.ports[s.k/n], try: 1}
	s.k++
	return j, newHosts, true
}

// fill starts the next group of hosts.
func (s *source) fill() []*hostState {
	s.primed, s.k = true, 0
	s.group = s.group[:0]
	for len(s.group) < hostGroup {
		ti, a, ok := s.next()
		if !ok {
			break
		}
		h := s.hosts[ti]
		res := &HostResult{Target: h.target.Input, Name: h.name, Addr: a}
		if len(h.addrs) > 1 {
			res.OtherAddrs = h.addrs[1:]
		}
		s.group = append(s.group, &hostState{index: s.count, res: res, remaining: len(s.ports)})
		s.count++
	}
	return slices.Clone(s.group)
}

// close releases the address iterator.
func (s *source) close() { s.stop() }
