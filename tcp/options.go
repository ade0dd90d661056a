package tcp

import (
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
	opt := ClientOptions{Codec: codec, Family: fam, Timeout: f.timeout, Wait: f.wait, Info: f.info, Hex: f.shared.Hex}
	cf := wire.ClientFlags{Args: f.args, Source: f.source, Send: f.send, SendSet: f.sendSet, File: f.file,
		Repeat: f.repeat, RepeatSet: f.repeatSet, Interval: f.interval, Every: f.every, EverySet: f.everySet}
	s, err := cf.Sending(cmd, f.shared, codec)
	if err != nil {
		return opt, err
	}
	opt.Target, opt.Source, opt.Send, opt.Repeat, opt.Interval, opt.Forever = s.Target, s.Source, s.Send, s.Repeat, s.Interval, s.Forever
	if f.timeout < 0 || f.wait < 0 {
		return opt, exitcode.Usagef("%s: --timeout and --wait must not be negative", cmd)
	}
	return opt, nil
}
