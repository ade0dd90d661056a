package ping

import (
	"cmp"
	"context"
	"net"

	"netdiag/diag/netaddr"
)

// expand turns the targets into the host list: every address of each
// prefix and range, and each name resolved to its first address of the
// family asked (a name that does not resolve becomes a host with
// ResolveErr set, so a sweep goes on without it). It returns the error of
// the first name that failed, for callers pinging one host.
func expand(ctx context.Context, r *net.Resolver, targets []netaddr.Target, fam netaddr.Family) ([]*host, error) {
	resolved, err := netaddr.ResolveTargets(ctx, r, targets, fam)
	if err != nil {
		return nil, err
	}
	var hosts []*host
	var firstErr error
	add := func(h *host) {
		h.Index = len(hosts)
		hosts = append(hosts, h)
	}
	for _, t := range resolved {
		switch {
		case t.Err != nil:
			add(&host{HostStats: HostStats{Target: t.Target.Input, Name: t.Name(), ResolveErr: t.Err.Error()}})
			firstErr = cmp.Or(firstErr, t.Err)
		case t.Target.IsSweep():
			for a := range t.Target.Range.All() {
				add(&host{HostStats: HostStats{Target: t.Target.Input, Addr: a}})
			}
		default:
			add(&host{HostStats: HostStats{Target: t.Target.Input, Name: t.Name(), Addr: t.Addrs[0], OtherAddrs: t.Addrs[1:]}})
		}
	}
	return hosts, firstErr
}
