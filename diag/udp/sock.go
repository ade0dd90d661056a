package udp

import (
	"errors"
	"fmt"
	"net"
	"syscall"
)

// The largest UDP payloads: 65,535 bytes less the IP and UDP headers (IPv6
// jumbograms aside).
const (
	maxPayload4 = 65507
	maxPayload6 = 65527
)

// TooLargeError is a datagram larger than the path allows (EMSGSIZE).
type TooLargeError struct {
	Size int
	// Fit is the largest datagram that fits, as far as the system knows.
	Fit int
	Err error
}

// Error says the size sent and the size that fits.
func (e *TooLargeError) Error() string {
	return fmt.Sprintf("a datagram of %d bytes is larger than the path allows (EMSGSIZE): at most %d bytes fit; send less (--size for --file)", e.Size, e.Fit)
}

// Unwrap returns EMSGSIZE.
func (e *TooLargeError) Unwrap() error { return e.Err }

// tooLarge turns a write's EMSGSIZE into a *TooLargeError; other errors
// pass unchanged.
func tooLarge(c *net.UDPConn, v6 bool, size int, err error) error {
	if !errors.Is(err, syscall.EMSGSIZE) {
		return err
	}
	fit := maxPayload4
	hdr := 28
	if v6 {
		fit, hdr = maxPayload6, 48
	}
	if mtu := pathMTU(c, v6); mtu > hdr && mtu-hdr < fit {
		fit = mtu - hdr
	}
	return &TooLargeError{Size: size, Fit: fit, Err: err}
}

// PortClosedError is an ICMP port unreachable answer: nothing listens on
// the port.
type PortClosedError struct {
	Target string
}

// Error names the target.
func (e *PortClosedError) Error() string {
	return fmt.Sprintf("%s: port closed (ICMP port unreachable)", e.Target)
}

// isRefused reports whether err is the ECONNREFUSED of an ICMP port
// unreachable on a connected socket.
func isRefused(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }
