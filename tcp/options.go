package tcp

import (
	"fmt"
	"time"

	"netdiag/diag/exitcode"
	"netdiag/diag/wire"
)

// Defaults of the client's timing flags.
const (
	defaultConnectTimeout = 10 * time.Second
	defaultWait           = 2 * time.Second
)

// shared are the flags both subcommands have, as udp has them too.
type shared = wire.Flags

// serverFlags is the server's command line.
type serverFlags struct {
	listen, port  string
	portSet       bool
	reply         string
	replySet      bool
	echo, discard bool
	once          bool
	maxConns      int
	idle          time.Duration
	shared        shared
}

// serverOptions turns the command line into options, or a usage error.
func serverOptions(f serverFlags) (ListenOptions, ServerOptions, error) {
	const cmd = "tcp server"
	codec, fam, err := f.shared.Parse(cmd)
	if err != nil {
		return ListenOptions{}, ServerOptions{}, err
	}
	lopt := ListenOptions{Family: fam}
	sopt := ServerOptions{Codec: codec, Once: f.once, MaxConns: f.maxConns, IdleTimeout: f.idle, Hex: f.shared.Hex}
	sf := wire.ServerFlags{Listen: f.listen, Port: f.port, PortSet: f.portSet, Reply: f.reply, ReplySet: f.replySet, Echo: f.echo, Discard: f.discard}
	if lopt.Host, lopt.Port, err = sf.Addr(cmd); err != nil {
		return lopt, sopt, err
	}
	if sopt.Mode, sopt.Reply, err = sf.Mode(cmd, f.shared, codec); err != nil {
		return lopt, sopt, err
	}
	if f.maxConns < 0 {
		return lopt, sopt, exitcode.Usagef("%s: --max-conns must be 0 (no limit) or more", cmd)
	}
	if f.idle < 0 {
		return lopt, sopt, exitcode.Usagef("%s: --idle-timeout must not be negative", cmd)
	}
	return lopt, sopt, nil
}

// clientFlags is the client's command line.
type clientFlags struct {
	args      []string
	timeout   time.Duration
	source    string
	send      string
	sendSet   bool
	wait      time.Duration
	file      string
	repeat    int
	repeatSet bool
	interval  time.Duration
	every     time.Duration
	everySet  bool
	info      bool
	shared    shared
}

// clientOptions turns the command line into options, or a usage error. It
// leaves File and Input to the caller.
func clientOptions(f clientFlags) (ClientOptions, error) {
	const cmd = "tcp client"
	codec, fam, err := f.shared.Parse(cmd)
	if err != nil {
		return ClientOptions{}, err
	}
	opt := ClientOptions{Codec: codec, Family: fam, Timeout: f.timeout, Wait: f.wait,
		Repeat: f.repeat, Interval: f.interval, Info: f.info, Hex: f.shared.Hex}
	if opt.Target, err = wire.ParseTarget(f.args); err != nil {
		return opt, exitcode.UsageHint(fmt.Errorf("%s: %w", cmd, err), "netdiag tcp client")
	}
	if f.source != "" {
		if opt.Source, err = wire.ParseSource(f.source); err != nil {
			return opt, exitcode.Usage(fmt.Errorf("%s: --source: %w", cmd, err))
		}
	}
	switch {
	case f.sendSet && f.file != "":
		return opt, exitcode.Usagef("%s: --send and --file exclude each other", cmd)
	case (f.repeatSet || f.interval != 0 || f.everySet) && !f.sendSet:
		return opt, exitcode.Usagef("%s: --repeat and --interval repeat --send TEXT, and --every sends it on a timer; add --send", cmd)
	case f.everySet && f.interval != 0:
		return opt, exitcode.Usagef("%s: --every and --interval exclude each other (--every D is --interval D until Ctrl-C)", cmd)
	case f.everySet && f.every <= 0:
		return opt, exitcode.Usagef("%s: --every needs a positive duration", cmd)
	case f.repeat < 1:
		return opt, exitcode.Usagef("%s: --repeat must be 1 or more", cmd)
	case f.timeout < 0, f.wait < 0, f.interval < 0:
		return opt, exitcode.Usagef("%s: --timeout, --wait and --interval must not be negative", cmd)
	}
	if f.everySet {
		opt.Interval = f.every
		opt.Forever = !f.repeatSet
	}
	if f.sendSet {
		if opt.Send, err = f.shared.Payload(cmd, "--send", f.send, codec); err != nil {
			return opt, err
		}
	}
	return opt, nil
}
