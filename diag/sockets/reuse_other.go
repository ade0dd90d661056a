//go:build !unix

package sockets

import "syscall"

// ReuseAddr does nothing outside Unix: on Windows SO_REUSEADDR would let
// another process bind the same port and steal connections, and Windows
// lets a port in TIME_WAIT be bound again anyway.
func ReuseAddr(_, _ string, _ syscall.RawConn) error { return nil }
