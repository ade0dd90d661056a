package ping

import (
	"cmp"
	"context"
	"errors"
	"net/netip"
	"time"

	"netdiag/diag/exitcode"
	"netdiag/diag/netaddr"
)

// ProbeOptions says how Probe pings. Zero fields take the defaults noted.
type ProbeOptions struct {
	// Count is the number of echo requests; 0 means 3.
	Count int
	// Interval is the time between them; 0 means 200 ms.
	Interval time.Duration
	// Timeout is how long each waits for its reply; 0 means 1 s.
	Timeout time.Duration
	// Size is the number of data bytes; 0 means DefaultSize (56).
	Size int
	// TTL is the IPv4 TTL or IPv6 hop limit; 0 means the system default.
	TTL int
	// Mode picks the kind of ICMP socket; Auto (the zero value) tries
	// unprivileged first, then raw.
	Mode Mode
}

// Probe pings one address a few times and returns what it found: sent,
// received and lost counts, RTT statistics, and the last ICMP error
// (unreachable, time exceeded) if any came. It is the building block for
// other commands ("check"); "netdiag ping" itself uses Run.
//
// Probe returns when every request is answered or timed out, or when ctx
// is done (its deadline bounds the whole probe): requests still in flight
// then are counted in InFlight, not as lost. A host that does not answer
// is a result (Received == 0, Lost > 0), not an error. Errors are for
// what kept Probe from pinging: a *PermissionError when the process may
// open no ICMP socket (its message names the fixes), an *OptionError for
// bad options, or the socket error. When ctx is cancelled midway, Probe
// returns the statistics so far and no error.
func Probe(ctx context.Context, addr netip.Addr, opt ProbeOptions) (HostStats, error) {
	if !addr.IsValid() {
		return HostStats{}, exitcode.Optionf("ping.Probe: no address")
	}
	o := Options{
		Targets:  []netaddr.Target{{Input: addr.String(), Host: netaddr.Host{Addr: addr}}},
		Count:    cmp.Or(opt.Count, 3),
		Interval: cmp.Or(opt.Interval, 200*time.Millisecond),
		Timeout:  cmp.Or(opt.Timeout, time.Second),
		Size:     cmp.Or(opt.Size, DefaultSize),
		TTL:      opt.TTL,
		Mode:     opt.Mode,
	}
	s, err := Run(ctx, o, nil)
	if err != nil && !(errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return HostStats{}, err
	}
	if s.Count == 0 {
		return HostStats{Target: addr.String(), Addr: addr}, nil
	}
	return s.Host(0), nil
}
