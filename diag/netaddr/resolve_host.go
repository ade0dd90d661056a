package netaddr

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"sync"
)

// ResolveHost is Resolve with RFC 6761's special names answered locally:
// "invalid" and names under it fail at once with a *ResolveError, without a
// DNS query, as the RFC asks resolver libraries to do.
func ResolveHost(ctx context.Context, r *net.Resolver, h Host, fam Family) ([]netip.Addr, error) {
	if h.NeedsDNS() && IsInvalidDomain(h.Name) {
		return nil, &ResolveError{Host: h.Name, Family: fam,
			Err: errors.New("no such host (names under .invalid never resolve, RFC 6761)")}
	}
	return Resolve(ctx, r, h, fam)
}

// Resolved is a Target made concrete for probing: a prefix or range as it
// is, or a host's addresses. Err says why the target cannot be probed (a
// name that does not resolve, a range of the other family); the other
// targets are probed all the same.
type Resolved struct {
	Target Target
	Addrs  []netip.Addr // a host's addresses, the first one probed; nil for ranges and on error
	Err    error        // a *ResolveError, or nil
}

// Name returns the host name the target gave, or "".
func (r Resolved) Name() string { return r.Target.Host.Name }

// resolveWorkers bounds the names looked up at once.
const resolveWorkers = 8

// ResolveTargets is the one target expansion every command uses: it
// resolves each name with ResolveHost (several at once), checks prefixes
// and ranges against fam, and returns one Resolved per target, in order.
// A target that fails carries its own error and does not stop the others.
// The only error returned is ctx's, when it ends first.
func ResolveTargets(ctx context.Context, r *net.Resolver, targets []Target, fam Family) ([]Resolved, error) {
	out := make([]Resolved, len(targets))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(resolveWorkers, len(targets)) {
		wg.Go(func() {
			for i := range jobs {
				out[i] = resolveTarget(ctx, r, targets[i], fam)
			}
		})
	}
	for i := range targets {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return out, ctx.Err()
}

func resolveTarget(ctx context.Context, r *net.Resolver, t Target, fam Family) Resolved {
	if t.IsSweep() {
		if !fam.Matches(t.Range.First) {
			return Resolved{Target: t, Err: &ResolveError{Host: t.Input, Family: fam, Err: errors.New("the range is of the other address family")}}
		}
		return Resolved{Target: t}
	}
	addrs, err := ResolveHost(ctx, r, t.Host, fam)
	return Resolved{Target: t, Addrs: addrs, Err: err}
}
