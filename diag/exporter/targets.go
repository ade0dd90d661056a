package exporter

import (
	"context"
	"fmt"
	"maps"
	"net"
	"net/netip"
	"slices"
	"strings"
	"time"

	"netdiag/diag/netaddr"
	"netdiag/diag/ping"
)

// dnsPort is the resolver port a DNS target without one is asked on.
const dnsPort netaddr.Port = 53

// Target is one continuously probed endpoint: a host pinged, a host and
// port connected to, or a resolver asked.
type Target struct {
	// Module names the probe settings, Mod holds them.
	Module string
	Mod    Module
	// Host is the target as written (the host label); for a prefix or a
	// range, each address.
	Host string
	// Addr is the address probed (the ip label); Port the TCP port or the
	// resolver's port.
	Addr netip.Addr
	Port netaddr.Port
	// Interval is the time between probes; Timeout how long each waits
	// before it counts as failed.
	Interval, Timeout time.Duration
	// Labels are the configured labels.
	Labels map[string]string
}

// key identifies a target's series across reloads: a target that stays
// keeps its counters.
func (t *Target) key() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s|%s|%s|%s|%d|%s|%s", t.Mod.Prober, t.Module, t.Host, t.Addr, t.Port, t.Mod.Source, t.Mod.QueryName)
	for _, k := range slices.Sorted(maps.Keys(t.Labels)) {
		fmt.Fprintf(&b, "|%s=%s", k, t.Labels[k])
	}
	return b.String()
}

// argSpecs turns command-line targets into specs: HOST, PREFIX or RANGE is
// pinged, HOST:PORT connected to, dns://SERVER[:PORT] asked (or
// icmp://…, tcp://… to say it outright).
func argSpecs(args []string, modules map[string]Module, d defaults) []spec {
	specs := make([]spec, 0, len(args))
	for _, a := range args {
		module, host := ModuleICMP, a
		switch scheme, rest, ok := strings.Cut(a, "://"); {
		case ok && scheme == "icmp":
			host = rest
		case ok && scheme == "tcp":
			module, host = ModuleTCP, rest
		case ok && scheme == "dns":
			module, host = ModuleDNS, rest
		case ok:
			module = scheme // refused below as an unknown module
		default:
			if _, err := netaddr.ParseTarget(a); err != nil {
				if _, err := netaddr.ParseHostPort(a); err == nil {
					module = ModuleTCP
				}
			}
		}
		specs = append(specs, spec{file: "command line", host: host, module: module, mod: modules[module],
			interval: d.interval, timeout: d.timeout, labels: map[string]string{}})
	}
	return specs
}

// buildTargets parses and resolves the specs: a prefix or range becomes
// one target per address, a name its first address of the module's
// family. A host that does not parse or resolve, and a target given twice,
// are errors that name the spec's file and line.
func buildTargets(ctx context.Context, r *net.Resolver, specs []spec) ([]Target, error) {
	hosts := make([]netaddr.Target, len(specs))
	ports := make([]netaddr.Port, len(specs))
	for i, s := range specs {
		fail := func(format string, args ...any) error {
			return &ConfigError{File: s.file, Line: s.line, Reason: fmt.Sprintf("%s: ", s.host) + fmt.Sprintf(format, args...)}
		}
		if s.mod.Prober == "" {
			return nil, fail("unknown module %q (icmp://, tcp:// or dns://)", s.module)
		}
		var err error
		if hosts[i], ports[i], err = parseHost(s.mod.Prober, s.host); err != nil {
			return nil, fail("%v", err)
		}
		if n := hosts[i].Count(); n > ping.MaxHosts {
			return nil, fail("%d addresses: at most %d in one target", n, ping.MaxHosts)
		}
	}
	// One family per lookup: resolve each family's names together.
	resolved := make([]netaddr.Resolved, len(specs))
	for _, fam := range []netaddr.Family{netaddr.AnyFamily, netaddr.IPv4, netaddr.IPv6} {
		var idx []int
		var list []netaddr.Target
		for i, s := range specs {
			if s.mod.Family == fam {
				idx, list = append(idx, i), append(list, hosts[i])
			}
		}
		if len(list) == 0 {
			continue
		}
		res, err := netaddr.ResolveTargets(ctx, r, list, fam)
		if err != nil {
			return nil, err
		}
		for j, i := range idx {
			resolved[i] = res[j]
		}
	}
	var out []Target
	seen := map[string]spec{}
	total := 0
	for i, s := range specs {
		res := resolved[i]
		if res.Err != nil {
			return nil, &ConfigError{File: s.file, Line: s.line, Reason: res.Err.Error()}
		}
		add := func(host string, a netip.Addr) error {
			t := Target{Module: s.module, Mod: s.mod, Host: host, Addr: a, Port: ports[i],
				Interval: s.interval, Timeout: s.timeout, Labels: s.labels}
			if t.Timeout == 0 {
				t.Timeout = t.Interval
			}
			if src := s.mod.Source.Addr; src.IsValid() && src.Is4() != a.Is4() {
				return &ConfigError{File: s.file, Line: s.line, Reason: fmt.Sprintf("%s: source %s is of the other address family", host, src)}
			}
			k := t.key()
			if first, dup := seen[k]; dup {
				return &ConfigError{File: s.file, Line: s.line, Reason: fmt.Sprintf("%s (%s) is already a target (%s:%d)", host, s.module, first.file, first.line)}
			}
			seen[k] = s
			out = append(out, t)
			return nil
		}
		total += int(hosts[i].Count())
		if total > maxTargets {
			return nil, &ConfigError{File: s.file, Line: s.line, Reason: fmt.Sprintf("more than %d targets", maxTargets)}
		}
		if hosts[i].IsSweep() {
			for a := range hosts[i].Range.All() {
				if err := add(a.String(), a); err != nil {
					return nil, err
				}
			}
			continue
		}
		if err := add(hosts[i].Host.String(), res.Addrs[0]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// maxTargets bounds one configuration: the ping engine's limit per run.
const maxTargets = ping.MaxHosts

// parseHost reads a target's host for its prober: ICMP takes an address,
// name, prefix or range; TCP a HOST:PORT; DNS a resolver's HOST or
// HOST:PORT (port 53 when none is given).
func parseHost(p Prober, s string) (netaddr.Target, netaddr.Port, error) {
	switch p {
	case ICMP:
		t, err := netaddr.ParseTarget(s)
		return t, 0, err
	case TCP:
		return hostPort(s, "a host")
	}
	if h, err := netaddr.ParseHost(s); err == nil {
		return netaddr.Target{Input: s, Host: h}, dnsPort, nil
	}
	return hostPort(s, "a resolver address")
}

// hostPort reads HOST:PORT; what names the host in the error for ":PORT".
func hostPort(s, what string) (netaddr.Target, netaddr.Port, error) {
	hp, err := netaddr.ParseHostPort(s)
	if err != nil {
		return netaddr.Target{}, 0, err
	}
	if hp.Host.IsZero() {
		return netaddr.Target{}, 0, fmt.Errorf("%s is needed before the port", what)
	}
	return netaddr.Target{Input: s, Host: hp.Host}, hp.Port, nil
}
