package ip

import (
	"bufio"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/urfave/cli/v2"

	"netdiag/diag/cliargs"
	"netdiag/diag/exitcode"
	"netdiag/diag/netaddr"
	"netdiag/diag/render"
)

// Command returns the "ip" command.
func Command() *cli.Command {
	return &cli.Command{
		Name:      "ip",
		Usage:     "validate and explain IPv4/IPv6 addresses and prefixes (ipcalc, sipcalc)",
		ArgsUsage: "ADDR|PREFIX... (- reads one per line from stdin)",
		Description: "For each address: valid or invalid and why; version; RFC 5952 canonical and fully\n" +
			"expanded forms; integer, hex and binary; reverse-DNS name; its IANA special-purpose\n" +
			"registry entry and properties; the IPv4 address inside IPv4-mapped, 6to4, Teredo and\n" +
			"NAT64 addresses. For a prefix also: network, netmask, wildcard, broadcast, first and\n" +
			"last usable host, number of addresses.\n\n" +
			"Parsing is strict: 127.1, 0x7f.1 and 010.1.1.1 are invalid (with what ping and ipcalc\n" +
			"would make of them); a prefix with host bits set is valid, with a warning.\n\n" +
			"--valid and --invalid print only the input lines that are (or are not) valid, unchanged,\n" +
			"like grep: netdiag ip --valid - < log.txt > clean.txt\n\n" +
			"Exit codes: 0 all inputs valid, 1 any invalid (also with --valid/--invalid/-q), 2 usage error.\n\n" +
			"Examples:\n" +
			"  netdiag ip 192.168.1.10/24 2001:db8::1 fe80::1%eth0\n" +
			"  netdiag ip --short - < addresses.txt\n" +
			"  netdiag ip -q \"$addr\" || echo \"not an address: $addr\"",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "valid", Usage: "print only the inputs that are valid, as given (grep-like; for cleaning lists and logs)"},
			&cli.BoolFlag{Name: "invalid", Usage: "print only the inputs that are invalid, as given"},
			&cli.BoolFlag{Name: "short", Aliases: []string{"brief", "br"}, Usage: "one line per input, as a table (like ifaces --brief)"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print nothing; the exit code says whether all inputs are valid"},
			cliargs.JSONFlag(),
		},
		Action: action,
	}
}

// Options are what the ip command does, read from its flags.
type Options struct {
	Inputs []string // addresses and prefixes; "-" reads stdin, one per line
	Select Select   // which inputs to print
	Quiet  bool     // print nothing
	Short  bool     // one table row per input instead of a block
}

// Select chooses the inputs that are printed.
type Select int

// The selections: every input, or only the valid or invalid ones (printed as
// given, unless --json).
const (
	SelectAll Select = iota
	SelectValid
	SelectInvalid
)

// keep reports whether an input of the given validity is printed.
func (s Select) keep(valid bool) bool {
	return s == SelectAll || (s == SelectValid) == valid
}

func action(c *cli.Context) error {
	opt, err := options(c.Args().Slice(), c.Bool("valid"), c.Bool("invalid"), c.Bool("quiet"), c.Bool("short"), c.Bool("json"))
	if err != nil {
		return err
	}
	// Buffered always; the handler flushes as often as the mode needs.
	w := bufio.NewWriterSize(c.App.Writer, 64<<10)
	out := render.New(w, c.Bool("json"))
	interactive := render.IsTerminal(c.App.Writer)
	allValid, err := run(opt, c.App.Reader, w, out, interactive)
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		return err
	}
	if !allValid {
		return exitcode.NegativeResult()
	}
	return nil
}

// options checks the arguments and flags and turns them into Options.
func options(args []string, valid, invalid, quiet, short, json bool) (Options, error) {
	opt := Options{Inputs: args, Quiet: quiet, Short: short}
	switch {
	case valid && invalid:
		return opt, exitcode.Usagef("ip: --valid and --invalid exclude each other")
	case valid:
		opt.Select = SelectValid
	case invalid:
		opt.Select = SelectInvalid
	}
	switch {
	case quiet && (valid || invalid || short || json):
		return opt, exitcode.Usagef("ip: -q prints nothing; it cannot be combined with --valid, --invalid, --short or --json")
	case short && json:
		return opt, exitcode.Usagef("ip: --short is a table; it cannot be combined with --json")
	case short && opt.Select != SelectAll:
		return opt, exitcode.Usagef("ip: --valid and --invalid print the inputs as given; --short does not apply")
	case len(args) == 0:
		return opt, exitcode.Usagef("ip: give at least one address or prefix, or - to read them from stdin, one per line\nRun 'netdiag ip --help' for usage.")
	}
	stdin := 0
	for _, a := range args {
		if a == "-" {
			stdin++
		}
	}
	if stdin > 1 {
		return opt, exitcode.Usagef("ip: - (stdin) may be given only once")
	}
	return opt, nil
}

