package udp

import (
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"netdiag/diag/exitcode"
	"netdiag/diag/wire"
)

// Command returns the "udp" command with its server and client subcommands.
func Command() *cli.Command {
	return &cli.Command{
		Name:  "udp",
		Usage: "quick UDP test server and client (text in any encoding, hex, echo/reply, multicast)",
		Description: "netdiag udp server: print every datagram with its source, reply, echo or discard; join multicast groups.\n" +
			"netdiag udp client: send text, a file or stdin lines as datagrams; print replies, echo RTT and loss.\n" +
			"Both speak any encoding golang.org/x/text knows (--encoding gbk) and hex (--hex).",
		Subcommands: []*cli.Command{serverCommand(), clientCommand()},
	}
}

func serverCommand() *cli.Command {
	return &cli.Command{
		Name:      "server",
		Usage:     "receive UDP datagrams: print, reply, echo or discard them; join multicast groups",
		UsageText: "netdiag udp server [-l ADDR] [-p PORT] [--reply TEXT | --echo | --discard] [--send TEXT --every D [--repeat N]] [--group ADDR[%IFACE]]... [options]",
		Description: "Listens on every interface (IPv4 and IPv6) or on -l, and prints each datagram with its source,\n" +
			"size and decoded text. Each source address is a peer, numbered when first heard from.\n" +
			"Lines typed on stdin go to every peer; '@ID text' to one; /list lists the peers; /close ID forgets one.\n" +
			"--send TEXT --every D sends TEXT to every peer (not /closed) every D (--repeat N: N rounds).\n" +
			"Ctrl-C stops it and prints a summary with per-peer counts.\n\n" +
			"Exit codes: 0 stopped by Ctrl-C/SIGTERM; 2 usage error (unknown encoding, invalid group), port in use,\n" +
			"group that cannot be joined.\n\n" +
			"Examples:\n" +
			"  netdiag udp server -p 9999 --echo\n" +
			"  netdiag udp server -p 5000 --reply 'ok' --encoding gbk --save ./in\n" +
			"  netdiag udp server -p 5353 --group 239.1.2.3%eth0\n" +
			"  netdiag udp server -p 9999 --send 'heartbeat' --every 5s --repeat 10",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "listen", Aliases: []string{"l"}, Usage: "`ADDR` (address or name) to listen on: 127.0.0.1, ::1, localhost, [::1]:9999 (default: every interface)"},
			&cli.StringFlag{Name: "port", Aliases: []string{"p"}, Value: "9999", Usage: "`PORT` to listen on (0: any free port)"},
			&cli.StringFlag{Name: "reply", Usage: "answer every datagram with `TEXT`"},
			&cli.BoolFlag{Name: "echo", Usage: "send every datagram back"},
			&cli.BoolFlag{Name: "discard", Usage: "only count what arrives (a sink for rate tests)"},
			&cli.StringSliceFlag{Name: "group", Aliases: []string{"g"}, Usage: "join multicast group `ADDR[%IFACE]` (239.1.2.3, ff15::1%eth0); repeatable"},
			&cli.IntFlag{Name: "size", Usage: "receive buffer in `BYTES`: longer datagrams are truncated, and said to be (0: 65536)"},
			&cli.StringFlag{Name: "save", Usage: "write each peer's bytes, raw, to its own file in `DIR`"},
		}, append(wire.ServerTimedFlags(), wire.CLIFlags()...)...),
		Action: serverAction,
	}
}

