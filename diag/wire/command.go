package wire

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Command is one line typed on a server's stdin.
type Command struct {
	// Op is "send" (a line for every client, or for client ID), "list"
	// (/list) or "close" (/close ID).
	Op string
	// ID is the client's number, as the server printed it at connect; 0
	// means every client (Op "send").
	ID uint64
	// Text is the line to send, without its newline.
	Text string
}

// ParseCommand reads a line typed on a server's stdin (its newline
// removed): "/list", "/close ID", "@ID text" for one client, and any other
// line for every client. A line that starts with "//" sends the rest
// starting with "/", and "@@" sends the rest starting with "@".
func ParseCommand(line string) (Command, error) {
	switch {
	case strings.HasPrefix(line, "//"), strings.HasPrefix(line, "@@"):
		return Command{Op: "send", Text: line[1:]}, nil
	case strings.HasPrefix(line, "/"):
		f := strings.Fields(line)
		switch {
		case f[0] == "/list" && len(f) == 1:
			return Command{Op: "list"}, nil
		case f[0] == "/close" && len(f) == 2:
			id, err := parseID(f[1])
			return Command{Op: "close", ID: id}, err
		}
		return Command{}, fmt.Errorf("unknown command %q: /list, /close ID, @ID TEXT, or TEXT for every client (// sends a line starting with /)", line)
	case strings.HasPrefix(line, "@"):
		idText, text, _ := strings.Cut(line[1:], " ")
		id, err := parseID(idText)
		return Command{Op: "send", ID: id, Text: text}, err
	}
	return Command{Op: "send", Text: line}, nil
}

func parseID(s string) (uint64, error) {
	id, err := strconv.ParseUint(s, 10, 64)
	if err != nil || id == 0 {
		return 0, fmt.Errorf("%q is not a client number: give the number the server printed at connect (#3 → 3)", s)
	}
	return id, nil
}

// KindList is the kind of a ListEvent.
const KindList Kind = "list"

// PeerInfo is one client of a server as /list shows it: a tcp connection
// or a udp peer (a source address).
type PeerInfo struct {
	// ID is the number the server printed at connect, which @ID and
	// /close take.
	ID       uint64    `json:"id"`
	Remote   string    `json:"remote"`
	Since    time.Time `json:"since"`
	BytesIn  int64     `json:"bytes_in"`
	BytesOut int64     `json:"bytes_out"`
}

// ListEvent answers /list: the server's clients, by ID.
type ListEvent struct {
	Header
	Peers []PeerInfo `json:"clients"`
}

// Hub is the set of clients a server's stdin commands act on.
type Hub interface {
	// Peers returns the clients, sorted by ID.
	Peers() []PeerInfo
	// Send sends p to client id, reporting it as a data event; an error
	// is also the engine's to report.
	Send(id uint64, p []byte) error
	// Close drops client id, reporting it as the engine does (a tcp
	// disconnect, a udp close event).
	Close(id uint64) error
}

// CommandOptions configure RunCommands.
type CommandOptions struct {
	// Role is the Role of the events ("server").
	Role string
	// Codec encodes a typed line; with Hex the line is hex digits instead.
	Codec Codec
	Hex   bool
	// Fail reports a line that could not be carried out (a bad command, an
	// unknown client, text the codec lacks) as the engine's error event.
	Fail func(error)
}

// RunCommands reads the lines of in, a server's stdin, until its end or
// until ctx is done, and carries each out (see ParseCommand): a line of
// text goes to every client with its newline (as nc sends a typed line),
// with --hex its hex bytes without one. The answer to /list is emitted as
// a ListEvent.
func RunCommands(ctx context.Context, in io.Reader, hub Hub, opt CommandOptions, emit Emit) {
	sc := bufio.NewScanner(in)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() && ctx.Err() == nil {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if err := runCommand(line, hub, opt, emit); err != nil {
			opt.Fail(err)
		}
	}
}

func runCommand(line string, hub Hub, opt CommandOptions, emit Emit) error {
	if opt.Hex && strings.TrimSpace(line) == "" || !opt.Hex && line == "" {
		return nil // an empty line sends nothing (Enter pressed by mistake)
	}
	cmd, err := ParseCommand(line)
	if err != nil {
		return err
	}
	peers := hub.Peers()
	if cmd.Op == "list" {
		emit(ListEvent{Header: NewHeader(KindList, opt.Role), Peers: peers})
		return nil
	}
	var to []uint64
	for _, p := range peers {
		if cmd.ID == 0 || p.ID == cmd.ID {
			to = append(to, p.ID)
		}
	}
	switch {
	case len(to) == 0 && cmd.ID != 0:
		return fmt.Errorf("no client #%d (/list shows them)", cmd.ID)
	case len(to) == 0:
		return errors.New("no client to send to yet")
	case cmd.Op == "close":
		return hub.Close(cmd.ID)
	}
	text := cmd.Text
	if !opt.Hex {
		text += "\n"
	}
	b, err := Payload(text, opt.Hex, opt.Codec)
	if err != nil {
		return err
	}
	var errs []error
	for _, id := range to {
		if err := hub.Send(id, b); err != nil {
			errs = append(errs, fmt.Errorf("#%d: %w", id, err))
		}
	}
	return errors.Join(errs...)
}

// StartCommands runs RunCommands in a goroutine and returns the function
// that stops it: it wakes a read blocked on in when in allows it (a pipe,
// a socket: SetReadDeadline) and waits for the goroutine. A terminal or a
// file cannot be woken; that goroutine is left to end with the process,
// having nothing more to do once ctx is done.
func StartCommands(ctx context.Context, in io.Reader, hub Hub, opt CommandOptions, emit Emit) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); RunCommands(ctx, in, hub, opt, emit) }()
	return func() {
		cancel()
		if d, ok := in.(interface{ SetReadDeadline(time.Time) error }); ok && d.SetReadDeadline(time.Unix(1, 0)) == nil {
			<-done
		}
	}
}
