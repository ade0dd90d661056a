//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly || windows)

package render

// isTerminal has no terminal query on this OS and answers false: output is
// then plain, which is always safe.
func isTerminal(uintptr) bool { return false }
