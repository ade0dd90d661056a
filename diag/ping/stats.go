package ping

import (
	"iter"
	"math"
	"net/netip"
	"sync"
	"time"
)

// HostStats is what is known about one pinged host. Counts follow iputils
// ping: Received counts first replies only (duplicates are counted apart),
// Errors the probes answered by an ICMP error or whose sending failed.
//
// A probe is settled when its reply or an error came, or when its timeout
// (Options.Timeout) passed without either; until then it is in flight.
// Loss is reckoned over settled probes only, so a reply still on its way
// never counts as lost.
type HostStats struct {
	// Index is the host's position in the run's host list.
	Index int
	// Target is the argument the host came from: an address, a name, a
	// prefix or a range.
	Target string
	// Name is the host name the address was resolved from, if any.
	Name string
	// Addr is the address pinged (invalid when the name did not resolve).
	Addr netip.Addr
	// OtherAddrs are the name's other addresses, not pinged.
	OtherAddrs []netip.Addr
	// ResolveErr says why Name did not resolve; the host was not pinged.
	ResolveErr string

	Sent       int
	Received   int
	Duplicates int
	// Late counts replies that came after their probe's timeout, which
	// had already been counted lost.
	Late int
	// Errors counts probes settled by an ICMP error or a failed send.
	Errors int
	// Lost counts settled probes without a reply: timeouts and errors.
	Lost int
	// InFlight counts probes neither answered nor timed out yet.
	InFlight int

	// RTT statistics over every reply, duplicates included (as iputils
	// computes them); zero without replies. MDev is the population
	// standard deviation, iputils' "mdev"; EWMA its moving average, weight
	// 1/8, shown in interim statistics.
	RTTMin  time.Duration
	RTTAvg  time.Duration
	RTTMax  time.Duration
	RTTMDev time.Duration
	RTTEWMA time.Duration

	// LastError is the most recent error about one of the host's probes.
	LastError *ProbeError

	rttN    int
	rttSum  float64 // nanoseconds
	rttSum2 float64
}

// ProbeError is an ICMP error about a probe, or the error sending it.
type ProbeError struct {
	Seq int `json:"seq"`
	// From is who reported it (a router, or the host itself for local
	// errors); invalid when sending failed.
	From netip.Addr `json:"from,omitzero"`
	// ICMPType and ICMPCode are the ICMP message's; -1 when the error is
	// not an ICMP message (a failed send, a local error).
	ICMPType int `json:"icmp_type"`
	ICMPCode int `json:"icmp_code"`
	// Message is iputils ping's wording: "Destination Host Unreachable",
	// "Time to live exceeded", "sendmsg: Operation not permitted".
	Message string `json:"message"`
}

// Alive reports whether the host answered at least once.
func (h *HostStats) Alive() bool { return h.Received > 0 }

// Settled returns the number of probes whose fate is known.
func (h *HostStats) Settled() int { return h.Received + h.Lost }

// Loss returns the percentage of settled probes that got no reply, and
// false when no probe is settled yet.
func (h *HostStats) Loss() (float64, bool) {
	n := h.Settled()
	if n == 0 {
		return 0, false
	}
	return float64(h.Lost) * 100 / float64(n), true
}

// addRTT adds one reply's round-trip time to the statistics.
func (h *HostStats) addRTT(d time.Duration) {
	x := float64(d)
	if h.rttN == 0 || d < h.RTTMin {
		h.RTTMin = d
	}
	if d > h.RTTMax {
		h.RTTMax = d
	}
	if h.rttN == 0 {
		h.RTTEWMA = d
	} else {
		h.RTTEWMA += (d - h.RTTEWMA) / 8
	}
	h.rttN++
	h.rttSum += x
	h.rttSum2 += x * x
	h.finishRTT()
}

// finishRTT derives the average and mean deviation from the sums.
func (h *HostStats) finishRTT() {
	if h.rttN == 0 {
		return
	}
	n := float64(h.rttN)
	avg := h.rttSum / n
	h.RTTAvg = time.Duration(avg)
	h.RTTMDev = time.Duration(math.Sqrt(math.Max(0, h.rttSum2/n-avg*avg)))
}

