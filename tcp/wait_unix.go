//go:build unix

package tcp

import (
	"errors"
	"syscall"
)

// waitReadable blocks until the connection has data to read, has been
// closed by the peer, or its read deadline passes, without a read buffer.
// An idle connection then holds no buffer at all: it costs its goroutine
// and its socket, which is what lets one server hold 10,000 of them.
//
// It peeks (MSG_PEEK|MSG_DONTWAIT) once; if nothing is there it parks on
// Go's network poller, like a blocking Read would, and returns when the
// poller says the socket is readable.
func waitReadable(rc syscall.RawConn) error {
	tried := false
	var b [1]byte
	return rc.Read(func(fd uintptr) bool {
		if tried {
			return true // woken by the poller: readable (or closed)
		}
		tried = true
		for {
			_, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
			if errors.Is(err, syscall.EINTR) {
				continue
			}
			// Data, EOF (n == 0) or an error: let Read report it.
			return !errors.Is(err, syscall.EAGAIN) && !errors.Is(err, syscall.EWOULDBLOCK)
		}
	})
}
