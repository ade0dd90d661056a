package check

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/netip"
	"os"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"netdiag/diag/netaddr"
	"netdiag/diag/render"
)

// maxResolvConf bounds how much of the resolver configuration is read.
const maxResolvConf = 1 << 20

// DNSStep is the DNS step: do the configured resolvers answer, and does the
// name resolve?
type DNSStep struct {
	Verdict
	// Name is the name resolved.
	Name string `json:"name"`
	// ResolvConf is the configuration file the resolvers came from.
	ResolvConf string `json:"resolv_conf"`
	// Resolvers are the configured resolvers and what each answered, in
	// configuration order.
	Resolvers []*ResolverResult `json:"resolvers"`
	// Notes are remarks on the configuration: lines the C library would
	// not use, a fallback to the default resolver.
	Notes []string `json:"notes"`
}

// ResolverResult is one resolver's answer to the A and AAAA queries.
type ResolverResult struct {
	Status  Status  `json:"status"`
	Problem Problem `json:"problem,omitempty"`
	// Server is the resolver's address and port; the zero value (omitted)
	// stands for the operating system's resolver, asked where there is no
	// resolv.conf.
	Server netip.AddrPort `json:"server,omitzero"`
	// Time is how long until both answers came.
	Time render.Millis `json:"time_ms"`
	// RCode is the response code ("NOERROR", "NXDOMAIN", "SERVFAIL"…) of
	// the first answer; empty when none came.
	RCode string `json:"rcode,omitempty"`
	// Addrs are the addresses in the answers.
	Addrs []netip.Addr `json:"addrs"`
	// Error says what went wrong.
	Error string `json:"error,omitempty"`
}

// readResolvConf reads the resolvers from opt.ResolvConf. With no
// nameserver line the C library asks 127.0.0.1, and so does the check;
// without the file on Windows (which has none) it asks the system resolver.
func readResolvConf(opt Options) (resolvConf, error) {
	f, err := os.Open(opt.ResolvConf)
	if errors.Is(err, fs.ErrNotExist) && runtime.GOOS == "windows" {
		return resolvConf{servers: []netip.AddrPort{{}}, notes: []string{opt.ResolvConf + " does not exist: asked the system resolver"}}, nil
	}
	var data []byte
	if err == nil {
		data, err = io.ReadAll(io.LimitReader(f, maxResolvConf))
		f.Close()
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		data = nil
	case err != nil:
		return resolvConf{}, fmt.Errorf("reading the resolver configuration: %w", err)
	}
	rc := parseResolvConf(data)
	if len(rc.servers) == 0 {
		what := "has no usable nameserver line"
		if data == nil {
			what = "does not exist"
		}
		rc.notes = append(rc.notes, fmt.Sprintf("%s %s: the C library then asks 127.0.0.1", opt.ResolvConf, what))
		rc.servers, rc.fallback = []netip.AddrPort{netip.AddrPortFrom(loopback4, 53)}, true
	}
	return rc, nil
}

// checkDNS asks every resolver of rc for opt.DNSName's A and AAAA records,
// all at once.
func checkDNS(ctx context.Context, opt Options, rc resolvConf) DNSStep {
	st := DNSStep{Name: opt.DNSName, ResolvConf: opt.ResolvConf, Resolvers: make([]*ResolverResult, len(rc.servers)), Notes: rc.notes}
	if st.Notes == nil {
		st.Notes = []string{}
	}
	ctx, cancel := context.WithTimeout(ctx, opt.Timeout)
	defer cancel()
	var wg sync.WaitGroup
	for i, s := range rc.servers {
		wg.Go(func() {
			if s.IsValid() {
				st.Resolvers[i] = QueryResolver(ctx, opt.Dial, s, opt.DNSName)
			} else {
				st.Resolvers[i] = systemLookup(ctx, opt.DNSName)
			}
		})
	}
	wg.Wait()
	st.Verdict = combine(st.Resolvers, func(r *ResolverResult) (Status, Problem, string) {
		return r.Status, r.Problem, describeResolver(r, opt.DNSName)
	})
	for _, r := range st.Resolvers {
		if r.Status == OK && (st.Time == 0 || r.Time < st.Time) {
			st.Time = r.Time
		}
	}
	if rc.fallback && st.Status == Fail && (st.Problem == DNSPortClosed || st.Problem == DNSTimeout) {
		st.Problem = NoResolver // nothing there to ask
	}
	return st
}

