package ping

import (
	"cmp"
	"context"
	"errors"
	"net"

	"netdiag/diag/netaddr"
)

// expand turns the targets into the host list: every address of each
// prefix and range, and each name resolved to its first address of the
// family asked (a name that does not resolve becomes a host with
// ResolveErr set, so a sweep goes on without it). It returns the error of
// the first name that failed, for callers pinging one host.
func expand(ctx context.Context, r *net.Resolver, targets []netaddr.Target, fam netaddr.Family) ([]*host, error) {
	var hosts []*host
	var firstErr error
	add := func(h *host) {
		h.Index = len(hosts)
		hosts = append(hosts, h)
	}
	for _, t := range targets {
		if t.IsSweep() {
			if !fam.Matches(t.Range.First) {
				var err error = &netaddr.ResolveError{Host: t.Input, Family: fam, Err: errors.New("the range is of the other address family")}
				add(&host{HostStats: HostStats{Target: t.Input, ResolveErr: err.Error()}})
				firstErr = cmp.Or(firstErr, err)
				continue
			}
			for a := range t.Range.All() {
				add(&host{HostStats: HostStats{Target: t.Input, Addr: a}})
			}
			continue
		}
		addrs, err := netaddr.ResolveHost(ctx, r, t.Host, fam)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			add(&host{HostStats: HostStats{Target: t.Input, Name: t.Host.Name, ResolveErr: err.Error()}})
			firstErr = cmp.Or(firstErr, err)
			continue
		}
		add(&host{HostStats: HostStats{Target: t.Input, Name: t.Host.Name, Addr: addrs[0], OtherAddrs: addrs[1:]}})
	}
	return hosts, firstErr
}
