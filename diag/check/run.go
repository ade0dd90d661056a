package check

import (
	"context"
	"fmt"
	"net/netip"
	"sync"
	"time"
)

// Run checks the network layer by layer — local stack, interfaces,
// gateway, DNS, internet, path MTU — and diagnoses the first broken layer.
// The steps run at once, each bounded by opt.Timeout (the local stack by a
// second); only names given as internet hosts wait for the DNS step, and
// the path MTU step, after the internet step, probes a host that answered. Run never
// prints. It returns an error only when the check cannot run at all (the
// interfaces or the resolver configuration cannot be read); a broken
// network is a Result.
func Run(ctx context.Context, opt Options) (*Result, error) {
	opt = opt.withDefaults()
	start := time.Now()
	rc, err := readResolvConf(opt)
	if err != nil {
		return nil, err
	}
	gctx, cancel := context.WithTimeout(ctx, opt.Timeout)
	ifs, err := opt.Interfaces(gctx)
	cancel()
	if err != nil {
		return nil, fmt.Errorf("reading the interfaces: %w", err)
	}

	res := &Result{Interfaces: checkInterfaces(ifs)}
	hosts := internetTargets(opt, ifs)
	dnsDone := make(chan struct{})
	workingResolver := func() (netip.AddrPort, bool) {
		<-dnsDone
		for _, r := range res.DNS.Resolvers {
			if r.Status == OK || r.Status == Warn {
				return r.Server, true
			}
		}
		return netip.AddrPort{}, false
	}
	var wg sync.WaitGroup
	wg.Go(func() { res.Local = checkLocal(ctx, opt, ifs) })
	wg.Go(func() { res.Gateway = checkGateway(ctx, opt, ifs) })
	wg.Go(func() {
		defer close(dnsDone)
		res.DNS = checkDNS(ctx, opt, rc)
	})
	wg.Go(func() { res.Internet = checkInternet(ctx, opt, hosts, workingResolver) })
	wg.Wait()
	// The path MTU toward a host known to answer, once the internet step
	// found one.
	res.PathMTU = checkPathMTU(ctx, opt, &res.Internet)

	res.Gateway.passesTraffic(&res.Internet)
	res.Interrupted = ctx.Err() != nil
	res.Diagnosis = diagnose(res)
	res.Elapsed = time.Since(start)
	return res, nil
}
