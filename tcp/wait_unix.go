//go:build unix

package tcp

import (
	"io"
	"os"
	"sync"
	"syscall"
)

// readPooled reads the next chunk of the connection behind rc into a
// buffer from pool, without holding a buffer while the connection is idle:
// it reads, and when nothing is there (EAGAIN) it puts the buffer back
// before parking on Go's network poller, taking one again when the poller
// says the socket is readable. An idle connection costs its goroutine and
// its socket only, which is what lets one server hold 10,000 of them; a
// busy one makes the same system calls as a plain Read.
//
// It returns the buffer holding n > 0 bytes, for the caller to put back;
// the end of the stream is io.EOF. It honors the read deadline.
func readPooled(rc syscall.RawConn, pool *sync.Pool) (*[]byte, int, error) {
	var bp *[]byte
	var n int
	var rerr error
	err := rc.Read(func(fd uintptr) bool {
		if bp == nil {
			bp = pool.Get().(*[]byte)
		}
		for {
			n, rerr = syscall.Read(int(fd), *bp)
			if rerr != syscall.EINTR {
				break
			}
		}
		if rerr == syscall.EAGAIN {
			pool.Put(bp)
			bp = nil
			return false // wait for readability, with no buffer
		}
		return true
	})
	switch {
	case err == nil && rerr == nil && n > 0:
		return bp, n, nil
	case bp != nil:
		pool.Put(bp)
	}
	switch {
	case err != nil:
		return nil, 0, err // deadline, or closed
	case rerr != nil:
		return nil, 0, os.NewSyscallError("read", rerr)
	}
	return nil, 0, io.EOF
}
