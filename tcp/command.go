package tcp

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/urfave/cli/v2"

	"netdiag/diag/exitcode"
	"netdiag/diag/render"
	"netdiag/diag/wire"
)

// Command returns the "tcp" command with its server and client subcommands.
func Command() *cli.Command {
	return &cli.Command{
		Name:  "tcp",
		Usage: "quick TCP test server and client (text in any encoding, hex, echo/reply)",
		Description: "netdiag tcp server: serve many clients at once, print what they send, reply, echo or discard.\n" +
			"netdiag tcp client: connect to any TCP server, send text, a file or stdin, print what comes back.\n" +
			"Both speak any encoding golang.org/x/text knows (--encoding gbk) and hex (--hex).",
		Subcommands: []*cli.Command{serverCommand(), clientCommand()},
	}
}

func serverCommand() *cli.Command {
	return &cli.Command{
		Name:      "server",
		Usage:     "serve many TCP clients at once: print, reply, echo or discard what they send",
		UsageText: "netdiag tcp server [-l ADDR] [-p PORT] [--reply TEXT | --echo | --discard] [--send TEXT --every D [--repeat N]] [options]",
		Description: "Listens on every interface (IPv4 and IPv6) or on -l, and serves every client in its own\n" +
			"goroutine: it prints each connect, each chunk received (byte count and decoded text) and each\n" +
			"disconnect with bytes in/out and duration. Ctrl-C stops it and prints a summary.\n" +
			"--send TEXT --every D sends TEXT to every connected client every D (--repeat N: N rounds).\n\n" +
			"Exit codes: 0 stopped by Ctrl-C/SIGTERM or --once done; 2 usage error, port in use, no permission.\n\n" +
			"Examples:\n" +
			"  netdiag tcp server -p 9090 --reply 'ok, 问题正在处理中...' --encoding gbk\n" +
			"  netdiag tcp server -l 127.0.0.1 -p 5000 --echo --max-conns 100 --idle-timeout 30s\n" +
			"  netdiag tcp server -p 5201 --discard            a sink for throughput tests\n" +
			"  netdiag tcp server -p 9090 --send 'heartbeat' --every 5s",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "listen", Aliases: []string{"l"}, Usage: "`ADDR` (address or name) to listen on: 127.0.0.1, ::1, localhost, [::1]:9090 (default: every interface)"},
			&cli.StringFlag{Name: "port", Aliases: []string{"p"}, Value: "9090", Usage: "`PORT` to listen on (0: any free port)"},
			&cli.StringFlag{Name: "reply", Usage: "answer every chunk received with `TEXT`"},
			&cli.BoolFlag{Name: "echo", Usage: "send back everything received"},
			&cli.BoolFlag{Name: "discard", Usage: "only count what arrives (a sink for throughput tests)"},
			&cli.BoolFlag{Name: "once", Usage: "serve one client, then exit"},
			&cli.IntFlag{Name: "max-conns", Usage: "serve at most `N` clients at once; more are closed at once (0: no limit)"},
			&cli.DurationFlag{Name: "idle-timeout", Usage: "drop a client that sends nothing, or reads nothing we send, for `SECONDS` (0: never)"},
			&cli.StringFlag{Name: "save", Usage: "write each client's bytes, raw, to its own file in `DIR`"},
		}, append(wire.ServerTimedFlags(), wire.CLIFlags()...)...),
		Action: serverAction,
	}
}

