package ping

import (
	"net/netip"
	"time"

	"netdiag/diag/render"
)

// jsonPrinter prints one JSON object per line: "start", then "reply",
// "timeout", "error" and "stats" as they happen, a "host" line for each
// host when it is done (or at the end), and a final "summary". Times are
// RFC 3339 with nanoseconds; durations are milliseconds (render.Millis).
type jsonPrinter struct {
	*basePrinter
	done []bool // by host index: its "host" line is written
}

// jsonCounts are the counts and RTT statistics of a host or of the run.
type jsonCounts struct {
	Transmitted int            `json:"transmitted"`
	Received    int            `json:"received"`
	Duplicates  int            `json:"duplicates"`
	Late        int            `json:"late"`
	Errors      int            `json:"errors"`
	Lost        int            `json:"lost"`
	InFlight    int            `json:"in_flight"`
	LossPercent *float64       `json:"loss_percent"` // null while no probe is settled
	RTTMinMS    *render.Millis `json:"rtt_min_ms,omitempty"`
	RTTAvgMS    *render.Millis `json:"rtt_avg_ms,omitempty"`
	RTTMaxMS    *render.Millis `json:"rtt_max_ms,omitempty"`
	RTTMDevMS   *render.Millis `json:"rtt_mdev_ms,omitempty"`
}

func countsOf(h *HostStats) jsonCounts {
	c := jsonCounts{Transmitted: h.Sent, Received: h.Received, Duplicates: h.Duplicates,
		Late: h.Late, Errors: h.Errors, Lost: h.Lost, InFlight: h.InFlight}
	if loss, ok := h.Loss(); ok {
		c.LossPercent = &loss
	}
	if h.rttN > 0 {
		c.RTTMinMS, c.RTTAvgMS, c.RTTMaxMS, c.RTTMDevMS = msp(h.RTTMin), msp(h.RTTAvg), msp(h.RTTMax), msp(h.RTTMDev)
	}
	return c
}

func msp(d time.Duration) *render.Millis {
	m := render.Millis(d)
	return &m
}

type jsonHostRef struct {
	Target string     `json:"target"`
	Name   string     `json:"name,omitempty"`
	Addr   netip.Addr `json:"addr,omitzero"` // none when the name did not resolve
}

func refOf(h *HostStats) jsonHostRef { return jsonHostRef{h.Target, h.Name, h.Addr} }

type jsonStart struct {
	Type       string           `json:"type"`
	Time       time.Time        `json:"time"`
	Mode       string           `json:"mode"`
	DataBytes  int              `json:"data_bytes"`
	Hosts      int              `json:"hosts"`
	Host       *jsonHostRef     `json:"host,omitempty"` // when one host is pinged
	OtherAddr  []netip.Addr     `json:"other_addrs,omitempty"`
	Unresolved []jsonUnresolved `json:"unresolved,omitempty"`
}

type jsonUnresolved struct {
	Target string `json:"target"`
	Error  string `json:"error"`
}

type jsonReply struct {
	Type string    `json:"type"`
	Time time.Time `json:"time"`
	jsonHostRef
	Seq   int           `json:"seq"`
	From  netip.Addr    `json:"from"`
	Bytes int           `json:"bytes"`
	TTL   int           `json:"ttl,omitempty"`
	RTTMS render.Millis `json:"rtt_ms"`
	Dup   bool          `json:"dup"`
	Late  bool          `json:"late"`
}

type jsonTimeout struct {
	Type string    `json:"type"`
	Time time.Time `json:"time"`
	jsonHostRef
	Seq int `json:"seq"`
}

type jsonError struct {
	Type string    `json:"type"`
	Time time.Time `json:"time"`
	jsonHostRef
	*ProbeError
}

type jsonHost struct {
	Type string `json:"type"`
	jsonHostRef
	Alive      bool         `json:"alive"`
	OtherAddrs []netip.Addr `json:"other_addrs,omitempty"`
	ResolveErr string       `json:"resolve_error,omitempty"`
	jsonCounts
	LastError *ProbeError `json:"last_error,omitempty"`
}

type jsonSummary struct {
	Type        string    `json:"type"` // "summary", or "stats" for interim statistics
	Time        time.Time `json:"time"`
	Mode        string    `json:"mode"`
	Hosts       int       `json:"hosts"`
	Alive       int       `json:"alive"`
	Unreachable int       `json:"unreachable"`
	Unresolved  int       `json:"unresolved"`
	jsonCounts
	TimeMS      render.Millis `json:"time_ms"`
	Interrupted bool          `json:"interrupted"`
}

// event writes the event's line; a write error stays in p.out for finish.
func (p *jsonPrinter) event(ev Event) {
	h := &ev.Host
	switch ev.Kind {
	case EventStart:
		s := ev.Summary
		p.done = make([]bool, s.Count)
		st := jsonStart{Type: "start", Time: ev.Time, Mode: s.Mode.String(), DataBytes: s.Size, Hosts: s.Count}
		if s.Count == 1 {
			t := s.Targets[0]
			st.Host, st.OtherAddr = &jsonHostRef{t.Target, t.Name, t.Addr}, t.OtherAddrs
		}
		for _, t := range s.Targets {
			if t.ResolveErr != "" {
				st.Unresolved = append(st.Unresolved, jsonUnresolved{t.Target, t.ResolveErr})
			}
		}
		p.out.WriteJSON(st)
	case EventReply:
		p.out.WriteJSON(jsonReply{Type: "reply", Time: ev.Time, jsonHostRef: refOf(h), Seq: ev.Seq, From: ev.From,
			Bytes: ev.Bytes, TTL: max(ev.TTL, 0), RTTMS: render.Millis(ev.RTT), Dup: ev.Dup, Late: ev.Late})
	case EventTimeout:
		p.out.WriteJSON(jsonTimeout{Type: "timeout", Time: ev.Time, jsonHostRef: refOf(h), Seq: ev.Seq})
	case EventError:
		p.out.WriteJSON(jsonError{Type: "error", Time: ev.Time, jsonHostRef: refOf(h), ProbeError: ev.Error})
	case EventHostDone:
		p.host(h)
	case EventStats:
		p.out.WriteJSON(summaryOf("stats", ev.Time, ev.Summary))
	}
}

func (p *jsonPrinter) host(h *HostStats) {
	p.done[h.Index] = true
	p.out.WriteJSON(jsonHost{Type: "host", jsonHostRef: refOf(h), Alive: h.Alive(), OtherAddrs: h.OtherAddrs,
		ResolveErr: h.ResolveErr, jsonCounts: countsOf(h), LastError: h.LastError})
}

func (p *jsonPrinter) finish(s Summary) error {
	for i, h := range s.All() {
		if !p.done[i] {
			p.host(&h)
		}
	}
	p.out.WriteJSON(summaryOf("summary", time.Now(), &s))
	return p.out.Err()
}

func summaryOf(typ string, t time.Time, s *Summary) jsonSummary {
	tot := s.Total()
	alive, pinged := s.Alive()
	return jsonSummary{Type: typ, Time: t, Mode: s.Mode.String(), Hosts: s.Count, Alive: alive,
		Unreachable: pinged - alive, Unresolved: s.ResolveFailures(), jsonCounts: countsOf(&tot),
		TimeMS: render.Millis(s.Elapsed), Interrupted: s.Interrupted}
}
