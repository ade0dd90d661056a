package check

import (
	"context"
	"net"
	"net/netip"
	"time"

	"netdiag/diag/ifaces"
	"netdiag/diag/netaddr"
	"netdiag/diag/trace"
)

// The defaults for Options' zero values.
const (
	// DefaultDNSName is the name the DNS step resolves: IANA's example.com
	// (RFC 2606), which has existed with A and AAAA records for decades.
	DefaultDNSName = "example.com"
	// DefaultResolvConf is where the DNS step reads the resolvers.
	DefaultResolvConf = "/etc/resolv.conf"
	// DefaultTimeout is how long each step waits for answers. All steps run
	// at once, so a broken network is diagnosed in about this long; a
	// healthy one in a fraction of it.
	DefaultTimeout = 2 * time.Second
	// DefaultPort is the TCP port the internet step connects to when a host
	// does not answer ping: HTTPS, open on every default host.
	DefaultPort netaddr.Port = 443
	// DefaultCount is how many echo requests each ping sends.
	DefaultCount = 3
	// pingInterval is the time between a ping's echo requests.
	pingInterval = 100 * time.Millisecond
	// localTimeout bounds the local stack step: loopback answers in
	// microseconds, or not at all.
	localTimeout = time.Second
	// fallbackDelay is how long the internet step gives ping alone before
	// it also tries TCP: a healthy host has answered every echo by then,
	// so the TCP connect is only made when ICMP looks filtered.
	fallbackDelay = 750 * time.Millisecond
)

// DefaultHosts are the internet step's hosts when none are given: the
// anycast DNS services of Cloudflare and Google, which answer ping and
// HTTPS (TCP 443) from nearby sites everywhere. Addresses, not names, so the
// internet step does not depend on DNS. The IPv6 ones are only tried when
// there is an IPv6 default route.
var DefaultHosts = []netip.Addr{
	netip.MustParseAddr("1.1.1.1"),
	netip.MustParseAddr("8.8.8.8"),
	netip.MustParseAddr("2606:4700:4700::1111"),
	netip.MustParseAddr("2001:4860:4860::8888"),
}

// Options configures Run. The zero value checks this machine's network with
// the documented defaults.
type Options struct {
	// Gateway is pinged instead of the default routes' gateways.
	Gateway netip.Addr
	// DNSName is resolved by every configured resolver (DefaultDNSName when
	// empty). It is a host name; a trailing dot is implied, so search
	// domains never apply.
	DNSName string
	// Hosts are the internet step's targets (DefaultHosts when empty):
	// addresses, or names resolved through the first resolver that
	// answered the DNS step.
	Hosts []netaddr.Host
	// ResolvConf is the resolver configuration file (DefaultResolvConf when
	// empty).
	ResolvConf string
	// Timeout is how long each step waits for answers (DefaultTimeout when
	// zero). A name in Hosts is resolved first, so the internet step may
	// take up to twice as long.
	Timeout time.Duration
	// Count is the number of echo requests per ping (DefaultCount when
	// zero).
	Count int
	// Port is the TCP port tried when an internet host does not answer
	// ping (DefaultPort when zero).
	Port netaddr.Port

	// Ping sends the echo requests (the ping package's when nil).
	Ping Pinger
	// Dial opens the internet step's TCP connections and the UDP sockets
	// of the DNS queries and of the no-ICMP gateway check (a net.Dialer's
	// when nil).
	Dial func(ctx context.Context, network, address string) (net.Conn, error)
	// Interfaces reads interfaces and default routes (ifaces.Gather when
	// nil).
	Interfaces func(ctx context.Context) (*ifaces.Result, error)
	// Neighbours reads the ARP/NDP table (ifaces.Neighbours when nil).
	Neighbours func(ctx context.Context) (ifaces.NeighbourTable, error)
	// Trace traces the path to a host that does not answer, and the path
	// MTU (trace.Run when nil).
	Trace Tracer
}

// withDefaults returns opt with every zero value replaced by its default.
func (opt Options) withDefaults() Options {
	if opt.DNSName == "" {
		opt.DNSName = DefaultDNSName
	}
	if opt.ResolvConf == "" {
		opt.ResolvConf = DefaultResolvConf
	}
	if opt.Timeout <= 0 {
		opt.Timeout = DefaultTimeout
	}
	if opt.Count <= 0 {
		opt.Count = DefaultCount
	}
	if opt.Port == 0 {
		opt.Port = DefaultPort
	}
	if opt.Ping == nil {
		opt.Ping = defaultPinger
	}
	if opt.Dial == nil {
		var d net.Dialer
		opt.Dial = d.DialContext
	}
	if opt.Interfaces == nil {
		opt.Interfaces = func(ctx context.Context) (*ifaces.Result, error) {
			return ifaces.Gather(ctx, ifaces.Options{})
		}
	}
	if opt.Neighbours == nil {
		opt.Neighbours = ifaces.Neighbours
	}
	if opt.Trace == nil {
		opt.Trace = trace.Run
	}
	return opt
}

// Pinger sends count ICMP echo requests to addr, interval apart, and
// returns what came back once every request is answered or ctx is done. An
// error means it could not ping at all (no permission for ICMP sockets —
// errors.Is(err, fs.ErrPermission) — or no route to addr); Echo may then
// still say how many were sent.
type Pinger func(ctx context.Context, addr netip.Addr, count int, interval time.Duration) (Echo, error)

// Echo is what a ping saw.
type Echo struct {
	// Sent and Received count echo requests and their replies.
	Sent, Received int
	// RTT is the mean round-trip time of the replies.
	RTT time.Duration
	// Unreachable is an ICMP error that came back instead of a reply, in
	// words ("network unreachable"), and From who sent it.
	Unreachable string
	From        netip.Addr
}
