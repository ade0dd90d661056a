package ping

import "time"

// readyQueue holds the hosts with probes left to send, by when the next is
// due, then by index. Hosts not probed yet are not in it one by one: they
// are due in index order (Options.Spread staggers them by index), so a
// cursor walks them; only hosts sent to again (an Interval, a retry) are in
// its heap.
type readyQueue struct {
	hosts  []host
	spread time.Duration
	cursor int     // the next host not probed yet
	heap   []int32 // host indexes
}

// init starts the cursor at the first host to probe.
func (q *readyQueue) init(e *engine) {
	q.hosts, q.spread, q.cursor = e.hosts, e.opt.Spread, 0
	q.skip()
}

// skip moves the cursor past hosts with nothing to send.
func (q *readyQueue) skip() {
	for q.cursor < len(q.hosts) && !q.hosts[q.cursor].sending {
		q.cursor++
	}
}

// firstDue is when host i's first probe is due, after the epoch.
func (q *readyQueue) firstDue(i int) time.Duration {
	if q.spread <= 0 {
		return 0
	}
	return q.spread * time.Duration(i) / time.Duration(len(q.hosts))
}

// peek returns the host whose probe is due first, and when.
func (q *readyQueue) peek() (i int, next time.Duration, ok bool) {
	if len(q.heap) > 0 {
		i, next, ok = int(q.heap[0]), q.hosts[q.heap[0]].next, true
	}
	if q.cursor < len(q.hosts) {
		if d := q.firstDue(q.cursor); !ok || d < next || d == next && q.cursor < i {
			return q.cursor, d, true
		}
	}
	return i, next, ok
}

// sent records that host i, the one peek returned, was sent a probe; with
// again, its next is due at next.
func (q *readyQueue) sent(i int, next time.Duration, again bool) {
	h := &q.hosts[i]
	if h.heapIdx < 0 { // the cursor's
		q.cursor++
		q.skip()
		if again {
			q.requeue(i, next)
		}
		return
	}
	if !again {
		q.remove(i)
		return
	}
	h.next = next
	q.down(int(h.heapIdx))
}

// requeue queues host i for a probe due at next.
func (q *readyQueue) requeue(i int, next time.Duration) {
	h := &q.hosts[i]
	h.next = next
	h.heapIdx = int32(len(q.heap))
	q.heap = append(q.heap, int32(i))
	q.up(int(h.heapIdx))
}

// remove takes host i out of the heap, if it is there.
func (q *readyQueue) remove(i int) {
	k := int(q.hosts[i].heapIdx)
	if k < 0 {
		q.skip() // it may be the cursor's, not probed yet

		return
	}
	last := len(q.heap) - 1
	q.swap(k, last)
	q.heap = q.heap[:last]
	q.hosts[i].heapIdx = -1
	if k < last {
		q.down(k)
		q.up(k)
	}
}

func (q *readyQueue) less(a, b int) bool {
	ha, hb := q.heap[a], q.heap[b]
	na, nb := q.hosts[ha].next, q.hosts[hb].next
	return na < nb || na == nb && ha < hb
}

func (q *readyQueue) swap(a, b int) {
	q.heap[a], q.heap[b] = q.heap[b], q.heap[a]
	q.hosts[q.heap[a]].heapIdx, q.hosts[q.heap[b]].heapIdx = int32(a), int32(b)
}

func (q *readyQueue) up(k int) {
	for k > 0 {
		p := (k - 1) / 2
		if !q.less(k, p) {
			return
		}
		q.swap(k, p)
		k = p
	}
}

func (q *readyQueue) down(k int) {
	n := len(q.heap)
	for {
		c := 2*k + 1
		if c >= n {
			return
		}
		if c+1 < n && q.less(c+1, c) {
			c++
		}
		if !q.less(c, k) {
			return
		}
		q.swap(k, c)
		k = c
	}
}

// expiryQueue holds the probes in flight, soonest deadline first, then by
// the order they were sent. A probe's deadline is its send time plus the
// timeout of its retry level, so within one level deadlines come in send
// order: one FIFO per level, and the soonest is at the head of one of the
// few.
type expiryQueue struct {
	levels []fifo
}

// expiryEntry names a probe in flight: its slot, and its order to tell it
// from a later probe in the same slot.
type expiryEntry struct {
	deadline time.Duration
	order    uint64
	seq      uint16
	v6       bool
}

type fifo struct {
	q    []expiryEntry
	head int
}

// push queues a probe sent at retry level level.
func (x *expiryQueue) push(level int, ent expiryEntry) {
	for len(x.levels) <= level {
		x.levels = append(x.levels, fifo{})
	}
	x.levels[level].q = append(x.levels[level].q, ent)
}

// head returns the level whose head has the soonest deadline, or -1.
func (x *expiryQueue) head() int {
	best := -1
	var b *expiryEntry
	for l := range x.levels {
		f := &x.levels[l]
		if f.head == len(f.q) {
			continue
		}
		ent := &f.q[f.head]
		if b == nil || ent.deadline < b.deadline || ent.deadline == b.deadline && ent.order < b.order {
			best, b = l, ent
		}
	}
	return best
}

// peek returns the entry with the soonest deadline.
func (x *expiryQueue) peek() (expiryEntry, bool) {
	l := x.head()
	if l < 0 {
		return expiryEntry{}, false
	}
	f := &x.levels[l]
	return f.q[f.head], true
}

// next returns the soonest deadline.
func (x *expiryQueue) next() (time.Duration, bool) {
	ent, ok := x.peek()
	return ent.deadline, ok
}

// pop drops the entry peek returns.
func (x *expiryQueue) pop() {
	l := x.head()
	if l < 0 {
		return
	}
	f := &x.levels[l]
	f.head++
	switch {
	case f.head == len(f.q):
		f.q, f.head = f.q[:0], 0
	case f.head >= 1024 && f.head*2 >= len(f.q):
		n := copy(f.q, f.q[f.head:])
		f.q, f.head = f.q[:n], 0
	}
}
