package wire

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/urfave/cli/v2"

	"netdiag/diag/cliargs"
	"netdiag/diag/exitcode"
	"netdiag/diag/netaddr"
)

// Flags are the flags the tcp and udp subcommands share: --encoding,
// --hex, -4 and -6 (--timestamps and --json go to the Printer).
type Flags struct {
	Encoding   string
	Hex        bool
	IPv4, IPv6 bool
}

// CLIFlags returns fresh definitions of the shared flags: --encoding,
// --hex, --timestamps, --json, -4 and -6.
func CLIFlags() []cli.Flag {
	return append([]cli.Flag{
		&cli.StringFlag{Name: "encoding", Aliases: []string{"e"}, Value: "utf-8", Usage: "`NAME` of the text encoding on the wire: utf-8, gbk, gb18030, big5, shift_jis, euc-kr, utf-16le, iso-8859-1… (any IANA/WHATWG name)"},
		&cli.BoolFlag{Name: "hex", Aliases: []string{"x"}, Usage: "show received data as a hex dump; --send/--reply TEXT is hex (\"48 65 6c 6c 6f\" or 48656c6c6f)"},
		&cli.BoolFlag{Name: "timestamps", Aliases: []string{"D"}, Usage: "start every line with the time of day (-D as in ping)"},
		cliargs.JSONFlag(),
	}, cliargs.FamilyFlags("FAMILY only")...)
}

// FlagsFromCLI reads the shared flags of c.
func FlagsFromCLI(c *cli.Context) Flags {
	return Flags{Encoding: c.String("encoding"), Hex: c.Bool("hex"), IPv4: c.Bool("ipv4"), IPv6: c.Bool("ipv6")}
}

// ServerFlagsFromCLI reads the flags the servers share from c.
func ServerFlagsFromCLI(c *cli.Context) ServerFlags {
	return ServerFlags{Listen: c.String("listen"), Port: c.String("port"), PortSet: c.IsSet("port"),
		Reply: c.String("reply"), ReplySet: c.IsSet("reply"), Echo: c.Bool("echo"), Discard: c.Bool("discard"),
		Send: c.String("send"), SendSet: c.IsSet("send"), Every: c.Duration("every"), EverySet: c.IsSet("every"),
		Repeat: c.Int("repeat"), RepeatSet: c.IsSet("repeat")}
}

// ServerTimedFlags returns fresh definitions of the servers' timed
// sending: --send TEXT, --every D and --repeat N (-c), which
// ServerFlagsFromCLI reads.
func ServerTimedFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "send", Usage: "send `TEXT` (with --hex: hex bytes) to every client connected, every --every D"},
		&cli.DurationFlag{Name: "every", Usage: "send --send TEXT to every client every `SECONDS`, until Ctrl-C (or --repeat N rounds)"},
		&cli.IntFlag{Name: "repeat", Aliases: []string{"c"}, Usage: "stop --every after `N` rounds; a round with no client counts (default: until Ctrl-C)"},
	}
}

// ClientFlagsFromCLI reads the flags the clients share from c.
func ClientFlagsFromCLI(c *cli.Context) ClientFlags {
	return ClientFlags{Args: c.Args().Slice(), Source: c.String("source"),
		Send: c.String("send"), SendSet: c.IsSet("send"), File: c.String("file"),
		Repeat: c.Int("repeat"), RepeatSet: c.IsSet("repeat"), Interval: c.Duration("interval"),
		Every: c.Duration("every"), EverySet: c.IsSet("every")}
}

// NewCLIPrinter returns the Printer of a tcp or udp command, as its
// --json, --hex and --timestamps say, and the function that flushes and
// closes its output.
func NewCLIPrinter(c *cli.Context, lines LinesFunc) (*Printer, func() error) {
	return NewBatchedPrinter(c.App.Writer, c.Bool("json"), c.Bool("hex"), c.Bool("timestamps"), lines)
}

// Parse checks the shared flags of command cmd ("udp client"): the codec
// and the family, or a usage error.
func (f Flags) Parse(cmd string) (Codec, netaddr.Family, error) {
	codec, err := LookupCodec(f.Encoding)
	if err != nil {
		return Codec{}, 0, exitcode.Usage(fmt.Errorf("%s: --encoding: %w", cmd, err))
	}
	fam, err := cliargs.FamilyOf(f.IPv4, f.IPv6)
	if err != nil {
		return Codec{}, 0, exitcode.Usagef("%s: %v", cmd, err)
	}
	return codec, fam, nil
}

// Payload turns the TEXT of flag (--send, --reply) into bytes: hex with
// --hex, else the text in the codec; a usage error if it cannot be.
func (f Flags) Payload(cmd, flag, text string, codec Codec) ([]byte, error) {
	if text == "" {
		return nil, exitcode.Usagef("%s: %s needs a non-empty TEXT", cmd, flag)
	}
	b, err := Payload(text, f.Hex, codec)
	switch {
	case err != nil && f.Hex:
		return nil, exitcode.Usage(fmt.Errorf("%s: %s with --hex: %w", cmd, flag, err))
	case err != nil:
		return nil, exitcode.Usage(fmt.Errorf("%s: %s: %w", cmd, flag, err))
	}
	return b, nil
}

// SaverFlag opens --save DIR of command cmd, if given (nil otherwise);
// a directory that cannot be made is a usage error.
func SaverFlag(c *cli.Context, cmd string) (*Saver, error) {
	dir := c.String("save")
	if dir == "" {
		return nil, nil
	}
	s, err := NewSaver(dir)
	if err != nil {
		return nil, exitcode.Usage(fmt.Errorf("%s: %w", cmd, err))
	}
	return s, nil
}

// Stdin returns what the commands read as their standard input: the app's
// Reader, or os.Stdin when it has none.
func Stdin(c *cli.Context) io.Reader {
	if c.App.Reader != nil {
		return c.App.Reader
	}
	return os.Stdin
}

// FileFlag opens --file of command cmd, if given (nil otherwise); a file
// that cannot be opened, or a directory, is a usage error. The caller
// closes it.
func FileFlag(c *cli.Context, cmd string) (*os.File, error) {
	name := c.String("file")
	if name == "" {
		return nil, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, exitcode.Usagef("%s: --file: %v", cmd, err)
	}
	if st, err := f.Stat(); err == nil && st.IsDir() {
		f.Close()
		return nil, exitcode.Usagef("%s: --file %s is a directory", cmd, name)
	}
	return f, nil
}

// Flushed ends a run that printed through p and saved through save: it
// flushes and closes the output (closeOut), then closes save, and returns
// err, or when the run went well the first error of those as "writing the
// output: …".
func Flushed(err error, closeOut func() error, p *Printer, save *Saver) error {
	if werr := errors.Join(closeOut(), p.Err(), save.Close()); werr != nil && err == nil {
		return fmt.Errorf("writing the output: %w", werr)
	}
	return err
}
