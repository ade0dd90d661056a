//go:build !unix

package tcp

import (
	"errors"
	"sync"
	"syscall"
)

// readPooled is not available outside Unix: the caller falls back to Read
// into a pooled buffer, which it holds while the connection is idle.
func readPooled(syscall.RawConn, *sync.Pool) (*[]byte, int, error) {
	return nil, 0, errors.ErrUnsupported
}
