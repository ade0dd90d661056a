package ping

import (
	"net"
	"net/netip"
	"time"

	"netdiag/diag/exitcode"
	"netdiag/diag/netaddr"
	"netdiag/diag/ping/icmpsock"
)

// Mode is the kind of ICMP socket to use (see icmpsock).
type Mode = icmpsock.Mode

// The socket modes: Auto tries an unprivileged ICMP datagram socket and
// falls back to a raw one; the others insist.
const (
	Auto         = icmpsock.Auto
	Unprivileged = icmpsock.Unprivileged
	Privileged   = icmpsock.Privileged
)

// PermissionError is returned when no ICMP socket may be opened; its
// message names the three fixes (root, setcap, the ping_group_range sysctl).
type PermissionError = icmpsock.PermissionError

// Defaults, as iputils ping and fping have them.
const (
	// DefaultSize is the number of data bytes in a request (iputils: 56,
	// making 64-byte ICMP messages).
	DefaultSize = 56
	// DefaultInterval is the wait between probes to one host.
	DefaultInterval = time.Second
	// DefaultTimeout is how long a probe waits for its reply when pinging
	// one host: iputils ping's 10 s linger.
	DefaultTimeout = 10 * time.Second
	// DefaultSweepTimeout is the per-probe wait when pinging many hosts,
	// fping's 500 ms.
	DefaultSweepTimeout = 500 * time.Millisecond
	// DefaultRetries is how many more probes a sweep sends a host that did
	// not answer its first (fping's default).
	DefaultRetries = 3
	// DefaultRate is the most echo requests a second a sweep sends by
	// default: fping's 10 ms between packets, safe on real networks.
	DefaultRate = 100
	// MaxSizeIPv4 and MaxSizeIPv6 are the largest data sizes: what fits in
	// a 65,535-byte IPv4 packet (less 20 header and 8 ICMP bytes) or IPv6
	// payload (less 8 ICMPv6 bytes).
	MaxSizeIPv4 = 65507
	MaxSizeIPv6 = 65527
	// MaxHosts is the most addresses one run pings (a /16).
	MaxHosts = 1 << 16
)

// Options says what Run pings and how. The zero value of each field is
// usable: it means the default noted, or "none".
type Options struct {
	// Targets are the hosts to ping: addresses, names (resolved, the first
	// address of Family taken), prefixes and ranges (every address).
	Targets []netaddr.Target
	// Family restricts names to IPv4 or IPv6 addresses (-4, -6).
	Family netaddr.Family
	// Resolver resolves names; nil means net.DefaultResolver.
	Resolver *net.Resolver

	// Count is the number of probes per host; 0 means until the context
	// is cancelled or Deadline passes. With a Deadline, Count counts
	// replies instead, as iputils does with -c and -w together: probes go
	// on until Count replies came or the deadline passed.
	Count int
	// Interval is the time between probes to one host; 0 sends the next
	// as soon as the rate allows.
	Interval time.Duration
	// Timeout is how long each probe waits for its reply before it counts
	// as lost (-W); 0 means DefaultTimeout.
	Timeout time.Duration
	// Deadline ends the run after this long whatever the counts (-w); 0
	// means none.
	Deadline time.Duration
	// Rate caps the echo requests sent per second over all hosts; 0 means
	// no cap.
	Rate float64
	// Spread delays the first probe of the i-th of n hosts by i·Spread/n,
	// so that hosts probed on an Interval take turns instead of all
	// sending at once (the exporter spreads a round over the interval).
	// Unlike Rate, it caps nothing: a late timer sends what is due.
	Spread time.Duration
	// Retries, when Count is 1 and there is no Deadline, sends a host that
	// did not answer (timeout or ICMP error) up to this many more probes,
	// each waiting half as long again as the last (fping's -r and -B 1.5).
	Retries int

	// Size is the number of data bytes per request (-s).
	Size int
	// TTL is the IPv4 TTL or IPv6 hop limit of requests (-t); 0 means the
	// system default.
	TTL int
	// Source is the address to send from (-I ADDR); Interface the
	// interface to send through (-I NAME).
	Source    netip.Addr
	Interface string
	// Mode picks the kind of ICMP socket.
	Mode Mode

	// StatsRequests, when a value arrives, makes Run emit an EventStats
	// with the statistics so far (SIGQUIT in the CLI).
	StatsRequests <-chan struct{}
}

// OptionError is an invalid Options value; the CLI maps it to a usage error.
type OptionError = exitcode.OptionError

// check validates opt and fills in defaults.
func (opt *Options) check() error {
	switch {
	case len(opt.Targets) == 0:
		return exitcode.Optionf("no target given")
	case opt.Count < 0:
		return exitcode.Optionf("count %d: must be 1 or more (or 0 for no limit)", opt.Count)
	case opt.Interval < 0:
		return exitcode.Optionf("interval %v: must not be negative", opt.Interval)
	case opt.Timeout < 0:
		return exitcode.Optionf("timeout %v: must be positive", opt.Timeout)
	case opt.Deadline < 0:
		return exitcode.Optionf("deadline %v: must be positive", opt.Deadline)
	case opt.Spread < 0:
		return exitcode.Optionf("spread %v: must not be negative", opt.Spread)
	case opt.Rate < 0:
		return exitcode.Optionf("rate %v: must be positive, or 0 for no limit", opt.Rate)
	case opt.Retries < 0:
		return exitcode.Optionf("retries %d: must be 0 or more", opt.Retries)
	case opt.Size < 0 || opt.Size > MaxSizeIPv6:
		return exitcode.Optionf("size %d: must be 0 to %d (%d for IPv4)", opt.Size, MaxSizeIPv6, MaxSizeIPv4)
	case opt.TTL < 0 || opt.TTL > 255:
		return exitcode.Optionf("ttl %d: must be 1 to 255", opt.TTL)
	case opt.Source.IsValid() && opt.Interface != "":
		return exitcode.Optionf("give a source address or an interface, not both")
	case opt.Mode < Auto || opt.Mode > Privileged:
		return exitcode.Optionf("unknown socket mode %d", opt.Mode)
	}
	if opt.Timeout == 0 {
		opt.Timeout = DefaultTimeout
	}
	var n uint64
	for _, t := range opt.Targets {
		c := t.Count()
		if c > MaxHosts || n+c > MaxHosts {
			return exitcode.Optionf("%s: too many addresses (at most %d in one run)", t.Input, MaxHosts)
		}
		n += c
	}
	return nil
}
