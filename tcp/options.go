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
	wire.ServerFlags
	once     bool
	maxConns int
	idle     time.Duration
	shared   shared
}

// serverOptions turns the command line into options, or a usage error.
func serverOptions(f serverFlags) (ListenOptions, ServerOptions, error) {
	const cmd = "tcp server"
	s, err := f.Server(cmd, f.shared)
	if err != nil {
		return ListenOptions{}, ServerOptions{}, err
	}
	lopt := ListenOptions{Family: s.Family, Host: s.Host, Port: s.Port}
	sopt := ServerOptions{Codec: s.Codec, Mode: s.Mode, Reply: s.Reply, Timed: s.Timed, Once: f.once, MaxConns: f.maxConns, IdleTimeout: f.idle, Hex: f.shared.Hex}
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
	wire.ClientFlags
	timeout time.Duration
	wait    time.Duration
	info    bool
	shared  shared
}

// clientOptions turns the command line into options, or a usage error. It
// leaves File and Input to the caller.
func clientOptions(f clientFlags) (ClientOptions, error) {
	const cmd = "tcp client"
	s, err := f.Sending(cmd, f.shared)
	if err != nil {
		return ClientOptions{}, err
	}
	opt := ClientOptions{Codec: s.Codec, Family: s.Family, Target: s.Target, Source: s.Source, Send: s.Send, Repeat: s.Repeat,
		Interval: s.Interval, Forever: s.Forever, Timeout: f.timeout, Wait: f.wait, Info: f.info, Hex: f.shared.Hex}
	if f.timeout < 0 || f.wait < 0 {
		return opt, exitcode.Usagef("%s: --timeout and --wait must not be negative", cmd)
	}
	return opt, nil
}
