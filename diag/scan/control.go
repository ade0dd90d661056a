package scan

import (
	"time"
)

// control decides how many probes may be in flight and how fast new ones
// may start: a TCP-like congestion window plus an adaptive rate cap. It is
// not safe for concurrent use; the scheduler calls it under its lock.
//
// The signals, as nmap reads them:
//   - an answer to a first attempt means the path keeps up: the window
//     grows (doubling per round trip below ssthresh, +1 per round trip above);
//   - an answer to a retry means the first attempt was lost, not filtered:
//     packet loss or a rate-limiting firewall. The window halves and new
//     probes are capped at 3/4 of the rate answers came back at over the
//     last second (at least halving the rate, at most to an eighth of it),
//     then allowed to grow again, e-fold per second;
//   - answers getting much slower (the smoothed round trip over half the
//     timeout and four times the fastest seen) means queues are filling:
//     the same cut;
//   - silence alone (an attempt timing out) never slows the scan down: that
//     is what a filtered port looks like. Until the first loss it even
//     opens the window as an answer does, since a firewall that drops
//     everything does not mind the pace; after one it changes nothing.
//
// One loss episode cuts once: a loss cuts only if its first attempt started
// after the previous cut, as in TCP's fast recovery.
type control struct {
	max, cwnd, ssthresh float64
	userRate            float64 // Options.Rate; 0 = none
	rateCap             float64 // adaptive cap; 0 = none yet
	nextSlot            time.Time
	lastCut             time.Time
	lastAnswer          time.Time // when the last answer came
	gaps                [8]gap    // the latest blackouts: no answer for over a timeout
	nGaps               int
	timeout             time.Duration
	minRTT, srtt        time.Duration
	maxAnsweredTry      int // the highest attempt number that got an answer
	retries             int // Options.Retries
	backoffs            int
	minWindow           int // the smallest window after a cut or shortage; 0 before any
	answers, starts     meter
}

const (
	// minRate is the lowest the adaptive rate cap goes, in probes per second.
	minRate = 10
	// rateSlack is how far behind its schedule a rate-capped scan may start
	// probes back to back to catch up.
	rateSlack = 10 * time.Millisecond
	// localPause is how long the scan waits after a local resource error
	// (out of file descriptors, ports or buffers) before trying again.
	localPause = 5 * time.Millisecond
)

func newControl(o Options, maxInFlight int) *control {
	c := &control{
		max:      float64(maxInFlight),
		ssthresh: float64(maxInFlight),
		userRate: o.Rate,
		timeout:  o.Timeout,
		retries:  o.Retries,
	}
	c.cwnd = max(1, min(c.max, max(4, c.max/4)))
	return c
}

// window returns how many probes may be in flight now.
func (c *control) window() int { return max(1, int(c.cwnd)) }

// rate returns the current cap on new probes per second (0: none).
func (c *control) rate() float64 {
	switch {
	case c.userRate > 0 && c.rateCap > 0:
		return min(c.userRate, c.rateCap)
	case c.userRate > 0:
		return c.userRate
	}
	return c.rateCap
}

// nextStart returns when the next probe may start (zero: now).
func (c *control) nextStart() time.Time {
	if c.rate() == 0 {
		return time.Time{}
	}
	return c.nextSlot
}

// started records that a probe starts at now.
func (c *control) started(now time.Time) {
	c.starts.add(now)
	if r := c.rate(); r > 0 {
		// Credit for at most rateSlack of idle time, so waking late (timers
		// under load) does not lower the rate, and idling does not build
		// up a burst.
		if earliest := now.Add(-rateSlack); c.nextSlot.Before(earliest) {
			c.nextSlot = earliest
		}
		c.nextSlot = c.nextSlot.Add(time.Duration(float64(time.Second) / r))
	}
}

// answered records an answer (open, closed, or an ICMP error) to attempt try
// of a probe whose first attempt started at firstSent.
func (c *control) answered(try int, firstSent time.Time, rtt time.Duration, now time.Time) {
	c.answers.add(now)
	if !c.lastAnswer.IsZero() && now.Sub(c.lastAnswer) > c.timeout {
		c.gaps[c.nGaps%len(c.gaps)] = gap{c.lastAnswer, now}
		c.nGaps++
	}
	c.lastAnswer = now
	c.maxAnsweredTry = max(c.maxAnsweredTry, try)
	slow := false
	if try == 1 && rtt > 0 {
		if c.minRTT == 0 || rtt < c.minRTT {
			c.minRTT = rtt
		}
		if c.srtt == 0 {
			c.srtt = rtt
		}
		c.srtt += (rtt - c.srtt) / 8
		slow = c.srtt > c.timeout/2 && c.srtt > 4*c.minRTT
	}
	if try > 1 || slow {
		c.cut(firstSent, now)
		return
	}
	if c.cwnd < c.ssthresh {
		c.cwnd++
	} else {
		c.cwnd += 1 / c.cwnd
	}
	c.cwnd = min(c.cwnd, c.max)
	if c.rateCap > 0 {
		c.rateCap++ // +1 per answer: the cap grows e-fold per second
	}
}

