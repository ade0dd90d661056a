//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package render

import "golang.org/x/sys/unix"

// isTerminal asks the kernel for the terminal attributes of fd; only a
// terminal has them.
func isTerminal(fd uintptr) bool {
	_, err := unix.IoctlGetTermios(int(fd), ioctlReadTermios)
	return err == nil
}
