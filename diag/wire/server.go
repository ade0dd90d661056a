package wire

import (
	"fmt"
	"time"

	"netdiag/diag/exitcode"
	"netdiag/diag/netaddr"
)

// Mode is what a tcp or udp server does with what it receives.
type Mode int

// The server modes.
const (
	// ModePrint reports everything received and answers nothing (the default).
	ModePrint Mode = iota
	// ModeReply reports everything received and answers each chunk or
	// datagram with the reply.
	ModeReply
	// ModeEcho reports everything received and sends it back.
	ModeEcho
	// ModeDiscard only counts: a sink for throughput tests.
	ModeDiscard
)

// String returns the mode's name as the flags and JSON name it.
func (m Mode) String() string {
	switch m {
	case ModeReply:
		return "reply"
	case ModeEcho:
		return "echo"
	case ModeDiscard:
		return "discard"
	}
	return "print"
}

// ServerFlags are the flags the tcp and udp servers share: -l ADDR[:PORT],
// -p PORT, one of --reply TEXT, --echo, --discard, and the timed sending
// --send TEXT --every D [--repeat N] (the Set fields say whether a flag
// was given).
type ServerFlags struct {
	Listen, Port  string
	PortSet       bool
	Reply         string
	ReplySet      bool
	Echo, Discard bool
	Send          string
	SendSet       bool
	Every         time.Duration
	EverySet      bool
	Repeat        int
	RepeatSet     bool
}

// Server is what ServerFlags and the shared Flags come to.
type Server struct {
	Codec  Codec
	Family netaddr.Family
	Host   netaddr.Host
	Port   netaddr.Port
	Mode   Mode
	// Reply is --reply's bytes, encoded, for ModeReply.
	Reply []byte
	// Timed is --send TEXT --every D [--repeat N]; its Send is nil
	// without them.
	Timed Timed
}

// Server checks the shared flags and the server's and returns what they
// ask for, or a usage error naming cmd ("tcp server").
func (f ServerFlags) Server(cmd string, shared Flags) (Server, error) {
	var s Server
	var err error
	if s.Codec, s.Family, err = shared.Parse(cmd); err != nil {
		return s, err
	}
	if s.Host, s.Port, err = f.addr(cmd); err != nil {
		return s, err
	}
	if s.Mode, s.Reply, err = f.mode(cmd, shared, s.Codec); err != nil {
		return s, err
	}
	s.Timed, err = f.timed(cmd, shared, s.Codec)
	return s, err
}

// addr returns the address and port to listen on, or a usage error: a port
// in -l must agree with a -p that was given.
func (f ServerFlags) addr(cmd string) (netaddr.Host, netaddr.Port, error) {
	port, err := netaddr.ParsePort(f.Port)
	if err != nil {
		return netaddr.Host{}, 0, exitcode.Usage(fmt.Errorf("%s: -p: %w", cmd, err))
	}
	if f.Listen == "" {
		return netaddr.Host{}, port, nil
	}
	host, lport, err := ParseListen(f.Listen)
	if err != nil {
		return netaddr.Host{}, 0, exitcode.Usage(fmt.Errorf("%s: -l: %w", cmd, err))
	}
	if lport != nil {
		if f.PortSet && *lport != port {
			return netaddr.Host{}, 0, exitcode.Usagef("%s: -l %s and -p %s name different ports", cmd, f.Listen, f.Port)
		}
		port = *lport
	}
	return host, port, nil
}

// mode returns the server's mode and, for ModeReply, the reply encoded
// with codec (shared gives --hex), or a usage error.
func (f ServerFlags) mode(cmd string, shared Flags, codec Codec) (Mode, []byte, error) {
	modes := 0
	for _, on := range []bool{f.ReplySet, f.Echo, f.Discard} {
		if on {
			modes++
		}
	}
	switch {
	case modes > 1:
		return ModePrint, nil, exitcode.Usagef("%s: --reply, --echo and --discard exclude each other", cmd)
	case f.ReplySet:
		reply, err := shared.Payload(cmd, "--reply", f.Reply, codec)
		return ModeReply, reply, err
	case f.Echo:
		return ModeEcho, nil, nil
	case f.Discard:
		return ModeDiscard, nil, nil
	}
	return ModePrint, nil, nil
}

// timed returns the timed sending, with --send encoded with codec (shared
// gives --hex), or a usage error: --send, --every and --repeat go
// together, --repeat only with the other two.
func (f ServerFlags) timed(cmd string, shared Flags, codec Codec) (Timed, error) {
	switch {
	case f.EverySet && !f.SendSet:
		return Timed{}, exitcode.Usagef("%s: --every D sends --send TEXT to every client; add --send", cmd)
	case f.SendSet && !f.EverySet:
		return Timed{}, exitcode.Usagef("%s: --send TEXT goes to every client every --every D; add --every (--reply answers what clients send)", cmd)
	case f.RepeatSet && !f.EverySet:
		return Timed{}, exitcode.Usagef("%s: --repeat N counts the rounds of --every D; add --every and --send", cmd)
	case !f.EverySet:
		return Timed{}, nil
	case f.Every <= 0:
		return Timed{}, exitcode.Usagef("%s: --every needs a positive duration", cmd)
	case f.RepeatSet && f.Repeat < 1:
		return Timed{}, exitcode.Usagef("%s: --repeat must be 1 or more (without it, --every sends until Ctrl-C)", cmd)
	}
	send, err := shared.Payload(cmd, "--send", f.Send, codec)
	t := Timed{Send: send, Every: f.Every}
	if f.RepeatSet {
		t.Repeat = f.Repeat
	}
	return t, err
}
