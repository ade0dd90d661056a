package scan

import "time"

// timing estimates the path's round trip from the answers and derives from
// it how long each connection attempt waits, as TCP derives its
// retransmission timeout (RFC 6298): rto = srtt + 4·rttvar.
//
//   - A port's last attempt waits the --timeout, so a port reads filtered
//     only after an attempt that waited that long went unanswered. When the
//     round trip comes close to the timeout (2·rto above it), or a retry is
//     answered later than the attempt before it had waited (the timeout was
//     too short for that answer, not the answer lost), the last attempt
//     waits longer: twice the rto or twice the late answer's time, up to
//     timeoutLimit.
//   - Earlier attempts wait rto (at least minWait), doubling with each try,
//     never longer than the last attempt: a lost SYN costs a round trip or
//     two instead of a whole timeout, and slots in flight are not held by
//     probes that are long dead. Until the first answer gives a round trip,
//     every attempt waits the timeout.
type timing struct {
	timeout      time.Duration // Options.Timeout
	limit        time.Duration // the most the last attempt's wait is raised to
	srtt, rttvar time.Duration // zero until the first sample
	raised       time.Duration // the last attempt's wait as late answers raised it
	lateMax      time.Duration // the slowest late answer
}

const (
	// minWait is the shortest an attempt that is not a port's last waits:
	// the round trip on loopback is microseconds, but a loaded machine can
	// take milliseconds to process an answer.
	minWait = 20 * time.Millisecond
	// synRetransmit is when Linux first sends a SYN again (TCP_TIMEOUT_INIT).
	// An answer that took longer answered a retransmitted SYN: the first
	// one was lost, and the time is no round trip.
	synRetransmit = time.Second
)

func newTiming(timeout time.Duration) timing {
	return timing{timeout: timeout, limit: max(timeout, DefaultTimeout)}
}

// sample records the round-trip time of an answer.
func (t *timing) sample(rtt time.Duration) {
	if t.srtt == 0 {
		t.srtt, t.rttvar = max(rtt, time.Nanosecond), rtt/2
		return
	}
	d := t.srtt - rtt
	if d < 0 {
		d = -d
	}
	t.rttvar += (d - t.rttvar) / 4
	t.srtt += (rtt - t.srtt) / 8
}

// rto is the retransmission timeout the samples give (0 before any).
func (t *timing) rto() time.Duration { return t.srtt + 4*t.rttvar }

// late records an answer that took rtt, longer than an earlier attempt of
// the same port had waited: that attempt's timeout was too short.
func (t *timing) late(rtt time.Duration) {
	t.lateMax = max(t.lateMax, rtt)
	t.raised = max(t.raised, min(t.limit, 2*rtt))
}

// raisedAbove returns the longest a last attempt waits now if that is more
// than the timeout, else 0.
func (t *timing) raisedAbove() time.Duration {
	if w := t.final(); w > t.timeout {
		return w
	}
	return 0
}

// final is how long a port's last attempt waits: the timeout, or longer
// when answers take nearly as long or longer.
func (t *timing) final() time.Duration {
	w := max(t.timeout, t.raised)
	if t.srtt > 0 {
		w = max(w, min(t.limit, 2*t.rto()))
	}
	return w
}

// wait returns how long attempt try waits; last is set for a port's last
// allowed attempt.
func (t *timing) wait(try int, last bool) time.Duration {
	w := t.final()
	if !last && t.srtt > 0 {
		w = min(w, max(minWait, t.rto())<<min(try-1, 20))
	}
	return w
}
