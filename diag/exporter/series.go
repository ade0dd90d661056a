package exporter

import (
	"math/bits"
	"sort"
	"sync"
	"time"

	"netdiag/diag/check"
)

// DefaultBuckets are the latency histogram's upper bounds in seconds:
// smokeping_prober's, 50 µs doubling twenty times up to 26.2 s
// (prometheus.ExponentialBuckets(0.00005, 2, 20)).
var DefaultBuckets = []float64{5e-05, 0.0001, 0.0002, 0.0004, 0.0008, 0.0016, 0.0032, 0.0064, 0.0128,
	0.0256, 0.0512, 0.1024, 0.2048, 0.4096, 0.8192, 1.6384, 3.2768, 6.5536, 13.1072, 26.2144}

// The failure reasons each prober counts, in the order they are exported.
// Every one is exported from the start, at 0, so a target that begins
// to fail changes a value rather than adding a series.
var reasons = map[Prober][]string{
	ICMP: {"timeout", "icmp_error"},
	TCP:  {"refused", "timeout", "unreachable", "error"},
	DNS: {string(check.DNSTimeout), string(check.DNSPortClosed), string(check.DNSServFail), string(check.DNSRefused),
		string(check.DNSNXDomain), string(check.DNSNoData), string(check.DNSBadAnswer), string(check.Unreachable), string(check.SystemError)},
}

// reasonIndex returns the position of reason among p's reasons; an unknown
// one counts as the last (a generic "error").
func reasonIndex(p Prober, reason string) int {
	for i, r := range reasons[p] {
		if r == reason {
			return i
		}
	}
	return len(reasons[p]) - 1
}

// recentProbes is how many of the latest probes the loss on the root page
// is reckoned over.
const recentProbes = 64

// histogram counts observations in buckets, as a Prometheus histogram.
type histogram struct {
	bounds []float64 // upper bounds, ascending
	counts []uint64  // per bucket, not cumulative; the last is +Inf
	sum    float64
	count  uint64
}

func newHistogram(bounds []float64) histogram {
	return histogram{bounds: bounds, counts: make([]uint64, len(bounds)+1)}
}

// observe adds v (seconds) to the bucket whose bound is the first at or
// above it.
func (h *histogram) observe(v float64) {
	h.counts[sort.SearchFloat64s(h.bounds, v)]++
	h.sum += v
	h.count++
}

// cumulative returns the count at or below each bound, as
// prometheus.NewConstHistogram takes them.
func (h *histogram) cumulative() map[float64]uint64 {
	m := make(map[float64]uint64, len(h.bounds))
	var n uint64
	for i, b := range h.bounds {
		n += h.counts[i]
		m[b] = n
	}
	return m
}

// series is one target's measurements. Its prober writes them and the
// collector and the root page read them, each under mu.
type series struct {
	t      Target
	values []string // label values, in the order of the target's prober's label names

	mu         sync.Mutex
	requests   uint64
	failures   []uint64 // by reasons[t.Mod.Prober]
	duplicates uint64
	sendErrors uint64
	ttl        int // the last reply's TTL; 0 before one came, as smokeping_prober has it
	hist       histogram
	recent     uint64 // the latest probes' outcomes, a bit each, 1 for a failure, newest lowest
	nRecent    int
	lastRTT    time.Duration
	ewmaRTT    time.Duration

	// The ICMP prober's bookkeeping: requests counted before the current
	// ping run, and the run's error count seen so far.
	runBase   uint64
	runErrors int
}

func newSeries(t Target, buckets []float64) *series {
	return &series{t: t, failures: make([]uint64, len(reasons[t.Mod.Prober])), hist: newHistogram(buckets)}
}

// carry takes over old's measurements: a target that stays through a
// reload keeps its counters. Both must be of the same target.
func (s *series) carry(old *series) {
	old.mu.Lock()
	defer old.mu.Unlock()
	s.requests, s.duplicates, s.sendErrors, s.ttl = old.requests, old.duplicates, old.sendErrors, old.ttl
	copy(s.failures, old.failures)
	copy(s.hist.counts, old.hist.counts)
	s.hist.sum, s.hist.count = old.hist.sum, old.hist.count
	s.recent, s.nRecent, s.lastRTT, s.ewmaRTT = old.recent, old.nRecent, old.lastRTT, old.ewmaRTT
}

// successLocked records a probe answered in rtt.
func (s *series) successLocked(rtt time.Duration) {
	s.hist.observe(rtt.Seconds())
	s.lastRTT = rtt
	if s.ewmaRTT == 0 {
		s.ewmaRTT = rtt
	} else {
		s.ewmaRTT += (rtt - s.ewmaRTT) / 8
	}
	s.remember(false)
}

// failureLocked records a probe that failed for reason.
func (s *series) failureLocked(reason string) {
	s.failures[reasonIndex(s.t.Mod.Prober, reason)]++
	s.remember(true)
}

// remember adds an outcome to the recent ones.
func (s *series) remember(failed bool) {
	s.recent <<= 1
	if failed {
		s.recent |= 1
	}
	s.nRecent = min(s.nRecent+1, recentProbes)
}

// probed records one probe of a TCP or DNS target: a success when reason
// is empty, else a failure.
func (s *series) probed(rtt time.Duration, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	if reason == "" {
		s.successLocked(rtt)
	} else {
		s.failureLocked(reason)
	}
}

// Status is a target's state for the root page.
type Status struct {
	Target
	Requests uint64
	// Loss is the percentage of the latest Recent probes that failed.
	Loss   float64
	Recent int
	// LastRTT is the latest success's time, AvgRTT a moving average
	// (weight 1/8).
	LastRTT, AvgRTT time.Duration
}

// status returns the target's state.
func (s *series) status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Status{Target: s.t, Requests: s.requests, Recent: s.nRecent, LastRTT: s.lastRTT, AvgRTT: s.ewmaRTT}
	if s.nRecent > 0 {
		mask := ^uint64(0)
		if s.nRecent < 64 {
			mask = 1<<s.nRecent - 1
		}
		st.Loss = float64(bits.OnesCount64(s.recent&mask)) * 100 / float64(s.nRecent)
	}
	return st
}
