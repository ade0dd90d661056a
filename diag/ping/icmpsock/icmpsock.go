// Package icmpsock sends ICMP echo requests and receives what comes back:
// echo replies and the ICMP errors (destination unreachable, time exceeded,
// …) that routers send about them. One Conn serves one address family and
// any number of destinations, so a sweep of a thousand hosts uses one socket
// per family, not one per host.
//
// Two kinds of socket can do this, and Open picks one (Mode):
//
//   - unprivileged ICMP datagram sockets (Linux: socket(AF_INET, SOCK_DGRAM,
//     IPPROTO_ICMP)), allowed when net.ipv4.ping_group_range covers one of
//     the process's groups. The kernel sets the echo identifier, hands the
//     socket only its own replies, and reports ICMP errors through the
//     socket's error queue (IP_RECVERR), which this package reads;
//   - raw ICMP sockets, for root or CAP_NET_RAW. They see every ICMP packet
//     the host receives; a BPF filter keeps only replies carrying this
//     Conn's identifier and the errors about its requests.
//
// When neither is allowed, Open returns a *PermissionError whose message
// names the three ways to fix it.
//
// Engines take their sockets as a Socket, the interface *Conn satisfies,
// so their tests can hand in package icmpfake's fake instead.
//
// Messages are built and parsed with golang.org/x/net/icmp, the primitives
// pro-bing uses; the sockets themselves are opened with golang.org/x/sys/unix
// on Linux, because the error queue, kernel receive timestamps and socket
// filters need the file descriptor, which x/net/icmp does not expose.
package icmpsock

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// Mode selects the kind of ICMP socket.
type Mode int

// The socket modes.
const (
	// Auto tries an unprivileged datagram socket first and falls back to a
	// raw socket.
	Auto Mode = iota
	// Unprivileged uses an ICMP datagram socket ("ping socket").
	Unprivileged
	// Privileged uses a raw ICMP socket (root or CAP_NET_RAW).
	Privileged
)

// String returns "auto", "unprivileged" or "privileged".
func (m Mode) String() string {
	switch m {
	case Unprivileged:
		return "unprivileged"
	case Privileged:
		return "privileged"
	}
	return "auto"
}

// Config says how to open a Conn.
type Config struct {
	Mode      Mode
	IPv6      bool       // the address family: ICMPv6 over IPv6 when true
	Source    netip.Addr // the local address to send from; zero for the system's choice
	Interface string     // send and receive only through this interface (SO_BINDTODEVICE); "" for any
	TTL       int        // the IPv4 TTL or IPv6 hop limit of requests; 0 for the system default
	// RecvBuffer is the socket receive buffer to ask for, in bytes; a
	// sweep's replies arrive in a burst. 0 leaves the system default.
	RecvBuffer int
}

// Kind says what a received Packet is.
type Kind int

// The kinds of packet Recv returns.
const (
	// EchoReply is an answer to one of this Conn's requests.
	EchoReply Kind = iota + 1
	// ICMPError is an ICMP error message (unreachable, time exceeded, …)
	// about one of this Conn's requests, or an error the local stack
	// reported for it (Local).
	ICMPError
)

// Packet is an echo reply or an error about an echo request.
type Packet struct {
	Kind Kind
	// From is who sent it: the replying host, or the router or host that
	// reported the error.
	From netip.Addr
	// Dst is the destination of the request an ICMPError is about, when
	// the error carries it (the zero Addr otherwise).
	Dst netip.Addr
	// ID and Seq are the echo identifier and sequence number of the reply,
	// or of the request the error is about.
	ID, Seq uint16
	// TTL is the reply's IPv4 TTL or IPv6 hop limit; -1 when unknown.
	TTL int
	// Len is an echo reply's ICMP message length (header and data) in
	// bytes, what ping prints as "64 bytes from"; 0 for errors.
	Len int
	// Data is the echo reply's data (for errors, whatever part of the
	// request's data the error quoted). It aliases the buffer passed to
	// Recv.
	Data []byte
	// Type, Code and Info describe an ICMPError: the ICMP type and code,
	// and the MTU (fragmentation needed, packet too big) or pointer
	// (parameter problem) when they apply.
	Type, Code int
	Info       uint32
	// Local is set for errors raised by this host's own stack rather than
	// received as ICMP (Errno says which).
	Local bool
	Errno syscall.Errno
	// When is when the packet arrived: the kernel's receive timestamp when
	// the system provides one, else the time Recv read it.
	When time.Time
}

// Describe returns what an error Packet means, in iputils ping's words
// ("Destination Host Unreachable", "Time to live exceeded").
func (p *Packet) Describe() string {
	if p.Local {
		return "local error: " + p.Errno.Error()
	}
	return Describe(p.From.Is6() && !p.From.Is4In6(), p.Type, p.Code, p.Info)
}

