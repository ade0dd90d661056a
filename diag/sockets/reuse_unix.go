//go:build unix

package sockets

import (
	"fmt"
	"syscall"
)

// ReuseAddr sets SO_REUSEADDR on a socket before bind (a net.ListenConfig
// Control function). A TCP server sets it so that a
// restarted server can bind its port while connections of the previous run
// are still in TIME_WAIT. (Go sets it on Unix TCP listeners already; netdiag
// sets it itself so the guarantee does not rest on a default.) A UDP server
// sets it so that several members of a multicast group can bind one port.
func ReuseAddr(_, _ string, c syscall.RawConn) error {
	var serr error
	err := c.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1)
	})
	if err != nil {
		return err
	}
	if serr != nil {
		return fmt.Errorf("setting SO_REUSEADDR: %w", serr)
	}
	return nil
}
