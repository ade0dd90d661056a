//go:build darwin || freebsd || netbsd || openbsd || dragonfly

package render

import "golang.org/x/sys/unix"

const ioctlReadTermios = unix.TIOCGETA