// gap is a time without any answer, between two answers.
type gap struct{ from, to time.Time }

// blackoutAt reports whether t fell in a blackout: a time without any
// answer for longer than the timeout (still going on, or between two
// answers), after answers came. from is when it began.
func (c *control) blackoutAt(t time.Time) (from time.Time, ok bool) {
	if c.lastAnswer.IsZero() {
		return time.Time{}, false
	}
	if c.lastAnswer.Before(t) {
		return c.lastAnswer, true // the silence since is at least a timeout long: t's attempt timed out in it
	}
	for i := range min(c.nGaps, len(c.gaps)) {
		if g := c.gaps[i]; g.from.Before(t) && t.Before(g.to) {
			return g.from, true
		}
	}
	return time.Time{}, false
}

// timedOut records an attempt that got no answer.
func (c *control) timedOut() {
	if c.backoffs == 0 {
		c.cwnd = min(c.cwnd+1, c.max)
	}
}

// cut is the multiplicative decrease for a loss seen at now.
func (c *control) cut(firstSent, now time.Time) {
	if !firstSent.After(c.lastCut) {
		return // the same episode as the last cut
	}
	c.lastCut = now
	c.backoffs++
	c.ssthresh = max(1, c.cwnd/2)
	c.cwnd = c.ssthresh
	c.noteWindow()
	// Cap new probes near the rate answers came at, but at least halve the
	// rate and never go below an eighth of it: a stall of this machine also
	// stops the answers, and must not leave the scan crawling afterwards.
	before := c.rateCap
	if before == 0 {
		before = c.starts.peak
	}
	c.rateCap = max(minRate, 0.75*c.answers.rate(now), before/8)
	if before > 0 {
		c.rateCap = max(minRate, min(c.rateCap, before/2))
	}
}

// localShortage records a local resource error (EMFILE, EADDRNOTAVAIL…)
// with inFlight probes outstanding: fewer at a time from now on.
func (c *control) localShortage(inFlight int) {
	c.cwnd = max(1, min(c.cwnd, float64(inFlight)*3/4))
	c.ssthresh = c.cwnd
	c.noteWindow()
}

// noteWindow records the window after a decrease.
func (c *control) noteWindow() {
	if c.minWindow == 0 || c.window() < c.minWindow {
		c.minWindow = c.window()
	}
}

// allowedTries is how many attempts a port that keeps timing out gets: one
// more than the highest attempt that ever got an answer, at least two, at
// most 1+Retries.
func (c *control) allowedTries() int {
	return min(1+c.retries, max(2, c.maxAnsweredTry+1))
}

// meter counts events over the last second in ten 100 ms buckets.
type meter struct {
	buckets [10]uint32
	head    int64 // the bucket number (time/100ms) of the newest bucket
	first   time.Time
	peak    float64 // the highest rate seen at the end of a bucket
}

const bucketLen = 100 * time.Millisecond

func (m *meter) advance(now time.Time) {
	if m.first.IsZero() {
		m.first = now
	}
	b := now.UnixNano() / int64(bucketLen)
	if b > m.head && m.head != 0 {
		m.peak = max(m.peak, m.sum()/max(bucketLen, min(time.Second, now.Sub(m.first))).Seconds())
	}
	if b-m.head >= int64(len(m.buckets)) {
		m.buckets = [10]uint32{}
	} else {
		for i := m.head + 1; i <= b; i++ {
			m.buckets[i%int64(len(m.buckets))] = 0
		}
	}
	m.head = max(m.head, b)
}

func (m *meter) add(now time.Time) {
	m.advance(now)
	m.buckets[m.head%int64(len(m.buckets))]++
}

// rate returns events per second over the last second (or since the first
// event, if that is more recent).
func (m *meter) rate(now time.Time) float64 {
	if m.first.IsZero() {
		return 0
	}
	m.advance(now)
	return m.sum() / max(bucketLen, min(time.Second, now.Sub(m.first))).Seconds()
}

// sum returns the events in the buckets.
func (m *meter) sum() float64 {
	var n uint32
	for _, v := range m.buckets {
		n += v
	}
	return float64(n)
}
