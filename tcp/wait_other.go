//go:build !unix

package tcp

import "syscall"

// waitReadable returns at once outside Unix: the next Read waits, holding
// its buffer while the connection is idle.
func waitReadable(syscall.RawConn) error { return nil }
