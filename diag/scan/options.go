package scan

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"time"

	"netdiag/diag/exitcode"
	"netdiag/diag/netaddr"
)

// The defaults for Options' zero fields.
const (
	DefaultTimeout       = time.Second
	DefaultRetries       = 6
	DefaultConcurrency   = 512
	DefaultBannerTimeout = time.Second
)

// Limits above which a scan needs Options.AllowHuge (--yes): more than
// MaxAddrs addresses (a /16 is fine, a /15 or a /8 is not), or more than
// MaxProbes host-port pairs (a /24 with all ports is fine).
const (
	MaxAddrs  = 1 << 16
	MaxProbes = 1 << 24
)

// DialFunc makes one TCP connection attempt to addr and returns the
// connection when it was accepted. It gives up after timeout, or when ctx
// is done, and returns errors from which the errno can be recovered with
// errors.As, as the net package's do: ECONNREFUSED means closed, a timeout
// means no answer, EHOSTUNREACH an ICMP error, and so on.
type DialFunc func(ctx context.Context, addr netip.AddrPort, timeout time.Duration) (net.Conn, error)

// DialWith returns a DialFunc that uses d, Go's portable dialer. It is the
// default where netdiag has no faster connect path, and a reference in tests.
func DialWith(d *net.Dialer) DialFunc {
	return func(ctx context.Context, addr netip.AddrPort, timeout time.Duration) (net.Conn, error) {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		return d.DialContext(ctx, "tcp", addr.String())
	}
}

// Options configures a scan. The zero value of every field but Targets
// means its default.
type Options struct {
	// Targets are addresses, names, prefixes and ranges (netaddr.ParseTarget).
	Targets []netaddr.Target
	// Ports to scan on every address; empty means DefaultPorts().
	Ports netaddr.PortList
	// Family keeps names to IPv4 or IPv6 addresses (AnyFamily: the first
	// address the resolver returns). Literal addresses of the other family
	// are an error.
	Family netaddr.Family
	// Timeout is how long one connection attempt waits for an answer.
	Timeout time.Duration
	// Retries is the most times a port whose attempt timed out is tried
	// again. Fewer are used while nothing suggests packet loss: a port is
	// tried once more than the highest attempt that ever got an answer, and
	// at least twice (nmap's rule), so a silent firewall costs two timeouts
	// per port while a lossy link gets up to 1+Retries tries. Zero means
	// DefaultRetries; negative means none (one attempt per port).
	Retries int
	// Concurrency is the most probes in flight; it is capped below the
	// open-file limit. The scan starts lower and opens up while answers come
	// back in time (see the package doc).
	Concurrency int
	// Rate caps new connection attempts per second (0: no cap).
	Rate float64
	// Banner reads what each open port's service says first.
	Banner bool
	// BannerTimeout is how long to wait for a banner.
	BannerTimeout time.Duration
	// All keeps every host in Result.Hosts, and closed, filtered and failed
	// ports in HostResult.Ports (up to ListLimit per state).
	All bool
	// AllowHuge allows scans above MaxAddrs addresses or MaxProbes probes.
	AllowHuge bool
	// Dial makes the connection attempts; nil means the fastest available
	// (non-blocking connect on Linux, net.Dialer elsewhere).
	Dial DialFunc
	// Resolver resolves names; nil means net.DefaultResolver.
	Resolver *net.Resolver
}

// DefaultPorts returns the ports scanned when none are given: 1-1024 and
// every registered port that has a TCP service name in netdiag's table.
func DefaultPorts() netaddr.PortList {
	ranges := []netaddr.PortRange{{First: 1, Last: 1024}}
	for _, p := range netaddr.NamedPorts("tcp") {
		if p > 1024 {
			ranges = append(ranges, netaddr.PortRange{First: p, Last: p})
		}
	}
	return netaddr.NewPortList(ranges...)
}

// OptionError is an invalid Options value; the CLI maps it to a usage error.
type OptionError = exitcode.OptionError

// TooLargeError is returned when a scan is above MaxAddrs or MaxProbes and
// Options.AllowHuge is not set.
type TooLargeError struct {
	Addrs  uint64 // addresses in the targets (names count one)
	Ports  int    // ports per address
	Probes uint64 // addresses × ports
}