// add accumulates o's counts and RTT sums into h (for totals).
func (h *HostStats) add(o *HostStats) {
	h.Sent += o.Sent
	h.Received += o.Received
	h.Duplicates += o.Duplicates
	h.Late += o.Late
	h.Errors += o.Errors
	h.Lost += o.Lost
	h.InFlight += o.InFlight
	if o.rttN > 0 {
		if h.rttN == 0 || o.RTTMin < h.RTTMin {
			h.RTTMin = o.RTTMin
		}
		h.RTTMax = max(h.RTTMax, o.RTTMax)
		h.rttN += o.rttN
		h.rttSum += o.rttSum
		h.rttSum2 += o.rttSum2
		h.finishRTT()
		h.RTTEWMA = h.RTTAvg
	}
	if o.LastError != nil {
		h.LastError = o.LastError
	}
}

// TargetInfo is one target of a run as it was expanded: an address or a
// name (one host), or a prefix or range (Hosts hosts from First).
type TargetInfo struct {
	// Target is the argument as given.
	Target string
	// Name is the host name resolved, if any.
	Name string
	// Addr is the first host's address; invalid when the name did not
	// resolve.
	Addr netip.Addr
	// OtherAddrs are a name's other addresses, not pinged.
	OtherAddrs []netip.Addr
	// ResolveErr says why the name did not resolve.
	ResolveErr string
	// First is the index of the target's first host; Hosts the number of
	// its hosts.
	First, Hosts int
}

// Summary is the outcome of a run: every host's statistics and the totals.
type Summary struct {
	// Count is the number of hosts; Host and All give their statistics,
	// in target order, resolution failures included (in EventStart's
	// Summary every count is zero).
	Count int
	// Targets lists the targets, in order, as they were expanded.
	Targets []TargetInfo
	// Mode is the kind of ICMP socket used (Unprivileged or Privileged);
	// Auto when no socket was opened.
	Mode Mode
	// Size is the number of data bytes in each echo request.
	Size int
	// Start is when the first probe was sent; Elapsed the time from then
	// to the last request sent or reply received (iputils' "time"; the
	// wait for probes that never answer is not in it).
	Start   time.Time
	Elapsed time.Duration
	// Interrupted is set when the run ended because its context was
	// cancelled (Ctrl-C) rather than by finishing or reaching its deadline.
	Interrupted bool

	// The hosts' statistics: a list (a copy of a run still going), or
	// computed host by host (the start's, and a finished run's from its
	// compact state: a /16's list would be 15 MB).
	hosts []HostStats
	host  func(i int) HostStats
	tally *tally
}

// SummaryOf returns a Summary of the given hosts' statistics.
func SummaryOf(hosts []HostStats) Summary {
	return Summary{Count: len(hosts), hosts: hosts, tally: new(tally)}
}

// Host returns the statistics of host i, 0 <= i < Count.
func (s *Summary) Host(i int) HostStats {
	if s.hosts != nil {
		return s.hosts[i]
	}
	return s.host(i)
}

// All yields every host's index and statistics, in target order.
func (s *Summary) All() iter.Seq2[int, HostStats] {
	return func(yield func(int, HostStats) bool) {
		for i := range s.Count {
			if !yield(i, s.Host(i)) {
				return
			}
		}
	}
}

// Total adds up every host's counts and RTT statistics.
func (s *Summary) Total() HostStats { return s.tallied().total }

// Alive returns how many hosts answered, and how many were pinged (hosts
// whose name did not resolve are left out of both).
func (s *Summary) Alive() (alive, pinged int) {
	t := s.tallied()
	return t.alive, t.pinged
}

// ResolveFailures returns how many hosts' names did not resolve.
func (s *Summary) ResolveFailures() int { return s.tallied().unresolved }

// tally is what Total, Alive and ResolveFailures report, added up in one
// pass over the hosts the first time one of them is asked (copies of a
// Summary share it).
type tally struct {
	once                      sync.Once
	total                     HostStats
	alive, pinged, unresolved int
}

// tallied returns the summary's tally, adding it up if need be.
func (s *Summary) tallied() *tally {
	t := s.tally
	if t == nil {
		t = new(tally)
	}
	t.once.Do(func() {
		for _, h := range s.All() {
			t.total.add(&h)
			switch {
			case h.ResolveErr != "":
				t.unresolved++
			case h.Alive():
				t.alive++
				t.pinged++
			default:
				t.pinged++
			}
		}
	})
	return t
}
