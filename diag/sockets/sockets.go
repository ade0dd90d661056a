// Package sockets lists this machine's TCP and UDP sockets, IPv4 and IPv6,
// and the processes that hold them: the data behind "is port 8080 free, and
// if not, who has it?" (netdiag port --local, and the tcp server's "port
// already in use by PID/process" message).
//
// On Linux it reads /proc/net/tcp, tcp6, udp and udp6 and maps each socket's
// inode to the processes holding it by reading the /proc/[pid]/fd links, the
// same sources ss(8) -p and netstat -p use. Processes this user may not
// inspect (another user's, without root) leave a socket's owner unknown; that
// is not an error. It sees the sockets of the caller's network namespace
// only. Elsewhere List and friends return an error wrapping
// errors.ErrUnsupported that names the operating system.
//
// Not covered: SCTP, raw and Unix sockets; TCP sockets that are bound but
// neither listening nor connected (the kernel does not list them in /proc);
// the interface of a link-local IPv6 address (/proc does not show the zone).
package sockets

import (
	"fmt"
	"net/netip"
	"slices"

	"netdiag/diag/netaddr"
)

// Socket is one TCP or UDP socket.
type Socket struct {
	// Proto is "tcp" or "udp"; the address family is Local's.
	Proto string `json:"proto"`
	// Local and Remote are the socket's addresses. A listening or unconnected
	// socket has the unspecified remote address with port 0. A dual-stack
	// IPv6 socket shows IPv4 peers as IPv4-mapped addresses (::ffff:a.b.c.d).
	Local  netip.AddrPort `json:"local"`
	Remote netip.AddrPort `json:"remote"`
	// State is the state as ss(8) names it: LISTEN, ESTAB, SYN-SENT,
	// SYN-RECV, FIN-WAIT-1, FIN-WAIT-2, TIME-WAIT, CLOSE-WAIT, LAST-ACK,
	// CLOSING, and UNCONN for an unconnected UDP socket.
	State string `json:"state"`
	// UID is the user id that created the socket.
	UID int `json:"uid"`
	// Inode is the socket's inode number (0 for TIME-WAIT sockets, which no
	// process holds any more).
	Inode uint64 `json:"inode"`
	// PID and Process are the first owner (lowest PID), for the common case
	// of one; PID is 0 and Process "" when no owner could be seen.
	PID     int    `json:"pid,omitempty"`
	Process string `json:"process,omitempty"`
	// Owners are all processes holding the socket, by PID: a forking server
	// (nginx, sshd) or an inherited, socket-activated listener has several.
	Owners []Owner `json:"owners,omitempty"`
}

// Owner is a process holding a socket open.
type Owner struct {
	PID int `json:"pid"`
	// Command is the process's command name as the kernel keeps it
	// (/proc/[pid]/comm, at most 15 bytes), the name ss -p shows.
	Command string `json:"command"`
}

// Listening reports whether s holds its local port for incoming traffic: a
// TCP socket in LISTEN, or any UDP socket (the kernel lists a UDP socket only
// once it is bound to a port, and binding that port again fails while it
// exists, connected or not).
func (s Socket) Listening() bool {
	return s.Proto == "udp" || s.State == "LISTEN"
}

// List returns every TCP and UDP socket, IPv4 and IPv6, with its owners.
func List() ([]Socket, error) { return Find(nil) }

// Find returns the sockets for which keep returns true (every socket when
// keep is nil), with their owners. keep sees a socket before its owners are
// looked up (PID, Process and Owners are still empty): owners are looked up
// only for the sockets kept, and not at all when none is.
func Find(keep func(Socket) bool) ([]Socket, error) {
	return find(keep)
}

// Bound returns the sockets that hold local port p for incoming traffic (see
// Socket.Listening) on proto: "tcp", "udp", or "" for both. An empty result
// means the port is free on that protocol.
func Bound(p netaddr.Port, proto string) ([]Socket, error) {
	protos := []string{"tcp", "udp"}
	switch proto {
	case "":
	case "tcp", "udp":
		protos = []string{proto}
	default:
		return nil, fmt.Errorf("sockets.Bound: unknown protocol %q (want tcp, udp or empty for both)", proto)
	}
	return Find(func(s Socket) bool {
		return s.Local.Port() == uint16(p) && s.Listening() && slices.Contains(protos, s.Proto)
	})
}
