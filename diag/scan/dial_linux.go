package scan

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// defaultDialer returns Linux's fast connect path and a function that
// releases what it keeps between attempts.
func defaultDialer() (DialFunc, func()) {
	c := &connector{}
	return c.dial, c.close
}

// connector makes connection attempts with non-blocking connect(2), the way
// nmap -sT does, instead of net.Dialer. The difference is the common case of
// a scan: an answer that is already there when connect returns. On loopback
// and fast LANs the RST (or SYN-ACK) is usually processed while connect runs,
// so calling connect a second time settles the port at once — 0 (open),
// ECONNREFUSED (closed) or the ICMP error, with EALREADY meaning "still in
// progress" — without a trip through the poller. net.Dialer always parks the
// goroutine until the poller reports the socket writable, which costs more
// than the connect itself and made a loopback -p - scan take over a second.
//
// A socket whose attempt failed is left unconnected by that second connect
// (the kernel resets it), so it is kept and used for the next attempt:
// two system calls per closed port instead of four (socket, connect,
// getsockopt, close), which halves the kernel's share of a large scan.
// Attempts still in progress wait in Go's poller like any socket (os.File
// deadlines), so a slow network holds no thread.
type connector struct {
	zones sync.Map // IPv6 zone name → interface index
	mu    sync.Mutex
	spare map[int][]int // address family → unconnected sockets to reuse
}

// maxSpare is how many unconnected sockets per family the connector keeps.
const maxSpare = 64

// dial makes one attempt. Connect errors come back as bare syscall.Errno
// values; no answer within timeout as context.DeadlineExceeded.
func (c *connector) dial(ctx context.Context, ap netip.AddrPort, timeout time.Duration) (net.Conn, error) {
	sa, family, err := c.sockaddr(ap)
	if err != nil {
		return nil, err
	}
	fd, reused, err := c.socket(family)
	if err != nil {
		return nil, err
	}
	err = unix.Connect(fd, sa)
	if reused && err != nil && err != unix.EINPROGRESS && err != unix.EINTR {
		// A reused socket the kernel will not connect again: use a new one.
		unix.Close(fd)
		if fd, err = unix.Socket(family, sockType, unix.IPPROTO_TCP); err != nil {
			return nil, err
		}
		err = unix.Connect(fd, sa)
	}
	if err == unix.EINPROGRESS || err == unix.EINTR {
		err = unix.Connect(fd, sa) // has the answer arrived already?
	}
	switch err {
	case nil, unix.EISCONN:
		return connFromFD(fd)
	case unix.EALREADY, unix.EINPROGRESS:
		return waitConnect(ctx, fd, sa, time.Now().Add(timeout))
	case unix.ECONNREFUSED:
		c.recycle(family, fd) // the failed connect left it unconnected
		return nil, err
	default:
		unix.Close(fd)
		return nil, err
	}
}

const sockType = unix.SOCK_STREAM | unix.SOCK_NONBLOCK | unix.SOCK_CLOEXEC

// socket returns an unconnected TCP socket of family: a spare one if there
// is one (reused true), else a new one.
func (c *connector) socket(family int) (fd int, reused bool, err error) {
	c.mu.Lock()
	if n := len(c.spare[family]); n > 0 {
		fd = c.spare[family][n-1]
		c.spare[family] = c.spare[family][:n-1]
		c.mu.Unlock()
		return fd, true, nil
	}
	c.mu.Unlock()
	fd, err = unix.Socket(family, sockType, unix.IPPROTO_TCP)
	return fd, false, err
}

// recycle keeps an unconnected socket for a later attempt, or closes it.
func (c *connector) recycle(family, fd int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.spare == nil {
		c.spare = map[int][]int{}
	}
	if len(c.spare[family]) < maxSpare {
		c.spare[family] = append(c.spare[family], fd)
		return
	}
	unix.Close(fd)
}

// close closes the spare sockets.
func (c *connector) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, fds := range c.spare {
		for _, fd := range fds {
			unix.Close(fd)
		}
	}
	c.spare = nil
}

// waitConnect waits in Go's poller until the attempt on fd finishes, the
// deadline passes or ctx is done. It takes ownership of fd.
func waitConnect(ctx context.Context, fd int, sa unix.Sockaddr, deadline time.Time) (net.Conn, error) {
	f := os.NewFile(uintptr(fd), "tcp")
	defer f.Close()
	if err := f.SetWriteDeadline(deadline); err != nil {
		return nil, err // not pollable: cannot happen for a non-blocking socket
	}
	stop := context.AfterFunc(ctx, func() { _ = f.SetWriteDeadline(time.Unix(1, 0)) })
	defer stop()
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	var cerr error
	werr := rc.Write(func(fd uintptr) bool {
		switch cerr = unix.Connect(int(fd), sa); cerr {
		case unix.EALREADY, unix.EINPROGRESS, unix.EINTR:
			return false // a spurious wake-up: keep waiting
		case unix.EISCONN:
			cerr = nil
		}
		return true
	})
	switch {
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case errors.Is(werr, os.ErrDeadlineExceeded):
		return nil, context.DeadlineExceeded
	case werr != nil:
		return nil, werr
	case cerr != nil:
		return nil, cerr
	}
	return net.FileConn(f) // a *net.TCPConn on a duplicate of fd
}

// connFromFD wraps a connected socket as a *net.TCPConn.
func connFromFD(fd int) (net.Conn, error) {
	f := os.NewFile(uintptr(fd), "tcp")
	defer f.Close()
	return net.FileConn(f)
}

// sockaddr converts ap for connect(2).
func (c *connector) sockaddr(ap netip.AddrPort) (unix.Sockaddr, int, error) {
	a := ap.Addr()
	if a.Is4() {
		return &unix.SockaddrInet4{Port: int(ap.Port()), Addr: a.As4()}, unix.AF_INET, nil
	}
	sa := &unix.SockaddrInet6{Port: int(ap.Port()), Addr: a.As16()}
	if z := a.Zone(); z != "" {
		id, err := c.zoneIndex(z)
		if err != nil {
			return nil, 0, err
		}
		sa.ZoneId = id
	}
	return sa, unix.AF_INET6, nil
}

// zoneIndex returns the interface index of an IPv6 zone ("eth0" or "2").
func (c *connector) zoneIndex(zone string) (uint32, error) {
	if v, ok := c.zones.Load(zone); ok {
		return v.(uint32), nil
	}
	var id uint32
	if n, err := strconv.ParseUint(zone, 10, 32); err == nil {
		id = uint32(n)
	} else {
		ifi, err := net.InterfaceByName(zone)
		if err != nil {
			return 0, err
		}
		id = uint32(ifi.Index)
	}
	c.zones.Store(zone, id)
	return id, nil
}
