package udp

import (
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"
	"time"

	"netdiag/diag/exitcode"
	"netdiag/diag/netaddr"
	"netdiag/diag/wire"
	"netdiag/internal/clock"
)

// Defaults and limits.
const (
	defaultWait = time.Second
	// defaultSize cuts a --file into datagrams that fit an Ethernet path
	// with IPv6 and tunnel headers to spare.
	defaultSize = 1400
	// maxRecv is the receive buffer: the largest UDP payload fits.
	maxRecv = 65536
)

// Mode is what the server does with a datagram (wire's, shared with tcp).
type Mode = wire.Mode

// The server's modes.
const (
	ModePrint   = wire.ModePrint   // print, answer nothing (the default)
	ModeReply   = wire.ModeReply   // print, answer with Reply
	ModeEcho    = wire.ModeEcho    // print, send it back
	ModeDiscard = wire.ModeDiscard // only count
)

// Group is a multicast group to join: --group ADDR[%IFACE].
type Group struct {
	Addr netip.Addr
	// Iface is the interface to join on; empty lets the system choose.
	Iface string
}

// String returns ADDR or ADDR%IFACE.
func (g Group) String() string {
	if g.Iface != "" {
		return g.Addr.String() + "%" + g.Iface
	}
	return g.Addr.String()
}

// ListenOptions say where the server binds.
type ListenOptions struct {
	Host   netaddr.Host // zero: every interface
	Port   netaddr.Port
	Family netaddr.Family
	// Shared sets SO_REUSEADDR, so that several members on one host can
	// bind the port of a multicast group (set when --group is given).
	Shared bool
}

// ServerOptions configure Serve. The zero value prints every datagram as
// UTF-8.
type ServerOptions struct {
	Mode Mode
	// Reply answers every datagram in ModeReply (already encoded).
	Reply []byte
	// Size is the receive buffer: longer datagrams are truncated, and said
	// to be. 0 means 65,536 (nothing is truncated).
	Size   int
	Groups []Group
	// Codec decodes what arrives and encodes stdin lines; zero means UTF-8.
	Codec wire.Codec
	// Hex shows bytes and decodes nothing; stdin lines are hex digits.
	Hex bool
	// Save, when set, gets every peer's bytes (--save).
	Save *wire.Saver
	// Input is read for commands (/list, /close ID, @ID TEXT, TEXT) while
	// serving; nil reads none.
	Input io.Reader
	// Timed sends its TEXT to every peer not /closed on a timer (--send
	// --every, wire.RunTimed); a failed send is an error event, op
	// "every".
	Timed wire.Timed
	// Clock times Timed; nil is the system clock.
	Clock clock.Clock
}

// ClientOptions configure RunClient. The datagrams are Send (Repeat
// times, Interval apart), File cut into Size-byte datagrams, or the lines
// of Input.
type ClientOptions struct {
	Target netaddr.HostPort
	// Family restricts which of a name's addresses is used (-4, -6).
	Family netaddr.Family
	// Source binds the local end (--source); its port may be 0.
	Source netip.AddrPort
	// Resolver resolves a name; nil means net.DefaultResolver.
	Resolver *net.Resolver
	Codec    wire.Codec
	Hex      bool
	Send     []byte
	// Repeat sends Send this many times (at least once) unless Forever.
	Repeat int
	// Forever sends Send until ctx is done (--every without --repeat).
	Forever  bool
	Interval time.Duration
	// Clock times Interval; nil is the system clock.
	Clock clock.Clock
	File  io.Reader
	// Size cuts File into datagrams of this many bytes (0: 1,400).
	Size  int
	Input io.Reader
	// Broadcast allows a broadcast address (SO_BROADCAST). A broadcast or
	// multicast target is sent to from an unconnected socket, and replies
	// are taken from any source.
	Broadcast bool
	// Wait is how long to wait for replies after the last datagram (and
	// after each reply); waiting ends early once every datagram came back
	// as an echo.
	Wait time.Duration
	// Save, when set, gets the replies' bytes (--save).
	Save *wire.Saver
	// DontFragment turns fragmentation off (--dont-fragment): a datagram
	// larger than the path MTU is a *TooLargeError that says what fits.
	DontFragment bool
}

// serverFlags is the server's command line.
type serverFlags struct {
	wire.ServerFlags
	groups []string
	size   int
	shared wire.Flags
}

// serverOptions turns the command line into options, or a usage error.
func serverOptions(f serverFlags) (ListenOptions, ServerOptions, error) {
	const cmd = "udp server"
	s, err := f.Server(cmd, f.shared)
	if err != nil {
		return ListenOptions{}, ServerOptions{}, err
	}
	at := ListenOptions{Family: s.Family, Host: s.Host, Port: s.Port}
	opt := ServerOptions{Codec: s.Codec, Mode: s.Mode, Reply: s.Reply, Timed: s.Timed, Hex: f.shared.Hex, Size: f.size}
	if f.size < 0 || f.size > maxRecv {
		return at, opt, exitcode.Usagef("%s: --size must be 1 to %d bytes (0: %d)", cmd, maxRecv, maxRecv)
	}
	for _, g := range f.groups {
		grp, err := parseGroup(g)
		if err != nil {
			return at, opt, exitcode.Usage(fmt.Errorf("%s: --group: %w", cmd, err))
		}
		if !s.Family.Matches(grp.Addr) {
			return at, opt, exitcode.Usagef("%s: --group %s is not an %s group", cmd, g, s.Family)
		}
		opt.Groups = append(opt.Groups, grp)
	}
	at.Shared = len(opt.Groups) > 0
	return at, opt, nil
}

// parseGroup reads ADDR[%IFACE]: an IPv4 or IPv6 multicast address.
func parseGroup(s string) (Group, error) {
	addr, iface, hasIface := strings.Cut(s, "%")
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return Group{}, fmt.Errorf("%q is not an IP address: give a multicast group such as 239.1.2.3 or ff15::1, optionally with %%IFACE", s)
	}
	if !a.IsMulticast() {
		return Group{}, fmt.Errorf("%s is not a multicast address (224.0.0.0/4 or ff00::/8)", a)
	}
	if hasIface && iface == "" {
		return Group{}, fmt.Errorf("%q: no interface after %%", s)
	}
	return Group{Addr: a.Unmap(), Iface: iface}, nil
}

// clientFlags is the client's command line.
type clientFlags struct {
	wire.ClientFlags
	size      int
	sizeSet   bool
	broadcast bool
	dontFrag  bool
	wait      time.Duration
	shared    wire.Flags
}

// clientOptions turns the command line into options, or a usage error. It
// leaves File, Input and Save to the caller.
func clientOptions(f clientFlags) (ClientOptions, error) {
	const cmd = "udp client"
	s, err := f.Sending(cmd, f.shared)
	if err != nil {
		return ClientOptions{}, err
	}
	opt := ClientOptions{Codec: s.Codec, Family: s.Family, Target: s.Target, Source: s.Source, Send: s.Send, Repeat: s.Repeat,
		Interval: s.Interval, Forever: s.Forever, Hex: f.shared.Hex, Broadcast: f.broadcast, Wait: f.wait, Size: f.size,
		DontFragment: f.dontFrag}
	switch {
	case f.wait < 0:
		return opt, exitcode.Usagef("%s: --wait must not be negative", cmd)
	case f.sizeSet && f.File == "":
		return opt, exitcode.Usagef("%s: --size cuts a --file into datagrams; add --file", cmd)
	case f.size < 1 || f.size > maxRecv:
		return opt, exitcode.Usagef("%s: --size must be 1 to %d bytes", cmd, maxRecv)
	}
	return opt, nil
}
