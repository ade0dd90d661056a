package exporter

import (
	"context"
	"net"
	"net/netip"
	"time"

	"netdiag/diag/check"
	"netdiag/diag/netaddr"
	"netdiag/diag/ping"
)

// pingGroup pings targets that share their interval, timeout, size and
// source in one ping.Run: one ICMP socket per address family, however
// many targets. It returns when ctx is cancelled or the run fails; started
// receives nil once the sockets are open, or the error that kept the run
// from starting.
//
// The first round of echo requests is spread over the interval (ping's
// Spread), so the targets are pinged in turn rather than in one burst; as
// each target's next request is due an interval after its last, the
// spread holds from then on, as smokeping_prober's start-up splay does.
func pingGroup(ctx context.Context, group []*series, mode ping.Mode, started chan<- error) (ping.Summary, error) {
	t0 := group[0].t
	opt := ping.Options{Interval: t0.Interval, Timeout: t0.Timeout, Size: t0.Mod.Size, Source: t0.Mod.Source.Addr, Mode: mode,
		Spread: t0.Interval}
	for _, s := range group {
		opt.Targets = append(opt.Targets, netaddr.Target{Input: s.t.Addr.String(), Host: netaddr.Host{Addr: s.t.Addr}})
		s.mu.Lock()
		s.runBase, s.runErrors = s.requests, 0
		s.mu.Unlock()
	}
	sum, err := ping.Run(ctx, opt, func(ev ping.Event) {
		if ev.Kind == ping.EventStart {
			started <- nil
			started = nil
			return
		}
		if ev.Kind == ping.EventStats {
			return
		}
		s := group[ev.Host.Index]
		s.mu.Lock()
		s.icmpEvent(&ev)
		s.mu.Unlock()
	})
	for _, h := range sum.All() {
		s := group[h.Index]
		s.mu.Lock()
		s.requests = s.runBase + uint64(h.Sent)
		s.mu.Unlock()
	}
	if started != nil {
		started <- err
	}
	return sum, err
}

// icmpEvent counts one ping event; mu must be held. Every event carries
// the host's statistics, so the requests counter follows the engine's sent
// count (it lags a request by at most its round trip or timeout).
func (s *series) icmpEvent(ev *ping.Event) {
	s.requests = s.runBase + uint64(ev.Host.Sent)
	switch ev.Kind {
	case ping.EventReply:
		switch {
		case ev.Dup:
			s.duplicates++
		case ev.Late:
			// Already counted as a timeout.
		default:
			s.successLocked(ev.RTT)
			if ev.TTL >= 0 {
				s.ttl = ev.TTL
			}
		}
	case ping.EventTimeout:
		s.failureLocked("timeout")
	case ping.EventError:
		// An error about a probe already settled is reported again but
		// was counted once: only a rise of the error count is new.
		if ev.Host.Errors > s.runErrors {
			s.runErrors = ev.Host.Errors
			s.failureLocked("icmp_error")
			if ev.Error != nil && ev.Error.ICMPType < 0 {
				s.sendErrors++
			}
		}
	}
}

// nextSlot returns the first probe time after now on the grid start +
// k·interval: a probe that overran its interval skips the slots it missed
// rather than bunching up.
func nextSlot(start, now time.Time, interval time.Duration) time.Time {
	if now.Before(start) {
		return start
	}
	k := now.Sub(start)/interval + 1
	return start.Add(k * interval)
}

// every calls probe at start, start+interval, … until ctx is done, never
// two at once.
func every(ctx context.Context, start time.Time, interval time.Duration, probe func()) {
	t := time.NewTimer(time.Until(start))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		probe()
		t.Reset(time.Until(nextSlot(start, time.Now(), interval)))
	}
}

// dialFrom returns a dialer whose connections start from src (any local
// address when src is invalid).
func dialFrom(src netip.Addr) check.Dialer {
	return func(ctx context.Context, network, address string) (net.Conn, error) {
		var d net.Dialer
		if src.IsValid() {
			switch network {
			case "udp", "udp4", "udp6":
				d.LocalAddr = net.UDPAddrFromAddrPort(netip.AddrPortFrom(src, 0))
			default:
				d.LocalAddr = net.TCPAddrFromAddrPort(netip.AddrPortFrom(src, 0))
			}
		}
		return d.DialContext(ctx, network, address)
	}
}

// connectOnce opens a TCP connection to t within timeout: its handshake
// time, or why it failed ("refused", "timeout", "unreachable", "error").
func connectOnce(ctx context.Context, t *Target, timeout time.Duration) (time.Duration, string, *check.ConnectResult) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	r := check.Connect(ctx, dialFrom(t.Mod.Source.Addr), t.Addr, t.Port)
	if r.Outcome == "connected" {
		return time.Duration(r.Time), "", r
	}
	return 0, r.Outcome, r
}

// lookupOnce asks the resolver t for the module's name within timeout: the
// time until both answers came, or the problem ("timeout", "nxdomain"…).
func lookupOnce(ctx context.Context, t *Target, timeout time.Duration) (time.Duration, string, *check.ResolverResult) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	r := check.QueryResolver(ctx, dialFrom(t.Mod.Source.Addr), netip.AddrPortFrom(t.Addr, uint16(t.Port)), t.Mod.QueryName)
	if r.Status == check.OK {
		return time.Duration(r.Time), "", r
	}
	return 0, string(r.Problem), r
}

// probeLoop probes a TCP or DNS target every interval, its first probe
// at start, until ctx is done.
func probeLoop(ctx context.Context, s *series, start time.Time) {
	every(ctx, start, s.t.Interval, func() {
		var rtt time.Duration
		var reason string
		if s.t.Mod.Prober == TCP {
			rtt, reason, _ = connectOnce(ctx, &s.t, s.t.Timeout)
		} else {
			rtt, reason, _ = lookupOnce(ctx, &s.t, s.t.Timeout)
		}
		if ctx.Err() != nil {
			return // cut short by a reload or shutdown: not an outcome
		}
		s.probed(rtt, reason)
	})
}