// run handles every input in order, stdin's lines in place of "-", and
// reports whether all were valid. out renders blocks, tables and JSON into
// w, which also takes the lines --valid and --invalid copy as they are; w is
// flushed after each input when interactive (the output is a terminal).
func run(opt Options, stdin io.Reader, w *bufio.Writer, out *render.Output, interactive bool) (bool, error) {
	h := handler{opt: opt, w: w, out: out, allValid: true, header: shortHeader, interactive: interactive}
	for _, in := range opt.Inputs {
		if in != "-" {
			if err := h.input(in); err != nil {
				return false, err
			}
			if opt.Quiet && !h.allValid {
				return false, nil
			}
			continue
		}
		if err := h.stdin(stdin); err != nil {
			return false, fmt.Errorf("ip: reading stdin: %w", err)
		}
	}
	return h.allValid, h.flushRows()
}

// handler prints inputs as Options say, remembering whether all were valid.
type handler struct {
	opt         Options
	w           *bufio.Writer
	interactive bool // flush after each input
	out         *render.Output
	allValid    bool
	rows        [][]string // --short rows not yet printed
	header      []string   // the --short header, until it has been printed
	blocks      int        // blocks printed, for the blank line between them
}

// filterHeap is the heap the --valid/--invalid filter lets grow before
// the garbage collector runs.
const filterHeap = 32 << 20

// shortBatch is how many --short rows are aligned and printed together, so
// a long stream prints as it goes.
const shortBatch = 256

// stdin handles every line of r.
func (h *handler) stdin(r io.Reader) error {
	switch {
	case h.opt.Quiet:
		ok, err := AllValid(r)
		h.allValid = h.allValid && ok
		return err
	case h.opt.Select != SelectAll && !h.out.JSON():
		// The filter's only garbage is net/netip's errors for invalid lines
		// (48 bytes each, a few MB per million lines), its live memory a few
		// MB of pieces: collect only past filterHeap instead of every few MB
		// (13% less time for bench/ip.sh's million lines).
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(filterHeap))
		defer debug.SetGCPercent(debug.SetGCPercent(-1))
		st, err := Filter(r, h.w, h.opt.Select == SelectValid)
		h.allValid = h.allValid && st.Invalid == 0
		return err
	}
	var werr error
	err := EachLine(r, func(text []byte) bool {
		werr = h.input(string(text))
		return werr == nil
	})
	if werr != nil {
		return werr
	}
	return err
}

// input handles one input.
func (h *handler) input(s string) error {
	if h.opt.Quiet || (h.opt.Select != SelectAll && !h.out.JSON()) {
		valid := netaddr.ValidAddrOrPrefix([]byte(s))
		h.allValid = h.allValid && valid
		if !h.opt.Quiet && h.opt.Select.keep(valid) {
			_, err := io.WriteString(h.w, s+"\n")
			return err
		}
		return nil
	}
	info := Analyze(s)
	h.allValid = h.allValid && info.Valid
	switch {
	case !h.opt.Select.keep(info.Valid):
		return nil
	case h.opt.Short:
		h.rows = append(h.rows, shortRow(h.out, info))
		if len(h.rows) >= shortBatch {
			return h.flushRows()
		}
		return nil
	case !h.out.JSON() && h.blocks > 0:
		if err := h.out.Println(); err != nil {
			return err
		}
	}
	h.blocks++
	if err := writeInfo(h.out, info); err != nil {
		return err
	}
	if h.interactive {
		return h.w.Flush()
	}
	return nil
}

// flushRows prints the pending --short rows as one aligned table.
func (h *handler) flushRows() error {
	if len(h.rows) == 0 {
		return nil
	}
	rows, header := h.rows, h.header
	h.rows, h.header = nil, nil
	return h.out.Table(header, rows)
}