// judgeResolver sets a resolver's status from its answer.
func judgeResolver(r *ResolverResult, answered, asked int) {
	switch {
	case len(r.Addrs) > 0 && answered < asked:
		r.Status, r.Problem, r.Error = Warn, DNSTimeout, "answered only one of the A and AAAA queries"
	case len(r.Addrs) > 0:
		r.Status = OK
	case r.Problem != "":
		r.Status = Fail
	case answered == 0:
		r.Status, r.Problem, r.Error = Fail, DNSTimeout, "no answer"
	default:
		r.Status = Fail
		r.Problem = map[string]Problem{"NXDOMAIN": DNSNXDomain, "SERVFAIL": DNSServFail, "REFUSED": DNSRefused, "NOERROR": DNSNoData}[r.RCode]
		if r.Problem == "" {
			r.Problem = DNSBadAnswer
		}
	}
}

// describeResolver says in words what a resolver answered.
func describeResolver(r *ResolverResult, name string) string {
	who := "the system resolver"
	if r.Server.IsValid() {
		who = r.Server.Addr().String()
	}
	switch r.Problem {
	case "":
		return fmt.Sprintf("%s → %s by %s", name, listed(netaddr.Strings(r.Addrs)), who)
	case DNSTimeout:
		if len(r.Addrs) > 0 {
			return fmt.Sprintf("%s → %s by %s, but it answered only one of the A and AAAA queries", name, listed(netaddr.Strings(r.Addrs)), who)
		}
		return who + " does not answer"
	case DNSPortClosed:
		return who + ": nothing listens on port 53"
	case DNSNXDomain:
		return fmt.Sprintf("%s says %s does not exist (NXDOMAIN)", who, name)
	case DNSNoData:
		return fmt.Sprintf("%s says %s has no address", who, name)
	case DNSServFail, DNSRefused:
		return fmt.Sprintf("%s answers %s", who, r.RCode)
	}
	return fmt.Sprintf("%s: %s", who, r.Error)
}

// systemLookup resolves name with the operating system's resolver, for
// systems without resolv.conf.
func systemLookup(ctx context.Context, name string) *ResolverResult {
	r := &ResolverResult{Addrs: []netip.Addr{}}
	start := time.Now()
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", name)
	r.Time = render.Millis(time.Since(start))
	var dnsErr *net.DNSError
	switch {
	case err == nil:
		for _, a := range addrs {
			r.Addrs = append(r.Addrs, a.Unmap())
		}
		r.RCode = "NOERROR"
		judgeResolver(r, 1, 1)
		return r
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		r.RCode = "NXDOMAIN"
	case isTimeout(err):
		r.Problem, r.Error = DNSTimeout, "no answer"
	default:
		r.Problem, r.Error = DNSBadAnswer, strings.TrimPrefix(err.Error(), "lookup "+name+": ")
	}
	r.Time = 0
	judgeResolver(r, 1, 1)
	return r
}

// resolverVia returns a resolver that sends every query to server, for
// names given with --host.
func resolverVia(opt Options, server netip.AddrPort) *net.Resolver {
	if !server.IsValid() {
		return nil // the system's
	}
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return opt.Dial(ctx, network, server.String())
	}}
}

// dnsErrorProblem classifies a socket error of a DNS exchange.
func dnsErrorProblem(err error) Problem {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return DNSPortClosed
	case isUnreachable(err):
		return Unreachable
	case isTimeout(err):
		return DNSTimeout
	}
	return SystemError
}
