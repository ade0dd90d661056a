package render

import "golang.org/x/sys/windows"

// isTerminal reports whether fd is a console: only consoles have a mode.
func isTerminal(fd uintptr) bool {
	var mode uint32
	return windows.GetConsoleMode(windows.Handle(fd), &mode) == nil
}
