package wire

import (
	"fmt"
	"strconv"
	"strings"
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
