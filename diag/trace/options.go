package trace

import (
	"net"
	"net/netip"
	"time"

	"netdiag/diag/exitcode"
	"netdiag/diag/netaddr"
	"netdiag/diag/ping/icmpsock"
)

// Method is how probes are sent.
type Method int

// The probe methods.
const (
	// ICMP sends echo requests (the default), as mtr and traceroute -I do.
	ICMP Method = iota
	// UDP sends datagrams to port Port and up, one port per probe, as
	// traceroute does by default; the destination answers "port
	// unreachable".
	UDP
	// TCP opens connections to Port with a rising TTL, as tcptraceroute
	// does; the destination answers with SYN-ACK or a reset.
	TCP
)

// String returns "icmp", "udp" or "tcp".
func (m Method) String() string {
	switch m {
	case UDP:
		return "udp"
	case TCP:
		return "tcp"
	}
	return "icmp"
}

// MarshalText writes the method's name, for JSON.
func (m Method) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// Defaults for Options' zero values.
const (
	DefaultMaxHops  = 30
	DefaultCount    = 5
	DefaultInterval = 200 * time.Millisecond
	// DefaultUDPInterval is the UDP method's: Linux hosts answer "port
	// unreachable" once a second after a burst of six (net.ipv4.icmp_ratelimit),
	// and the first round's probes past the destination use up the burst.
	DefaultUDPInterval = time.Second
	DefaultTimeout     = 2 * time.Second
	// DefaultUDPPort is traceroute's first UDP port.
	DefaultUDPPort netaddr.Port = 33434
	// DefaultTCPPort is tcptraceroute's port, HTTP.
	DefaultTCPPort netaddr.Port = 80
	// DefaultPacketSize is a probe's IP packet size in bytes, mtr's.
	DefaultPacketSize = 64
	// MaxPacketSize is the largest IP packet, where MTU discovery starts
	// on an interface whose MTU is larger (loopback's 65536).
	MaxPacketSize = 65535
	// nameTimeout bounds each reverse lookup.
	nameTimeout = 2 * time.Second
	// MaxTTL is the largest TTL or hop limit.
	MaxTTL = 255
	// MaxCount bounds the probes per hop.
	MaxCount = 10000
)

// Options says where Run traces and how. The zero value of a field means
// the default noted.
type Options struct {
	// Target is the host to trace: an address or a name (resolved, the
	// first address of Family taken).
	Target netaddr.Host
	// Family restricts a name to IPv4 or IPv6 addresses (-4, -6).
	Family netaddr.Family
	// Resolver resolves the name and looks up responders' names; nil
	// means net.DefaultResolver.
	Resolver *net.Resolver

	// Method is how probes are sent (ICMP by default).
	Method Method
	// Port is UDP's first port (DefaultUDPPort) or TCP's port
	// (DefaultTCPPort).
	Port netaddr.Port
	// FirstHop is the first TTL probed (1); MaxHops the last
	// (DefaultMaxHops).
	FirstHop, MaxHops int
	// Count is the number of probes per hop (DefaultCount).
	Count int
	// Interval is the time between rounds, each of which probes every hop
	// at once (DefaultInterval; UDP: DefaultUDPInterval); negative means
	// none.
	Interval time.Duration
	// Timeout is how long a probe waits for its answer before it counts as
	// lost (DefaultTimeout).
	Timeout time.Duration
	// Numeric skips reverse lookups of the responders (-n).
	Numeric bool
	// Source is the address to send from; Interface the interface to send
	// through (Linux). Zero values leave the choice to the system.
	Source    netip.Addr
	Interface string
	// MTU discovers the path MTU as tracepath does: probes are as large as
	// the outgoing interface allows, with don't-fragment set, and
	// shrink to the MTU every "fragmentation needed" or "packet too big"
	// reply names. ICMP and UDP only.
	MTU bool
	// Mode picks the kind of ICMP socket (ICMP method only): Auto tries an
	// unprivileged datagram socket and falls back to a raw one.
	Mode icmpsock.Mode
}

// OptionError is an invalid Options value; the CLI maps it to a usage error.
type OptionError = exitcode.OptionError

// withDefaults validates opt and fills in the defaults.
func (opt Options) withDefaults() (Options, error) {
	if opt.FirstHop == 0 {
		opt.FirstHop = 1
	}
	if opt.MaxHops == 0 {
		opt.MaxHops = DefaultMaxHops
	}
	if opt.Count == 0 {
		opt.Count = DefaultCount
	}
	if opt.Interval == 0 {
		opt.Interval = DefaultInterval
		if opt.Method == UDP {
			opt.Interval = DefaultUDPInterval
		}
	}
	if opt.Interval < 0 {
		opt.Interval = 0
	}
	if opt.Timeout == 0 {
		opt.Timeout = DefaultTimeout
	}
	if opt.Port == 0 {
		opt.Port = DefaultUDPPort
		if opt.Method == TCP {
			opt.Port = DefaultTCPPort
		}
	}
	switch {
	case opt.Target.IsZero():
		return opt, exitcode.Optionf("no host to trace")
	case opt.Method < ICMP || opt.Method > TCP:
		return opt, exitcode.Optionf("unknown probe method %d", opt.Method)
	case opt.MaxHops < 1 || opt.MaxHops > MaxTTL:
		return opt, exitcode.Optionf("max hops %d: must be 1 to %d", opt.MaxHops, MaxTTL)
	case opt.FirstHop < 1 || opt.FirstHop > opt.MaxHops:
		return opt, exitcode.Optionf("first hop %d: must be 1 to the max hops (%d)", opt.FirstHop, opt.MaxHops)
	case opt.Count < 1 || opt.Count > MaxCount:
		return opt, exitcode.Optionf("count %d: must be 1 to %d", opt.Count, MaxCount)
	case opt.Timeout < 0:
		return opt, exitcode.Optionf("timeout %v: must be positive", opt.Timeout)
	case opt.Source.IsValid() && opt.Interface != "":
		return opt, exitcode.Optionf("give a source address or an interface, not both")
	case opt.MTU && opt.Method == TCP:
		return opt, exitcode.Optionf("path MTU discovery needs ICMP or UDP probes: TCP connection attempts cannot be made larger")
	case opt.Method == UDP && int(opt.Port)+opt.MaxHops > int(netaddr.MaxPort):
		return opt, exitcode.Optionf("port %d: UDP probes count ports up from it; give one below %d", opt.Port, int(netaddr.MaxPort)-opt.MaxHops)
	}
	return opt, nil
}
