package scan

import (
	"encoding/json"
	"net/netip"
	"time"

	"netdiag/diag/netaddr"
	"netdiag/diag/render"
)

// State is a port's state as nmap defines it for a connect scan.
type State uint8

// The port states.
const (
	// Open: the connection was accepted (SYN-ACK).
	Open State = iota
	// Closed: the connection was refused (RST).
	Closed
	// Filtered: no answer within the timeout on every attempt, or an ICMP
	// unreachable or administratively-prohibited message came back.
	Filtered
	// Failed: the probe could not be made (an unexpected local error such
	// as an unsupported address family); Reason says why.
	Failed
	numStates
)

var stateNames = [numStates]string{"open", "closed", "filtered", "error"}

// String returns "open", "closed", "filtered" or "error".
func (s State) String() string {
	if s < numStates {
		return stateNames[s]
	}
	return "unknown"
}

// MarshalText encodes the state as its name, for JSON.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// The reasons a port has its state, in nmap's words (nmap --reason).
const (
	ReasonSynAck          = "syn-ack"          // open
	ReasonConnRefused     = "conn-refused"     // closed: RST (or ICMP port unreachable, which connect() cannot tell apart)
	ReasonNoResponse      = "no-response"      // filtered: every attempt timed out
	ReasonHostUnreach     = "host-unreach"     // filtered: ICMP host unreachable (IPv4 admin-prohibited reads the same)
	ReasonNetUnreach      = "net-unreach"      // filtered: ICMP network unreachable, or no route
	ReasonAdminProhibited = "admin-prohibited" // filtered: ICMPv6 administratively prohibited
	ReasonProtoUnreach    = "proto-unreach"    // filtered: ICMP protocol unreachable
	ReasonHostDown        = "host-down"        // filtered: EHOSTDOWN / ENONET from the kernel
	ReasonLocalFirewall   = "local-firewall"   // filtered: this machine's own firewall refused to send (EPERM)
	ReasonSelfConnect     = "self-connect"     // closed: the kernel connected the socket to itself, so nothing listens
)

// PortResult is the state of one port of one host.
type PortResult struct {
	Addr    netip.Addr   `json:"addr"`
	Port    netaddr.Port `json:"port"`
	State   State        `json:"state"`
	Reason  string       `json:"reason"`
	Service string       `json:"service,omitempty"` // the port's name in the services table, "" when it has none
	// RTT is the time from starting the connection to its answer (zero for
	// filtered ports).
	RTT time.Duration `json:"-"`
	// Banner is what the service sent first (with Options.Banner), made
	// printable and truncated; see SanitizeBanner.
	Banner string `json:"banner,omitempty"`
	// Tries is how many connection attempts the answer took (1 when the
	// first one was answered).
	Tries int `json:"tries"`
}

// MarshalJSON adds rtt_ms to the fields.
func (p PortResult) MarshalJSON() ([]byte, error) { return json.Marshal(p.fields()) }

// plainPort is PortResult without its methods, for embedding.
type plainPort PortResult

// portFields is PortResult as JSON; types that embed it get its fields.
type portFields struct {
	plainPort
	RTTms render.Millis `json:"rtt_ms"`
}

func (p PortResult) fields() portFields { return portFields{plainPort(p), render.Millis(p.RTT)} }

// Counts holds how many ports are in each state.
type Counts struct {
	Open     uint64 `json:"open"`
	Closed   uint64 `json:"closed"`
	Filtered uint64 `json:"filtered"`
	Failed   uint64 `json:"error"`
}

// Of returns the count for state s.
func (c Counts) Of(s State) uint64 {
	switch s {
	case Open:
		return c.Open
	case Closed:
		return c.Closed
	case Filtered:
		return c.Filtered
	}
	return c.Failed
}

func (c *Counts) add(s State, n uint64) {
	switch s {
	case Open:
		c.Open += n
	case Closed:
		c.Closed += n
	case Filtered:
		c.Filtered += n
	default:
		c.Failed += n
	}
}

// Total returns the number of ports counted.
func (c Counts) Total() uint64 { return c.Open + c.Closed + c.Filtered + c.Failed }

// ListLimit is how many ports of one state (other than open) a host lists
// individually with Options.All; a state with more is only counted, as
// nmap's "Not shown: N closed ports".
const ListLimit = 25

// HostResult is the outcome for one scanned address.
type HostResult struct {
	// Target is the command-line target the address came from ("localhost",
	// "10.0.0.0/24").
	Target string     `json:"target"`
	Name   string     `json:"name,omitempty"` // the host name, when the target was a name
	Addr   netip.Addr `json:"addr"`
	// OtherAddrs are the name's other addresses, which are not scanned
	// (nmap does the same).
	OtherAddrs []netip.Addr `json:"other_addrs,omitempty"`
	Counts     Counts       `json:"counts"`
	// Ports are the open ports in port order, and with Options.All also the
	// closed, filtered and failed ports of every state that has at most
	// ListLimit of them.
	Ports []PortResult `json:"ports"`
	// Done is false when the scan was interrupted before every port of this
	// host had its answer.
	Done bool `json:"done"`
}

// Listed reports whether the host's ports of state s are all in Ports.
func (h *HostResult) Listed(s State) bool {
	return s == Open || h.Counts.Of(s) <= ListLimit
}

