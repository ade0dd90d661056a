package wire

import (
	"fmt"
	"net/netip"
	"time"

	"netdiag/diag/exitcode"
	"netdiag/diag/netaddr"
)

// ClientFlags are the flags the tcp and udp clients share: the target
// (HOST:PORT or HOST PORT), --source, --send TEXT or --file, --repeat,
// --interval and --every (the Set fields say whether they were given).
type ClientFlags struct {
	Args      []string
	Source    string
	Send      string
	SendSet   bool
	File      string
	Repeat    int
	RepeatSet bool
	Interval  time.Duration
	Every     time.Duration
	EverySet  bool
}

// Sending is what ClientFlags and the shared Flags come to.
type Sending struct {
	Codec  Codec
	Family netaddr.Family
	Target netaddr.HostPort
	Source netip.AddrPort // zero: the system picks
	Send   []byte         // --send's bytes, encoded; nil without --send
	Repeat int
	// Interval is the time between sends; Forever repeats until Ctrl-C
	// (--every without --repeat).
	Interval time.Duration
	Forever  bool
}

// Sending checks the shared flags and the client's and returns what the
// client sends, or a usage error naming cmd ("tcp client"); --send is
// encoded with the --encoding codec (or read as hex with --hex).
func (f ClientFlags) Sending(cmd string, shared Flags) (Sending, error) {
	s := Sending{Repeat: f.Repeat, Interval: f.Interval}
	var err error
	if s.Codec, s.Family, err = shared.Parse(cmd); err != nil {
		return s, err
	}
	if s.Target, err = ParseTarget(f.Args); err != nil {
		return s, exitcode.UsageHint(fmt.Errorf("%s: %w", cmd, err), "netdiag "+cmd)
	}
	if f.Source != "" {
		if s.Source, err = ParseSource(f.Source); err != nil {
			return s, exitcode.Usage(fmt.Errorf("%s: --source: %w", cmd, err))
		}
	}
	switch {
	case f.SendSet && f.File != "":
		return s, exitcode.Usagef("%s: --send and --file exclude each other", cmd)
	case (f.RepeatSet || f.Interval != 0 || f.EverySet) && !f.SendSet:
		return s, exitcode.Usagef("%s: --repeat and --interval repeat --send TEXT, and --every sends it on a timer; add --send", cmd)
	case f.EverySet && f.Interval != 0:
		return s, exitcode.Usagef("%s: --every and --interval exclude each other (--every D is --interval D until Ctrl-C)", cmd)
	case f.EverySet && f.Every <= 0:
		return s, exitcode.Usagef("%s: --every needs a positive duration", cmd)
	case f.Repeat < 1:
		return s, exitcode.Usagef("%s: --repeat must be 1 or more", cmd)
	case f.Interval < 0:
		return s, exitcode.Usagef("%s: --interval must not be negative", cmd)
	}
	if f.EverySet {
		s.Interval = f.Every
		s.Forever = !f.RepeatSet
	}
	if f.SendSet {
		if s.Send, err = shared.Payload(cmd, "--send", f.Send, s.Codec); err != nil {
			return s, err
		}
	}
	return s, nil
}
