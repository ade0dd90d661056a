package ifaces

import (
	"cmp"
	"context"
	"slices"

	"netdiag/diag/netaddr"
)

// Gather reads every interface, its addresses and counters, and the default
// routes from the operating system (on Linux from the kernel over netlink, in
// one consistent pass), then applies opt. It never prints.
//
// When some opt.Names match no interface, Gather returns the matching
// interfaces together with an *UnknownNamesError. Gather needs no privilege.
func Gather(ctx context.Context, opt Options) (*Result, error) {
	res, err := gather(ctx)
	if err != nil {
		return nil, err
	}
	sortRoutes(res.DefaultRoutes)
	res.markDefaultSources()
	return res, res.filter(opt)
}

// DefaultRoutes returns the default routes of the main routing table, IPv4
// and IPv6, preferred first (IPv4 before IPv6; within a family, usable before
// link-down, then lowest metric). Each Route names its gateway (zero for a
// device route) and the interface holding it. The result is empty, not an
// error, when there is no default route. Where the OS does not let netdiag
// read routes the error wraps ErrNotAvailable.
func DefaultRoutes(ctx context.Context) ([]Route, error) {
	res, err := Gather(ctx, Options{})
	if err != nil {
		return nil, err
	}
	if res.DefaultRoutes == nil {
		return nil, ErrNotAvailable
	}
	return res.DefaultRoutes, nil
}

// sortRoutes orders routes by preference: IPv4 first, then usable before
// link-down, then by metric and interface index.
func sortRoutes(routes []Route) {
	slices.SortStableFunc(routes, func(a, b Route) int {
		return cmp.Or(
			cmp.Compare(a.Family, b.Family),
			boolCmp(a.LinkDown, b.LinkDown),
			cmp.Compare(a.Metric, b.Metric),
			cmp.Compare(a.Index, b.Index),
		)
	})
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// filter applies opt to r in place. It returns an *UnknownNamesError when
// names in opt.Names match no interface.
func (r *Result) filter(opt Options) error {
	var unknown []string
	named := map[int]bool{}
	for _, n := range opt.Names {
		found := false
		for _, ifc := range r.Interfaces {
			if ifc.Name == n || slices.Contains(ifc.AltNames, n) {
				named[ifc.Index], found = true, true
			}
		}
		if !found && !slices.Contains(unknown, n) {
			unknown = append(unknown, n)
		}
	}
	var err error
	if len(unknown) > 0 {
		known := make([]string, len(r.Interfaces))
		for i, ifc := range r.Interfaces {
			known[i] = ifc.Name
		}
		err = &UnknownNamesError{Names: unknown, Known: known}
	}

	r.filtered = len(opt.Names) > 0 || opt.UpOnly || opt.Family != netaddr.AnyFamily
	kept := r.Interfaces[:0]
	for _, ifc := range r.Interfaces {
		if len(opt.Names) > 0 && !named[ifc.Index] {
			continue
		}
		if opt.UpOnly && !ifc.AdminUp {
			continue
		}
		if opt.Family != netaddr.AnyFamily {
			ifc.Addresses = slices.DeleteFunc(ifc.Addresses, func(a Address) bool { return !opt.Family.Matches(a.Address) })
			if len(ifc.Addresses) == 0 && !named[ifc.Index] {
				continue
			}
		}
		kept = append(kept, ifc)
	}
	r.Interfaces = kept

	if r.DefaultRoutes != nil {
		r.DefaultRoutes = slices.DeleteFunc(r.DefaultRoutes, func(rt Route) bool {
			return r.Interface(rt.Index) == nil ||
				(opt.Family != netaddr.AnyFamily && rt.Family != familyWord(opt.Family))
		})
	}
	return err
}
