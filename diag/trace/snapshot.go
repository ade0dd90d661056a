package trace

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"slices"
	"strings"
)

// lookupLocked starts the reverse lookup of a new responder.
func (e *engine) lookupLocked(a netip.Addr) {
	if e.opt.Numeric {
		return
	}
	if _, ok := e.names[a]; ok {
		return
	}
	e.names[a] = ""
	r := e.opt.Resolver
	if r == nil {
		r = net.DefaultResolver
	}
	e.lookups.Go(func() {
		ctx, cancel := context.WithTimeout(e.nameCtx, nameTimeout)
		defer cancel()
		names, err := r.LookupAddr(ctx, a.String())
		if err != nil || len(names) == 0 {
			return
		}
		e.mu.Lock()
		defer e.mu.Unlock()
		e.names[a] = strings.TrimSuffix(names[0], ".")
		if !e.stopped {
			e.emitLocked(Event{Kind: EventName})
		}
	})
}

func (e *engine) emitLocked(ev Event) {
	ev.Result = e.snapshotLocked()
	e.emit(ev)
}

// lastRowLocked is the report's last TTL: the destination's or the
// unreachable hop's, else one past the last hop that answered (as mtr
// shows a path that goes dark), within MaxHops.
func (e *engine) lastRowLocked() int {
	if e.endFound {
		return e.end
	}
	last := e.opt.FirstHop - 1
	for t := e.opt.FirstHop; t <= e.opt.MaxHops; t++ {
		if h := e.hops[t]; h != nil && h.Received > 0 {
			last = t
		}
	}
	return min(last+1, e.opt.MaxHops)
}

// snapshotLocked returns the report as it stands.
func (e *engine) snapshotLocked() Result {
	res := e.res
	res.Reached = e.reached
	last := e.lastRowLocked()
	for t := e.opt.FirstHop; t <= last; t++ {
		h := Hop{TTL: t}
		if s := e.hops[t]; s != nil {
			h = s.Hop
			h.Responders = slices.Clone(s.Responders)
			for i := range h.Responders {
				h.Responders[i].Name = e.names[h.Responders[i].Addr]
			}
			h.rtt.fill(&h)
		}
		res.Sent += h.Sent
		res.Received += h.Received
		res.Hops = append(res.Hops, h)
	}
	annotate(res.Hops)
	if e.opt.MTU {
		res.MTUDrops = slices.Clone(e.drops)
		if h, ok := res.LastAnswered(); ok {
			res.PathMTU = h.MTU
		}
	}
	return res
}

// errorText is err's system message without Go's operation prefixes.
func errorText(err error) string {
	for inner := errors.Unwrap(err); inner != nil; inner = errors.Unwrap(err) {
		err = inner
	}
	return err.Error()
}
