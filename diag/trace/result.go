package trace

import (
	"math"
	"net/netip"
	"strconv"
	"time"
)

// Result is what a trace found: the hops in order and whether the
// destination answered.
type Result struct {
	// Target is the host as given; Addr the address traced.
	Target string     `json:"target"`
	Addr   netip.Addr `json:"addr"`
	Method Method     `json:"method"`
	// Hops are the rows of the report, from FirstHop on: up to the
	// destination, the hop that answered "unreachable", or one past the
	// last hop that answered (as mtr shows them).
	Hops []Hop `json:"-"`
	// Reached is set when the destination answered.
	Reached bool `json:"reached"`
	// Sent counts every probe settled; Received those answered.
	Sent     int `json:"sent"`
	Received int `json:"received"`
	// Interface and InterfaceMTU are the interface probes left through and
	// its MTU, and
	// PathMTU the largest packet that made it to the last hop that
	// answered; MTUDrops lists where it shrank. MTU mode only.
	Interface    string    `json:"interface,omitempty"`
	InterfaceMTU int       `json:"interface_mtu,omitempty"`
	PathMTU      int       `json:"path_mtu,omitempty"`
	MTUDrops     []MTUDrop `json:"mtu_drops,omitempty"`
	// Elapsed is how long the trace took.
	Elapsed time.Duration `json:"-"`
	// Interrupted is set when the context ended the trace early; probes
	// in flight then are not counted.
	Interrupted bool `json:"interrupted"`
}

// LastAnswered returns the last hop of r that answered at all.
func (r *Result) LastAnswered() (Hop, bool) {
	for i := len(r.Hops) - 1; i >= 0; i-- {
		if r.Hops[i].Received > 0 {
			return r.Hops[i], true
		}
	}
	return Hop{}, false
}

// MTUDrop is a router that answered "fragmentation needed" or "packet too
// big": the link after it carries at most MTU bytes.
type MTUDrop struct {
	// Hop is the router's hop number, Addr its address.
	Hop  int        `json:"hop"`
	Addr netip.Addr `json:"addr"`
	// MTU is what the link after it carries.
	MTU int `json:"mtu"`
}

// Hop is one row of the report: a TTL and whatever answered probes sent
// with it.
type Hop struct {
	// TTL is the hop number.
	TTL int `json:"hop"`
	// Responders are who answered, in the order they first did; more than
	// one when routers share the load (ECMP) or the route changed.
	Responders []Responder `json:"responders"`
	// Sent counts the probes settled (answered or timed out); InFlight
	// those still waiting; Received those answered.
	Sent     int `json:"sent"`
	Received int `json:"received"`
	InFlight int `json:"-"`
	// Last, Avg, Best, Worst and StDev are the round trips of the answers
	// (StDev is the sample standard deviation, as mtr's); zero without
	// answers.
	Last  time.Duration `json:"-"`
	Avg   time.Duration `json:"-"`
	Best  time.Duration `json:"-"`
	Worst time.Duration `json:"-"`
	StDev time.Duration `json:"-"`
	// Mark is traceroute's mark for an ICMP unreachable answer: !H, !N,
	// !P, !X, !F, !S, or !<code> for the others.
	Mark string `json:"mark,omitempty"`
	// Destination is set on the row of the destination.
	Destination bool `json:"destination,omitempty"`
	// Note explains loss that is not loss (see the Note constants).
	Note Note `json:"note,omitempty"`
	// MTU is the largest probe this hop answered, in bytes (MTU mode).
	MTU int `json:"pmtu,omitempty"`
	// Error is the last local error sending a probe or about one ("no
	// route to host"), when there was one.
	Error string `json:"error,omitempty"`

	rtt rttStats
}

// Loss returns the percentage of settled probes not answered.
func (h *Hop) Loss() float64 {
	if h.Sent == 0 {
		return 0
	}
	return 100 * float64(h.Sent-h.Received) / float64(h.Sent)
}

// Addrs returns the responders' addresses.
func (h *Hop) Addrs() []netip.Addr {
	out := make([]netip.Addr, len(h.Responders))
	for i, r := range h.Responders {
		out[i] = r.Addr
	}
	return out
}

// Responder is one address that answered probes of a hop.
type Responder struct {
	Addr netip.Addr `json:"addr"`
	// Name is its reverse DNS name, when looked up and found.
	Name string `json:"name,omitempty"`
	// Received counts the answers it sent.
	Received int `json:"received"`
}

// Note explains a hop's loss.
type Note string

// The notes.
const (
	// RateLimited marks a hop that lost probes while a later hop lost
	// none: the router forwards everything but answers only some probes
	// addressed to it (ICMP rate limiting, which mtr's documentation
	// explains), so its loss is not loss on the path.
	RateLimited Note = "rate_limited"
	// Silent marks a hop that answered no probe while later hops did: the
	// router forwards traffic but does not answer (its ICMP replies are
	// filtered).
	Silent Note = "silent"
)

// Text returns the note in words, as the report prints it.
func (n Note) Text() string {
	switch n {
	case RateLimited:
		return "rate-limited replies, not loss"
	case Silent:
		return "no replies, but traffic passes"
	}
	return ""
}

// rttStats accumulates round trips; Welford's method keeps the variance
// exact over long runs.
type rttStats struct {
	n                 int
	last, best, worst time.Duration
	mean, m2          float64 // nanoseconds
}

func (s *rttStats) add(d time.Duration) {
	s.n++
	s.last = d
	if s.n == 1 || d < s.best {
		s.best = d
	}
	s.worst = max(s.worst, d)
	x := float64(d)
	delta := x - s.mean
	s.mean += delta / float64(s.n)
	s.m2 += delta * (x - s.mean)
}

// fill copies the statistics into h.
func (s *rttStats) fill(h *Hop) {
	if s.n == 0 {
		return
	}
	h.Last, h.Best, h.Worst = s.last, s.best, s.worst
	h.Avg = time.Duration(math.Round(s.mean))
	if s.n > 1 {
		h.StDev = time.Duration(math.Round(math.Sqrt(s.m2 / float64(s.n-1))))
	}
}

// annotate sets the Note of every row but the last: RateLimited for a hop
// with some loss and Silent for one without answers, when a later hop lost
// nothing (for Silent: answered at all).
func annotate(hops []Hop) {
	for i := range hops {
		h := &hops[i]
		h.Note = ""
		if h.Sent == 0 || h.Received == h.Sent {
			continue
		}
		for _, later := range hops[i+1:] {
			if later.Sent == 0 {
				continue
			}
			if h.Received > 0 && later.Received == later.Sent {
				h.Note = RateLimited
				break
			}
			if h.Received == 0 && later.Received > 0 {
				h.Note = Silent
				break
			}
		}
	}
}

// markOf returns traceroute's mark for an ICMP destination unreachable
// code (IPv4 type 3, IPv6 type 1).
func markOf(v6 bool, code int) string {
	if v6 {
		switch code {
		case 0:
			return "!N"
		case 1, 5, 6:
			return "!X"
		case 2:
			return "!S"
		case 3:
			return "!H"
		}
		return "!" + strconv.Itoa(code)
	}
	switch code {
	case 0, 6, 11:
		return "!N"
	case 1, 7, 12:
		return "!H"
	case 2:
		return "!P"
	case 4:
		return "!F"
	case 5:
		return "!S"
	case 9, 10, 13:
		return "!X"
	case 14:
		return "!V"
	case 15:
		return "!C"
	}
	return "!" + strconv.Itoa(code)
}
