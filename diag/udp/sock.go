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

// TooLargeError is a datagram larger than UDP or the path allows
// (EMSGSIZE).
type TooLargeError struct {
	Size int
	// Fit is the largest datagram that fits: 65,507 bytes over IPv4,
	// 65,527 over IPv6, or less where the path MTU (with fragmentation
	// off, --dont-fragment) is the limit.
	Fit int
	// MTU is the path MTU the kernel knows, 0 if none: datagrams larger
	// than it less the headers go out fragmented, or not at all with
	// --dont-fragment.
	MTU int
	// Header is the IP and UDP header size (28 or 48 bytes).
	Header int
	// Path is set when the path MTU is the limit, not UDP's.
	Path bool
	// Dropped is set when a router dropped the datagram and said why
	// (ICMP fragmentation needed, or packet too big): it was sent, the
	// kernel learnt the path MTU only then.
	Dropped bool
	Err     error
}

// Error says the size sent and the size that fits.
func (e *TooLargeError) Error() string {
	if e.Path {
		what := fmt.Sprintf("a datagram of %d bytes is larger than the path allows", e.Size)
		if e.Dropped {
			icmp := "ICMP fragmentation needed"
			if e.Header == 48 {
				icmp = "ICMPv6 packet too big"
			}
			what = "a router dropped a datagram larger than the path allows (" + icmp + ")"
		}
		return fmt.Sprintf("%s with --dont-fragment (EMSGSIZE): at most %d bytes fit (path MTU %d less %d bytes of IP and UDP headers); send less (--size for --file), or leave out --dont-fragment to have it fragmented",
			what, e.Fit, e.MTU, e.Header)
	}
	s := fmt.Sprintf("a datagram of %d bytes is larger than UDP allows (EMSGSIZE): at most %d bytes fit; send less (--size for --file)", e.Size, e.Fit)
	if e.MTU > e.Header && e.MTU-e.Header < e.Fit {
		s += fmt.Sprintf("; over %d bytes a datagram is fragmented (path MTU %d)", e.MTU-e.Header, e.MTU)
	}
	return s
}

// Unwrap returns EMSGSIZE.
func (e *TooLargeError) Unwrap() error { return e.Err }

// tooLarge turns a write's EMSGSIZE into a *TooLargeError; other errors
// pass unchanged. With dontFrag (--dont-fragment), a datagram within UDP's
// limit met the path's.
func tooLarge(c *net.UDPConn, v6 bool, size int, dontFrag bool, err error) error {
	if !errors.Is(err, syscall.EMSGSIZE) {
		return err
	}
	e := &TooLargeError{Size: size, Fit: maxPayload4, Header: 28, Err: err}
	if v6 {
		e.Fit, e.Header = maxPayload6, 48
	}
	e.MTU = pathMTU(c, v6)
	if dontFrag && size <= e.Fit && e.MTU > e.Header {
		e.Fit, e.Path = e.MTU-e.Header, true
	}
	return e
}

// droppedTooLarge says that a router dropped a datagram sent without
// --dont-fragment for the path MTU (the kernel sets the don't-fragment bit
// while it discovers it), and that the kernel fragments from now on.
func droppedTooLarge(c *net.UDPConn, v6 bool) string {
	icmp, header := "ICMP fragmentation needed", 28
	if v6 {
		icmp, header = "ICMPv6 packet too big", 48
	}
	s := "a router dropped a datagram larger than the path MTU (" + icmp + ")"
	if mtu := pathMTU(c, v6); mtu > header {
		s += fmt.Sprintf(": path MTU %d; datagrams over %d bytes go out fragmented from now on", mtu, mtu-header)
	}
	return s
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
