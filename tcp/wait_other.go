//go:build !unix

package tcp

import (
	"sync"
	"syscall"
)

// pooledReader is not available outside Unix: the caller falls back to
// Read into a pooled buffer, which it holds while the connection is idle.
type pooledReader struct{}

// newPooledReader returns nil outside Unix.
func newPooledReader(syscall.RawConn, *sync.Pool) *pooledReader { return nil }

func (*pooledReader) read() (*[]byte, int, error) { panic("unreachable") }
