//go:build unix

package tcp

import (
	"io"
	"os"
	"sync"
	"syscall"
)

// pooledReader reads a connection into buffers from a pool, without
// holding a buffer while the connection is idle: inside RawConn.Read it
// reads, and when nothing is there (EAGAIN) it puts the buffer back before
// parking on Go's network poller, taking one again when the poller says
// the socket is readable. An idle connection costs its goroutine and its
// socket only, which is what lets one server hold 10,000 of them; a busy
// one makes the same system calls as a plain Read.
//
// The function RawConn.Read calls is bound once, with the state it fills
// in the struct: a read allocates nothing (a closure per call would put
// itself and three variables on the heap, for every chunk).
type pooledReader struct {
	rc    syscall.RawConn
	pool  *sync.Pool
	try   func(fd uintptr) bool // r.tryRead
	bp    *[]byte
	n     int
	errno error
}

// pooledRead returns the read function of a pooledReader for rc (nil
// where the system has no such reader).
func pooledRead(rc syscall.RawConn, pool *sync.Pool) func() (*[]byte, int, error) {
	r := &pooledReader{rc: rc, pool: pool}
	r.try = r.tryRead
	return r.read
}

// tryRead is one read attempt; false means "wait for readability".
func (r *pooledReader) tryRead(fd uintptr) bool {
	if r.bp == nil {
		r.bp = r.pool.Get().(*[]byte)
	}
	for {
		r.n, r.errno = syscall.Read(int(fd), *r.bp)
		if r.errno != syscall.EINTR {
			break
		}
	}
	if r.errno == syscall.EAGAIN {
		r.pool.Put(r.bp)
		r.bp = nil
		return false // wait for readability, with no buffer
	}
	return true
}

// read returns the next chunk: the buffer holding n > 0 bytes, for the
// caller to put back; the end of the stream is io.EOF. It honors the read
// deadline.
func (r *pooledReader) read() (*[]byte, int, error) {
	err := r.rc.Read(r.try)
	bp, n, errno := r.bp, r.n, r.errno
	r.bp, r.n, r.errno = nil, 0, nil
	switch {
	case err == nil && errno == nil && n > 0:
		return bp, n, nil
	case bp != nil:
		r.pool.Put(bp)
	}
	switch {
	case err != nil:
		return nil, 0, err // deadline, or closed
	case errno != nil:
		return nil, 0, os.NewSyscallError("read", errno)
	}
	return nil, 0, io.EOF
}