func clientCommand() *cli.Command {
	return &cli.Command{
		Name:      "client",
		Usage:     "send UDP datagrams (text, a file or stdin lines) and print the replies",
		ArgsUsage: "HOST:PORT | HOST PORT",
		UsageText: "netdiag udp client [options] HOST:PORT [options]   (or HOST PORT; IPv6 as [::1]:9999 or ::1 9999)",
		Description: "Sends, each as one datagram:\n" +
			"  --send TEXT   TEXT (--repeat N times, --interval D apart; --every D until Ctrl-C);\n" +
			"  --file F      the file, cut into --size-byte datagrams;\n" +
			"  otherwise     every line of stdin, its newline included (as nc -u sends a typed line).\n" +
			"Every reply is printed; a reply equal to a datagram sent is its echo, with its round-trip time, and\n" +
			"the summary counts echoes, loss, duplicates and reordering. After the last datagram the client waits\n" +
			"--wait for replies. An ICMP port unreachable is reported as \"port closed\".\n\n" +
			"Exit codes: 0 done (or Ctrl-C); 1 port closed (ICMP port unreachable); 2 usage error, unknown host,\n" +
			"a datagram larger than UDP or, with --dont-fragment, the path allows (the error says what fits).\n\n" +
			"Examples:\n" +
			"  netdiag udp client --send ping --repeat 10 --interval 0.2 127.0.0.1:9999\n" +
			"  netdiag udp client --encoding gbk --send '你好' --every 1s localhost 9999\n" +
			"  netdiag udp client --broadcast --send hello 192.168.1.255:9999",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "source", Aliases: []string{"s"}, Usage: "local `ADDR` or ADDR:PORT to send from"},
			&cli.StringFlag{Name: "send", Usage: "send `TEXT` (with --hex: hex bytes) as a datagram"},
			&cli.IntFlag{Name: "repeat", Aliases: []string{"c"}, Value: 1, Usage: "send --send TEXT `N` times (-c: a count, as in ping)"},
			&cli.DurationFlag{Name: "interval", Aliases: []string{"i"}, Usage: "wait `SECONDS` between repeated sends"},
			&cli.DurationFlag{Name: "every", Usage: "send --send TEXT every `SECONDS` until Ctrl-C (or --repeat N times)"},
			&cli.StringFlag{Name: "file", Aliases: []string{"f"}, Usage: "send the file `F`, cut into --size-byte datagrams"},
			&cli.IntFlag{Name: "size", Value: defaultSize, Usage: "`BYTES` per datagram of a --file"},
			&cli.BoolFlag{Name: "broadcast", Aliases: []string{"b"}, Usage: "allow a broadcast address (SO_BROADCAST); replies from any address"},
			&cli.BoolFlag{Name: "dont-fragment", Usage: "set the don't-fragment bit: a datagram larger than the path MTU is an error that says what fits (as ping -M do, iperf3 --dont-fragment)"},
			&cli.DurationFlag{Name: "wait", Aliases: []string{"w"}, Value: defaultWait, Usage: "wait `SECONDS` for replies after the last datagram (and after each reply)"},
			&cli.StringFlag{Name: "save", Usage: "write the replies' bytes, raw, to a file per peer in `DIR`"},
		}, wire.CLIFlags()...),
		Action: clientAction,
	}
}

// serverFlagsFromCLI reads the server's command line.
func serverFlagsFromCLI(c *cli.Context) serverFlags {
	return serverFlags{ServerFlags: wire.ServerFlagsFromCLI(c),
		groups: c.StringSlice("group"), size: c.Int("size"), shared: wire.FlagsFromCLI(c)}
}

// clientFlagsFromCLI reads the client's command line.
func clientFlagsFromCLI(c *cli.Context) clientFlags {
	return clientFlags{ClientFlags: wire.ClientFlagsFromCLI(c), size: c.Int("size"), sizeSet: c.IsSet("size"),
		broadcast: c.Bool("broadcast"), dontFrag: c.Bool("dont-fragment"), wait: c.Duration("wait"), shared: wire.FlagsFromCLI(c)}
}

func serverAction(c *cli.Context) error {
	if args := c.Args().Slice(); len(args) > 0 {
		return exitcode.Usagef("udp server: unexpected argument %q: the server takes flags only, e.g. -l 127.0.0.1 -p 9999\nRun 'netdiag udp server --help' for usage.", args[0])
	}
	at, opt, err := serverOptions(serverFlagsFromCLI(c))
	if err != nil {
		return err
	}
	if opt.Save, err = wire.SaverFlag(c, "udp server"); err != nil {
		return err
	}
	defer opt.Save.Close()
	conn, err := Listen(c.Context, at)
	if err != nil {
		return fmt.Errorf("udp server: %w", err)
	}
	opt.Input = wire.Stdin(c)
	p, closeOut := wire.NewCLIPrinter(c, lines)
	_, err = Serve(c.Context, conn, opt, p.Emit)
	if err = wire.Flushed(err, closeOut, p, opt.Save); err != nil {
		return exitcode.Usage(fmt.Errorf("udp server: %w", err))
	}
	return nil
}

func clientAction(c *cli.Context) error {
	opt, err := clientOptions(clientFlagsFromCLI(c))
	if err != nil {
		return err
	}
	f, err := wire.FileFlag(c, "udp client")
	switch {
	case err != nil:
		return err
	case f != nil:
		defer f.Close()
		opt.File = f
	case opt.Send == nil:
		opt.Input = wire.Stdin(c)
	}
	if opt.Save, err = wire.SaverFlag(c, "udp client"); err != nil {
		return err
	}
	defer opt.Save.Close()
	p, closeOut := wire.NewCLIPrinter(c, lines)
	_, err = RunClient(c.Context, opt, p.Emit)
	err = wire.Flushed(err, closeOut, p, opt.Save)
	var pc *PortClosedError
	switch {
	case errors.As(err, &pc):
		return &exitcode.Error{Code: exitcode.Negative, Err: fmt.Errorf("udp client: %w", err)}
	case err != nil:
		return exitcode.Usage(fmt.Errorf("udp client: %w", err))
	}
	return nil
}