func clientCommand() *cli.Command {
	return &cli.Command{
		Name:      "client",
		Usage:     "connect to a TCP server, send text, a file or stdin, print what comes back",
		ArgsUsage: "HOST:PORT | HOST PORT",
		UsageText: "netdiag tcp client [options] HOST:PORT [options]   (or HOST PORT; IPv6 as [::1]:9090 or ::1 9090)",
		Description: "Connects (saying which address it reached, from which local port), then:\n" +
			"  --send TEXT   sends TEXT (--repeat N times, --interval D apart) and prints the replies;\n" +
			"  --file F      sends the file (from a mapping of it on Linux), then shuts down its write side;\n" +
			"  otherwise     streams stdin to the server like nc, shutting down the write side at EOF.\n" +
			"Everything received is printed as it arrives. The client closes when the server closes, or\n" +
			"once everything is sent and the server has sent nothing for --wait. A summary ends the run.\n\n" +
			"Exit codes: 0 done (or Ctrl-C); 1 could not connect, or the connection was reset or broke;\n" +
			"2 usage error, unknown host, unreadable file.\n\n" +
			"Examples:\n" +
			"  netdiag tcp client --encoding gbk --send '你好服务端,我是客户端小黑!' 127.0.0.1:9090\n" +
			"  echo hi | netdiag tcp client localhost 9090\n" +
			"  netdiag tcp client --file big.iso --info 10.0.0.2:5201",
		Flags: append([]cli.Flag{
			&cli.DurationFlag{Name: "timeout", Value: defaultConnectTimeout, Usage: "give up connecting to an address after `SECONDS`"},
			&cli.StringFlag{Name: "source", Aliases: []string{"s"}, Usage: "local `ADDR` or ADDR:PORT to connect from"},
			&cli.StringFlag{Name: "send", Usage: "send `TEXT` (with --hex: hex bytes), print the replies, close"},
			&cli.DurationFlag{Name: "wait", Aliases: []string{"w"}, Value: defaultWait, Usage: "once everything is sent, close after the server sends nothing for `SECONDS` (0: wait until it closes; -w as in nc)"},
			&cli.StringFlag{Name: "file", Aliases: []string{"f"}, Usage: "send the file `F` (from a mapping of it on Linux)"},
			&cli.IntFlag{Name: "repeat", Aliases: []string{"c"}, Value: 1, Usage: "send --send TEXT `N` times (-c: a count, as in ping)"},
			&cli.DurationFlag{Name: "interval", Aliases: []string{"i"}, Usage: "wait `SECONDS` between repeated sends (-i as in nc and ping)"},
			&cli.DurationFlag{Name: "every", Usage: "send --send TEXT every `SECONDS` until Ctrl-C (or --repeat N times)"},
			&cli.BoolFlag{Name: "info", Usage: "print socket addresses, SO_SNDBUF/SO_RCVBUF and (Linux) TCP_INFO at the end"},
			&cli.StringFlag{Name: "save", Usage: "write the server's bytes, raw, to a file in `DIR`"},
		}, wire.CLIFlags()...),
		Action: clientAction,
	}
}

func serverAction(c *cli.Context) error {
	if args := c.Args().Slice(); len(args) > 0 {
		return exitcode.Usagef("tcp server: unexpected argument %q: the server takes flags only, e.g. -l 127.0.0.1 -p 9090\nRun 'netdiag tcp server --help' for usage.", args[0])
	}
	lopt, sopt, err := serverOptions(serverFlags{ServerFlags: wire.ServerFlagsFromCLI(c),
		once: c.Bool("once"), maxConns: c.Int("max-conns"), idle: c.Duration("idle-timeout"), shared: wire.FlagsFromCLI(c)})
	if err != nil {
		return err
	}
	if sopt.Save, err = wire.SaverFlag(c, "tcp server"); err != nil {
		return err
	}
	defer sopt.Save.Close()
	ln, err := Listen(c.Context, lopt)
	if err != nil {
		return fmt.Errorf("tcp server: %w", err)
	}
	sopt.Input = wire.Stdin(c)
	sopt.NoData = isDevNull(c.App.Writer)
	p, closeOut := newPrinter(c)
	_, err = Serve(c.Context, ln, sopt, p.Emit)
	if err := errors.Join(closeOut(), p.Err(), sopt.Save.Close()); err != nil {
		return fmt.Errorf("tcp server: writing the output: %w", err)
	}
	if err != nil {
		return fmt.Errorf("tcp server: %w", err)
	}
	return nil
}

func clientAction(c *cli.Context) error {
	opt, err := clientOptions(clientFlags{ClientFlags: wire.ClientFlagsFromCLI(c),
		timeout: c.Duration("timeout"), wait: c.Duration("wait"), info: c.Bool("info"), shared: wire.FlagsFromCLI(c)})
	if err != nil {
		return err
	}
	f, err := wire.FileFlag(c, "tcp client")
	switch {
	case err != nil:
		return err
	case f != nil:
		defer f.Close()
		opt.File = f
	case opt.Send == nil:
		opt.Input = wire.Stdin(c)
		if f, ok := opt.Input.(*os.File); ok {
			opt.Interactive = render.IsTerminal(f)
		}
	}
	if opt.Save, err = wire.SaverFlag(c, "tcp client"); err != nil {
		return err
	}
	defer opt.Save.Close()
	p, closeOut := newPrinter(c)
	_, err = RunClient(c.Context, opt, p.Emit)
	err = wire.Flushed(err, closeOut, p.Printer, opt.Save)
	var ce *ConnectError
	var se *SessionError
	switch {
	case errors.As(err, &ce), errors.As(err, &se):
		return &exitcode.Error{Code: exitcode.Negative, Err: fmt.Errorf("tcp client: %w", err)}
	case err != nil:
		return fmt.Errorf("tcp client: %w", err)
	}
	return nil
}

// isDevNull reports whether w is the null device, where data lines would
// be formatted for nothing (GNU tar makes the same check for its archive).
func isDevNull(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	if err != nil {
		return false
	}
	null, err := os.Stat(os.DevNull)
	return err == nil && os.SameFile(st, null)
}

// newPrinter returns the command's Printer and the function that flushes
// and closes its output.
func newPrinter(c *cli.Context) (*Printer, func() error) {
	p, closeOut := wire.NewCLIPrinter(c, lines)
	return &Printer{p}, closeOut
}