// Error says how large the scan is, which limit it passes, and what to do.
func (e *TooLargeError) Error() string {
	over := fmt.Sprintf("more than %s addresses", group(MaxAddrs))
	if e.Addrs <= MaxAddrs {
		over = fmt.Sprintf("more than %s probes", group(MaxProbes))
	}
	return fmt.Sprintf("refusing to scan %s × %s = %s probes: %s; "+
		"narrow the targets or ports, or add --yes if you mean it",
		plural(e.Addrs, "address", "addresses"), plural(uint64(e.Ports), "port", "ports"), group(e.Probes), over)
}

// withDefaults fills zero fields and checks the rest.
func (o Options) withDefaults() (Options, error) {
	if len(o.Targets) == 0 {
		return o, exitcode.Optionf("no target given: name at least one host, address, prefix or range")
	}
	if o.Ports.Len() == 0 {
		o.Ports = DefaultPorts()
	}
	if o.Ports.Contains(0) {
		return o, exitcode.Optionf("port 0 cannot be scanned: connect() to port 0 is refused by the kernel before any packet is sent")
	}
	switch {
	case o.Timeout < 0:
		return o, exitcode.Optionf("timeout must be positive")
	case o.Timeout == 0:
		o.Timeout = DefaultTimeout
	}
	switch {
	case o.BannerTimeout < 0:
		return o, exitcode.Optionf("banner timeout must be positive")
	case o.BannerTimeout == 0:
		o.BannerTimeout = DefaultBannerTimeout
	}
	switch {
	case o.Concurrency < 0:
		return o, exitcode.Optionf("concurrency must be at least 1")
	case o.Concurrency == 0:
		o.Concurrency = DefaultConcurrency
	}
	if o.Rate < 0 {
		return o, exitcode.Optionf("rate must be positive (0 for no limit)")
	}
	switch {
	case o.Retries < 0:
		o.Retries = 0
	case o.Retries == 0:
		o.Retries = DefaultRetries
	}
	return o, nil
}

// checkSize refuses huge scans unless allowed.
func (o Options) checkSize() error {
	var addrs uint64
	for _, t := range o.Targets {
		addrs = satAdd(addrs, t.Count())
	}
	probes := satMul(addrs, uint64(o.Ports.Len()))
	if !o.AllowHuge && (addrs > MaxAddrs || probes > MaxProbes) {
		return &TooLargeError{Addrs: addrs, Ports: o.Ports.Len(), Probes: probes}
	}
	return nil
}

// host is one address to scan, resolved.
type host struct {
	target netaddr.Target
	name   string
	addrs  []netip.Addr // a name's addresses; the first is scanned
}

// resolve turns the targets into hosts, resolving names before any probe
// is sent. A target that does not resolve is left out and reported in
// unresolved, and the others are scanned; when none resolves, the first
// target's error is returned.
func resolve(ctx context.Context, o Options) (hosts []host, unresolved []TargetError, err error) {
	resolved, err := netaddr.ResolveTargets(ctx, o.Resolver, o.Targets, o.Family)
	if err != nil {
		return nil, nil, err
	}
	for _, r := range resolved {
		if r.Err != nil {
			unresolved = append(unresolved, TargetError{Target: r.Target.Input, Err: r.Err})
			continue
		}
		if r.Addrs != nil {
			if err := checkZone(r.Addrs[0]); err != nil {
				return nil, nil, err
			}
		}
		hosts = append(hosts, host{target: r.Target, name: r.Name(), addrs: r.Addrs})
	}
	if len(hosts) == 0 {
		return nil, nil, unresolved[0].Err
	}
	return hosts, unresolved, nil
}

// TargetError is a target that could not be scanned, and why.
type TargetError struct {
	Target string
	Err    error
}

// MarshalJSON writes {"target": ..., "error": ...}.
func (e TargetError) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Target string `json:"target"`
		Error  string `json:"error"`
	}{e.Target, e.Err.Error()})
}

// checkZone fails for an IPv6 zone that names no interface, before a
// probe fails for it on every port.
func checkZone(a netip.Addr) error {
	z := a.Zone()
	if z == "" {
		return nil
	}
	if _, err := strconv.ParseUint(z, 10, 32); err == nil {
		return nil
	}
	if _, err := net.InterfaceByName(z); err != nil {
		return exitcode.Optionf("%s: no network interface %q for the zone", a, z)
	}
	return nil
}

func satAdd(a, b uint64) uint64 {
	if a+b < a {
		return ^uint64(0)
	}
	return a + b
}

func satMul(a, b uint64) uint64 {
	if a != 0 && (a*b)/a != b {
		return ^uint64(0)
	}
	return a * b
}
