package netaddr

import (
	"context"
	"errors"
	"net"
	"net/netip"
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
