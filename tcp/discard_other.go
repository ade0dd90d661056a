//go:build !linux

package tcp

import "syscall"

// discardRead is Linux's (MSG_TRUNC on TCP): nil makes --discard read into
// pooled buffers like the other modes.
func discardRead(syscall.RawConn) func() (int, error) { return nil }
