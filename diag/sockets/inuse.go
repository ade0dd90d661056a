package sockets

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"syscall"

	"netdiag/diag/netaddr"
)

// PortInUseError is returned when another socket holds the port a server
// tried to listen on (tcp server, udp server).
type PortInUseError struct {
	Addr string // what we tried to listen on
	Port netaddr.Port
	// Holders are the listening sockets on the port and their processes,
	// as far as the OS shows them (empty when it does not).
	Holders []Socket
	Err     error
}

// Error names the port and who holds it, and says what to do.
func (e *PortInUseError) Error() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "cannot listen on %s: port %d is already in use", e.Addr, e.Port)
	var who []string
	for _, s := range e.Holders {
		switch {
		case s.PID != 0:
			who = append(who, fmt.Sprintf("%s (PID %d) on %s", s.Process, s.PID, s.Local))
		default:
			who = append(who, fmt.Sprintf("a process this user cannot see on %s", s.Local))
		}
	}
	if len(who) > 0 {
		sb.WriteString(" by " + strings.Join(slices.Compact(who), ", "))
	}
	sb.WriteString("; stop it or choose another port with -p")
	return sb.String()
}

// Unwrap returns the system's error.
func (e *PortInUseError) Unwrap() error { return e.Err }

// ListenError explains why listening on addr (port, proto "tcp" or "udp")
// failed: a *PortInUseError naming the holders, no permission for a low
// port, an address that is not this machine's.
func ListenError(addr string, port netaddr.Port, proto string, err error) error {
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		holders, _ := Bound(port, proto)
		return &PortInUseError{Addr: addr, Port: port, Holders: holders, Err: err}
	case errors.Is(err, syscall.EACCES):
		return fmt.Errorf("cannot listen on %s: permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE): %w", addr, err)
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return fmt.Errorf("cannot listen on %s: that address is not on this machine (netdiag ifaces lists them): %w", addr, err)
	}
	return fmt.Errorf("cannot listen on %s: %w", addr, err)
}