// Open opens an ICMP socket as cfg says. In Auto mode it tries an
// unprivileged datagram socket first and falls back to a raw one; when
// neither is allowed, or the forced mode is not, the error is a
// *PermissionError.
func Open(cfg Config) (*Conn, error) {
	if cfg.Mode == Unprivileged || cfg.Mode == Privileged {
		c, err := open(cfg, cfg.Mode == Privileged)
		if err != nil && isPermission(err) && isSocketErr(err) {
			perr := permissionError(cfg)
			if cfg.Mode == Privileged {
				perr.RawErr = err
			} else {
				perr.DgramErr = err
			}
			return nil, perr
		}
		return c, err
	}
	c, derr := open(cfg, false)
	if derr == nil || !isSocketErr(derr) {
		return c, derr
	}
	c, rerr := open(cfg, true)
	if rerr == nil {
		return c, nil
	}
	if isPermission(rerr) && isSocketErr(rerr) {
		perr := permissionError(cfg)
		perr.DgramErr, perr.RawErr = derr, rerr
		return nil, perr
	}
	return nil, rerr
}

// sockInfo is what every Conn knows about its socket.
type sockInfo struct {
	v6  bool
	raw bool
	id  uint16
}

// Mode returns the kind of socket Open chose: Unprivileged or Privileged.
func (s *sockInfo) Mode() Mode {
	if s.raw {
		return Privileged
	}
	return Unprivileged
}

// ID returns the echo identifier requests carry (on Linux datagram
// sockets, the one the kernel gave the socket).
func (s *sockInfo) ID() uint16 { return s.id }

// ErrClosed is returned by Recv after Close.
var ErrClosed = errors.New("icmpsock: connection closed")

// errTimeout is returned by Recv when the read deadline passes.
var errTimeout = errors.New("icmpsock: read deadline exceeded")

// IsTimeout reports whether err is Recv's deadline error.
func IsTimeout(err error) bool { return errors.Is(err, errTimeout) }

// PermissionError is returned by Open when the process may open neither
// kind of ICMP socket (or not the kind it insisted on). Its message says
// why each failed and names the fixes.
type PermissionError struct {
	Mode     Mode   // what was asked for
	IPv6     bool   // the address family
	DgramErr error  // why the unprivileged socket failed (nil if not tried)
	RawErr   error  // why the raw socket failed (nil if not tried)
	Range    string // net.ipv4.ping_group_range as read, "" if unreadable
	Groups   []int  // the process's group IDs
	Exe      string // this program's file, symbolic links resolved: what setcap must be given
}

// Error explains the failure and lists the fixes with exact commands.
func (e *PermissionError) Error() string {
	fam := "ICMP"
	if e.IPv6 {
		fam = "ICMPv6"
	}
	s := fmt.Sprintf("no permission to send %s echo requests", fam)
	if e.DgramErr != nil {
		s += fmt.Sprintf("\n  unprivileged ICMP socket: %v", e.DgramErr)
		if e.Range != "" {
			s += fmt.Sprintf(" (net.ipv4.ping_group_range is %q; this process's groups are %s)", e.Range, groupList(e.Groups))
		}
	}
	if e.RawErr != nil {
		s += fmt.Sprintf("\n  raw ICMP socket: %v (needs root or CAP_NET_RAW)", e.RawErr)
	}
	exe := e.Exe
	if exe == "" {
		exe = "netdiag"
	}
	gid := 0
	if len(e.Groups) > 0 {
		gid = e.Groups[0]
	}
	var fixes []string
	if e.Mode != Unprivileged {
		fixes = append(fixes,
			"run it as root: sudo "+exe+" ping ...",
			"give the program the raw-socket capability: sudo setcap cap_net_raw+ep "+exe)
	}
	if e.Mode != Privileged {
		fixes = append(fixes, fmt.Sprintf("let your groups use ICMP sockets: sudo sysctl -w net.ipv4.ping_group_range=\"0 2147483647\" (or \"%d %d\" for your group alone; make it permanent in /etc/sysctl.d/)", gid, gid))
	}
	s += "\nFix it one of these ways:"
	for i, f := range fixes {
		s += fmt.Sprintf("\n  %d. %s", i+1, f)
	}
	switch e.Mode {
	case Privileged:
		s += "\n  (or drop --privileged to let netdiag use unprivileged ICMP sockets where allowed)"
	case Unprivileged:
		s += "\n  (or drop --unprivileged to let netdiag fall back to a raw socket where allowed)"
	}
	return s
}

// executable returns the path of this program's file, with symbolic links
// resolved (setcap refuses a link), or "" when it is unknown.
func executable() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	if real, err := filepath.EvalSymlinks(exe); err == nil {
		return real
	}
	return exe
}

func groupList(g []int) string {
	if len(g) == 0 {
		return "unknown"
	}
	s := ""
	for i, id := range g {
		if i > 0 {
			s += ","
		}
		s += fmt.Sprint(id)
	}
	return s
}

// isPermission reports whether err means "not allowed" rather than a
// missing feature or a resource problem.
func isPermission(err error) bool {
	return errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EACCES)
}
