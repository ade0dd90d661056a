//go:build !unix

package tcp

import (
	"sync"
	"syscall"
)

// pooledRead is not available outside Unix: nil makes the caller fall
// back to Read into a pooled buffer, which it holds while the connection is
// idle.
func pooledRead(syscall.RawConn, *sync.Pool) func() (*[]byte, int, error) { return nil }
