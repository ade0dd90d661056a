//go:build !linux

package udp

import (
	"errors"
	"net"
)

// pathMTU is not known outside Linux.
func pathMTU(*net.UDPConn, bool) int { return 0 }

// dualStack: Go opens wildcard "udp" sockets dual-stack.
func dualStack(*net.UDPConn) bool { return true }

// setDontFragment is implemented on Linux only.
func setDontFragment(*net.UDPConn, bool) error {
	return errors.New("--dont-fragment is supported on Linux only")
}

// setBroadcast is implemented on Linux only.
func setBroadcast(*net.UDPConn) error { return errors.New("--broadcast is supported on Linux only") }

// growRecvBuffer asks for a receive buffer of n bytes; its size is known
// on Linux only (0).
func growRecvBuffer(c *net.UDPConn, n int) int {
	c.SetReadBuffer(n)
	return 0
}
