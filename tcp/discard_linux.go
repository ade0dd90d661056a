package tcp

import (
	"io"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// maxDiscard is the most one recv(2) drops: more than a socket's receive
// queue ever holds, so one call empties it.
const maxDiscard = 1 << 30

// truncReader drops what arrives on a TCP socket inside the kernel:
// recv(2) with MSG_TRUNC discards the data instead of copying it to a
// buffer (tcp(7)), so --discard reads with no buffer and no copy, and a
// connection, idle or busy, holds no memory of ours. Like pooledReader it
// runs inside RawConn.Read, parking on Go's poller on EAGAIN, and its
// attempt function is bound once so that a read allocates nothing.
type truncReader struct {
	rc    syscall.RawConn
	try   func(fd uintptr) bool // r.tryDiscard
	n     int
	errno error
}

// discardRead returns the function that drops the next chunk arriving on
// rc and returns its size (io.EOF at the end of the stream); nil where the
// system cannot drop data unread.
func discardRead(rc syscall.RawConn) func() (int, error) {
	r := &truncReader{rc: rc}
	r.try = r.tryDiscard
	return r.discard
}

// tryDiscard is one attempt; false means "wait for readability".
func (r *truncReader) tryDiscard(fd uintptr) bool {
	for {
		// No buffer: with MSG_TRUNC, TCP neither reads nor writes it.
		n, _, e := unix.Syscall6(unix.SYS_RECVFROM, fd, 0, maxDiscard, unix.MSG_TRUNC|unix.MSG_DONTWAIT, 0, 0)
		r.n, r.errno = int(n), nil
		if e != 0 {
			r.n, r.errno = 0, e
		}
		if e != syscall.EINTR {
			break
		}
	}
	return r.errno != syscall.EAGAIN
}

// discard drops the next chunk; it honors the read deadline.
func (r *truncReader) discard() (int, error) {
	err := r.rc.Read(r.try)
	n, errno := r.n, r.errno
	r.n, r.errno = 0, nil
	switch {
	case err != nil:
		return 0, err // deadline, or closed
	case errno != nil:
		return 0, os.NewSyscallError("recvfrom", errno)
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}