// Result is a whole scan's outcome.
type Result struct {
	// Hosts are the scanned addresses with at least one open port, and with
	// Options.All every scanned address, in target order.
	Hosts []*HostResult `json:"-"`
	// Ports is the port list scanned on every host.
	Ports netaddr.PortList `json:"-"`
	// HostsScanned counts the addresses whose scan started.
	HostsScanned uint64 `json:"hosts"`
	// Counts totals the port states over all hosts.
	Counts Counts `json:"counts"`
	// Probes counts connection attempts, Retries those that repeated a
	// timed-out attempt.
	Probes  uint64 `json:"probes"`
	Retries uint64 `json:"retries"`
	// Backoffs counts the times the scan slowed down because answers came
	// only on retries (packet loss or a rate-limiting firewall) or much
	// later than before; RateCap is the probe rate it last settled on (0
	// when it never slowed down). MinWindow is the fewest probes in flight
	// it allowed after slowing down or running short of sockets (0 if it
	// never did).
	Backoffs  int     `json:"backoffs"`
	MinWindow int     `json:"min_window"`
	RateCap   float64 `json:"rate_cap"`
	// LossFloor is the share of first attempts the path lost whatever the
	// rate (a lossy link, not congestion): the scan retried those and did
	// not slow down for them. CutsUndone counts the cuts it took back on
	// finding that.
	LossFloor  float64 `json:"loss_floor"`
	CutsUndone int     `json:"cuts_undone"`
	// Late counts answers that came after their attempt had stopped
	// waiting: the timeout was shorter than the round trip (or this machine
	// too busy to look in time). They are answers, not losses. LateMax is
	// the slowest of them and Waited the longest a port's last attempt then
	// waited (above Options.Timeout; 0 when it was never raised).
	Late    uint64        `json:"late_answers"`
	Timeout time.Duration `json:"-"` // Options.Timeout
	LateMax time.Duration `json:"-"`
	Waited  time.Duration `json:"-"`
	// Concurrency is the most probes in flight the scan allowed: the
	// --concurrency asked for, capped below FDLimit.
	Concurrency int `json:"concurrency"`
	// FDLimit is the open-file limit (ulimit -n) the scan ran under; 0 where
	// the system has none.
	FDLimit uint64 `json:"fd_limit"`
	// Elapsed is the scan's wall time.
	Elapsed time.Duration `json:"-"`
	// Interrupted is true when the context was cancelled (Ctrl-C) before the
	// scan finished; everything above is what was found until then.
	Interrupted bool `json:"interrupted"`
	// Unresolved are the targets left out because they did not resolve, in
	// target order.
	Unresolved []TargetError `json:"unresolved,omitempty"`
	// FirstError is the first probe that failed with an unexpected error
	// (state "error"); nil when none did.
	FirstError error `json:"-"`
}

// MarshalJSON adds the port list, elapsed time and first error.
func (r Result) MarshalJSON() ([]byte, error) { return json.Marshal(r.fields()) }

// plainResult is Result without its methods, for embedding.
type plainResult Result

// resultFields is Result as JSON; types that embed it get its fields.
type resultFields struct {
	plainResult
	PortList  string        `json:"ports"`
	NumPorts  int           `json:"ports_per_host"`
	ElapsedMS render.Millis `json:"elapsed_ms"`
	LateMaxMS render.Millis `json:"late_max_ms"`
	WaitedMS  render.Millis `json:"waited_ms"`
	TimeoutMS render.Millis `json:"timeout_ms"`
	Error     string        `json:"first_error,omitempty"`
}

func (r Result) fields() resultFields {
	f := resultFields{plainResult: plainResult(r), PortList: r.Ports.String(), NumPorts: r.Ports.Len(), ElapsedMS: render.Millis(r.Elapsed),
		LateMaxMS: render.Millis(r.LateMax), WaitedMS: render.Millis(r.Waited), TimeoutMS: render.Millis(r.Timeout)}
	if r.FirstError != nil {
		f.Error = r.FirstError.Error()
	}
	return f
}

// Progress is a snapshot of a running scan.
type Progress struct {
	Done     uint64        // ports with a final state
	Total    uint64        // ports to scan (hosts × ports)
	Open     uint64        // open ports found so far
	InFlight int           // probes in flight now
	Window   int           // probes allowed in flight now (adaptive)
	Rate     float64       // probes started per second, over the last second
	Elapsed  time.Duration // since the scan started
}

// ETA estimates the time left from the rate so far; 0 when unknown.
func (p Progress) ETA() time.Duration {
	if p.Done == 0 || p.Done >= p.Total || p.Elapsed <= 0 {
		return 0
	}
	perPort := float64(p.Elapsed) / float64(p.Done)
	return time.Duration(perPort * float64(p.Total-p.Done))
}

// Events receives a scan's results as they happen. Every field may be nil.
// Calls are serialized: no two run at the same time, so callbacks need no
// locking of their own; they should return quickly.
type Events struct {
	// OnOpen is called for each open port as soon as it is found (with its
	// banner, when Options.Banner is set).
	OnOpen func(h *HostResult, p PortResult)
	// OnHost is called when every port of a host has its final state, for
	// one host after the other in scan order (a host that finishes early
	// waits for the ones before it).
	OnHost func(h *HostResult)
	// OnProgress is called about every 100 ms while the scan runs.
	OnProgress func(Progress)
}
