//go:build unix

package tcp

import (
	"fmt"
	"syscall"
)

// reuseAddr sets SO_REUSEADDR on a listening socket before bind, so that a
// restarted server can bind its port while connections of the previous run
// are still in TIME_WAIT. (Go sets it on Unix listeners already; netdiag
// sets it itself so the guarantee does not rest on a default.)
func reuseAddr(_, _ string, c syscall.RawConn) error {
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
