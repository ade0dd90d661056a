package ping

import (
	"cmp"
	"context"
	"net"
	"net/netip"

	"netdiag/diag/netaddr"
)

// segment is the hosts one target gave: every address of a prefix or
// range, or a name's first address (or its resolution error). Hosts keep
// no address or target of their own: they are computed from here.
type segment struct {
	first, n   int           // the hosts' indexes: first to first+n-1
	target     string        // the argument, as given
	name       string        // the host name resolved, if any
	addrs      netaddr.Range // the addresses, host first's first
	other      []netip.Addr  // a name's other addresses, not pinged
	resolveErr string        // why the name did not resolve; no address then
}

// addr returns the address of host i, one of the segment's.
func (sg *segment) addr(i int) netip.Addr {
	if sg.resolveErr != "" {
		return netip.Addr{}
	}
	a, _ := sg.addrs.Nth(uint64(i - sg.first))
	return a
}

// expand turns the targets into segments of the host list: every address
// of each prefix and range, and each name resolved to its first address
// of the family asked (a name that does not resolve becomes a host with
// ResolveErr set, so a sweep goes on without it). It returns the segments,
// the number of hosts and the error of the first name that failed, for
// callers pinging one host.
func expand(ctx context.Context, r *net.Resolver, targets []netaddr.Target, fam netaddr.Family) ([]segment, int, error) {
	resolved, err := netaddr.ResolveTargets(ctx, r, targets, fam)
	if err != nil {
		return nil, 0, err
	}
	segs := make([]segment, 0, len(resolved))
	n := 0
	var firstErr error
	for _, t := range resolved {
		sg := segment{first: n, n: 1, target: t.Target.Input}
		switch {
		case t.Err != nil:
			sg.name, sg.resolveErr = t.Name(), t.Err.Error()
			firstErr = cmp.Or(firstErr, t.Err)
		case t.Target.IsSweep():
			sg.addrs, sg.n = t.Target.Range, int(t.Target.Range.Len())
		default:
			sg.name, sg.addrs, sg.other = t.Name(), netaddr.Range{First: t.Addrs[0], Last: t.Addrs[0]}, t.Addrs[1:]
		}
		if sg.n == 0 {
			continue
		}
		segs = append(segs, sg)
		n += sg.n
	}
	return segs, n, firstErr
}
