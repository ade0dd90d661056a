package scan

import (
	"math"
	"time"
)

// control decides how many probes may be in flight and how fast new ones
// may start: a TCP-like congestion window plus an adaptive rate cap. It is
// not safe for concurrent use; the scheduler calls it under its lock.
//
// The signals, as nmap reads them, with two corrections of its own:
//   - an answer to a first attempt means the path keeps up: the window
//     grows (doubling per round trip below ssthresh, +1 per round trip above);
//   - an answer to a retry, within what the attempt before it had waited,
//     means the attempts before it were lost, not filtered: packet loss or
//     a rate-limiting firewall. Lost attempts are counted over windows of
//     at least evalEvery and minSamples attempts. A window whose share of
//     lost attempts is clearly above the path's loss floor cuts: the window
//     halves and new probes are capped near the rate answers came back at;
//   - a cut is checked: if the share of lost attempts among probes sent
//     after it does not fall (see helped), the loss does not depend on the
//     rate (a lossy link drops a share of packets at any pace). The cut is
//     undone, if that share is at most maxFloor, and it becomes the loss
//     floor, which later windows are judged against. Retries recover such losses; slowing down would not;
//   - an answer that came later than its attempt waited (the timeout is
//     shorter than the round trip, or this machine was too busy to look)
//     is late, not lost: it changes nothing here (timing raises the wait);
//   - answers getting much slower (the smoothed round trip over half the
//     timeout, over queueDelay, and four times the fastest seen) means
//     queues are filling: a cut;
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
	maxAnsweredTry      int // the highest attempt number that got a timely answer
	retries             int // Options.Retries
	backoffs            int
	undone              int // cuts taken back: the loss did not fall with the rate
	minWindow           int // the smallest window after a cut or shortage; 0 before any
	answers, starts     meter

	// Loss accounting, by the time probes were first sent (epochs of
	// evalEvery, judged settle after they end, when their retries have had
	// time to be answered, so every epoch is measured alike): the path's
	// loss floor, and the cut being checked (checking: the loss share that
	// made it, and the window before it).
	epochs       [16]epoch
	epochBase    time.Time
	judged       int64 // epochs before this one have been judged
	carry        epoch // judged epochs too small to judge alone
	settle       time.Duration
	floor        float64
	checking     bool
	cutShare     float64
	cutThrough   float64
	beforeCut    struct{ cwnd, ssthresh float64 }
	beforeWindow int
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
	// evalEvery and minSamples make a loss window: at least this long and
	// this many answers.
	evalEvery  = 100 * time.Millisecond
	minSamples = 32
	// minLossRise is the least rise of the loss share over the floor that
	// cuts, whatever the sample size.
	minLossRise = 0.03
	// maxFloor is the most loss a path is believed to have at any rate: a
	// cut is undone only below it. Taking a rate limit for a lossy link
	// would cost wrong answers (ports read filtered), the other mistake
	// only time, so above this the cut stands, and the next may follow.
	maxFloor = 0.25
	// queueDelay is the least growth of the round trip read as queueing: a
	// busy machine's own scheduling delays reach milliseconds.
	queueDelay = 10 * time.Millisecond
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
// of a probe whose first attempt started at firstSent; late is set when it
// came after the wait of its attempt or of the one before.
func (c *control) answered(try int, firstSent time.Time, rtt time.Duration, late bool, now time.Time) {
	c.answers.add(now)
	if !c.lastAnswer.IsZero() && now.Sub(c.lastAnswer) > c.timeout {
		c.gaps[c.nGaps%len(c.gaps)] = gap{c.lastAnswer, now}
		c.nGaps++
	}
	c.lastAnswer = now
	if late {
		return
	}
	c.maxAnsweredTry = max(c.maxAnsweredTry, try)
	if try == 1 && rtt > 0 {
		if c.minRTT == 0 || rtt < c.minRTT {
			c.minRTT = rtt
		}
		if c.srtt == 0 {
			c.srtt = rtt
		}
		c.srtt += (rtt - c.srtt) / 8
		if c.srtt > c.timeout/2 && c.srtt > queueDelay && c.srtt > 4*c.minRTT {
			c.cut(firstSent, now, 0)
			return
		}
	}
	c.count(try, firstSent, now)
	if try > 1 {
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

// count adds a timely answer to attempt try to the epoch of its first
// attempt: try-1 attempts lost before it, one answered. Then it judges the
// epochs that have settled.
func (c *control) count(try int, firstSent, now time.Time) {
	if e := c.epoch(firstSent); e != nil {
		e.n += try
		e.lost += try - 1
	}
	for c.judge(now) {
	}
}

// attempt records an attempt sent at sent that ended (ok: answered in time).
func (c *control) attempt(sent time.Time, ok bool) {
	if e := c.epoch(sent); e != nil {
		e.sent++
		if ok {
			e.ok++
		}
	}
}

// unjudged reports whether probes first sent at t are yet to be judged for
// loss (false before any answer: a host that never answers is no loss).
func (c *control) unjudged(t time.Time) bool {
	return !c.epochBase.IsZero() && !t.Before(c.epochBase) && int64(t.Sub(c.epochBase)/evalEvery) >= c.judged
}

// epoch returns the epoch of t, or nil if it was judged already.
func (c *control) epoch(t time.Time) *epoch {
	if c.epochBase.IsZero() {
		c.epochBase = t
	}
	k := int64(t.Sub(c.epochBase) / evalEvery)
	if t.Before(c.epochBase) || k < c.judged || k >= c.judged+int64(len(c.epochs)) {
		return nil
	}
	e := &c.epochs[k%int64(len(c.epochs))]
	if e.num != k {
		*e = epoch{num: k}
	}
	return e
}

// judge judges the oldest epoch not yet judged if it has settled, and
// reports whether it did. An epoch with fewer than minSamples attempts is
// carried on to the next; one that began before the last cut is skipped.
//
// Two measures: the share of lost attempts among the probes that were
// answered in the end says whether there is loss at all (filtered ports do
// not count, as they never answer); the share of all attempts answered in
// time says whether a cut helped. Censored alike before and after a cut,
// it rises after one only if the loss fell with the rate.
func (c *control) judge(now time.Time) bool {
	k := c.judged
	from := c.epochBase.Add(time.Duration(k) * evalEvery)
	if now.Before(from.Add(evalEvery + max(evalEvery, c.settle))) {
		return false
	}
	c.judged++
	e := c.epochs[k%int64(len(c.epochs))]
	if e.num != k {
		e = epoch{}
	}
	if !from.After(c.lastCut) {
		c.carry = epoch{}
		return true
	}
	c.carry.n += e.n
	c.carry.lost += e.lost
	c.carry.sent += e.sent
	c.carry.ok += e.ok
	if c.carry.n < minSamples || c.carry.sent < minSamples {
		return true
	}
	e, c.carry = c.carry, epoch{}
	share, through := float64(e.lost)/float64(e.n), float64(e.ok)/float64(e.sent)
	switch {
	case c.checking && !c.helped(through, e.sent) && share <= maxFloor:
		c.checking = false
		c.undo(share) // slower did not lose less: the path's own loss
	case share > c.floor+c.rise(e.n):
		// Loss above the floor, or a cut that helped but not enough: cut.
		c.cutThrough = through
		c.cut(from, now, share)
	case c.checking:
		c.checking = false // the cut helped, and the loss is down to the floor
	default:
		c.floor += (share - c.floor) / 8 // follow the floor as it drifts
	}
	return true
}

// helped reports whether the share of attempts answered in time after a
// cut, over n attempts, is clearly above the one before it (cutThrough):
// by more than chance, and by a third of what was missing, or by a quarter
// where nearly everything was lost (a rate limit far exceeded). Where loss
// does not depend on the rate the two shares are alike; where the cut
// relieved a rate limit or a queue, more gets through.
func (c *control) helped(through float64, n int) bool {
	gain := through - c.cutThrough
	noise := 3 * math.Sqrt(max(through*(1-through), 0.01)/float64(n))
	return gain > noise && (gain > (1-c.cutThrough)/3 || through > 1.25*c.cutThrough)
}

// rise is how far above the floor a loss share over n attempts must be to
// mean more than chance: three standard deviations, at least minLossRise.
func (c *control) rise(n int) float64 {
	p := max(c.floor, 0.01)
	return max(minLossRise, 3*math.Sqrt(p*(1-p)/float64(n)))
}

// undo takes back the last cut, whose probes lost share, no fewer than
// before it: share becomes the loss floor, the window is restored, and the
// rate cap, left where the cut put it, grows back as answers come.
func (c *control) undo(share float64) {
	c.floor = max(c.floor, min(share, c.cutShare))
	c.cwnd, c.ssthresh = c.beforeCut.cwnd, c.beforeCut.ssthresh
	c.minWindow = c.beforeWindow
	c.backoffs--
	c.undone++
}

// epoch counts what was sent in one evalEvery: the attempts of the probes
// first sent then that were answered in the end, and how many of those
// attempts were lost (n, lost); and all attempts sent then, and how many
// of them were answered in time (sent, ok).
type epoch struct {
	num      int64
	n, lost  int
	sent, ok int
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

// cut is the multiplicative decrease for a loss seen at now; share is the
// loss share that made it (0: slower answers), and a cut for loss is
// checked by the windows after it.
func (c *control) cut(firstSent, now time.Time, share float64) {
	if !firstSent.After(c.lastCut) {
		return // the same episode as the last cut
	}
	c.beforeCut.cwnd, c.beforeCut.ssthresh = c.cwnd, c.ssthresh
	c.beforeWindow = c.minWindow
	c.checking, c.cutShare = share > 0, share
	c.lastCut = now
	c.backoffs++
	c.ssthresh = max(1, c.cwnd/2)
	c.cwnd = c.ssthresh
	c.noteWindow()
	// Cap new probes near the rate that gets through, but at least halve
	// the rate. For loss, that is the rate times the share of attempts
	// answered in time; for slower answers, three quarters of the rate
	// answers came at, never below an eighth of the rate: a stall of this
	// machine also stops the answers, and must not leave the scan crawling
	// afterwards.
	before := c.rateCap
	if before == 0 {
		before = c.starts.peak
	}
	if share > 0 {
		c.rateCap = max(0.75*c.answers.rate(now), before*c.cutThrough)
	} else {
		c.rateCap = max(0.75*c.answers.rate(now), before/8)
	}
	if before > 0 {
		c.rateCap = min(c.rateCap, before/2)
	}
	c.rateCap = max(minRate, c.rateCap)
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
