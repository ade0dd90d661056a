//go:build !linux

package udp

import (
	"errors"
	"net"
)

// msgTrunc: truncation is detected on Linux only.
const msgTrunc = 0

// pathMTU is not known outside Linux.
func pathMTU(*net.UDPConn, bool) int { return 0 }

// dualStack: Go opens wildcard "udp" sockets dual-stack.
func dualStack(*net.UDPConn) bool { return true }

// setBroadcast is implemented on Linux only.
func setBroadcast(*net.UDPConn) error { return errors.New("--broadcast is supported on Linux only") }
