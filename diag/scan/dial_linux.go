package scan

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"strconv"
	"sync"
	"syscall"
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
//
// At the deadline it looks once more: an answer the poller had not yet
// delivered (a busy machine) is an answer, if a late one. An attempt still
// unanswered then is not closed: it comes back as a *pendingConnect, which
// the scan keeps open and looks at again before the port's next attempt,
// so that an answer slower than the timeout is seen as late, not lost.
func waitConnect(ctx context.Context, fd int, sa unix.Sockaddr, deadline time.Time) (net.Conn, error) {
	f := os.NewFile(uintptr(fd), "tcp")
	if err := f.SetWriteDeadline(deadline); err != nil {
		f.Close()
		return nil, err // not pollable: cannot happen for a non-blocking socket
	}
	stop := context.AfterFunc(ctx, func() { _ = f.SetWriteDeadline(time.Unix(1, 0)) })
	rc, err := f.SyscallConn()
	if err != nil {
		stop()
		f.Close()
		return nil, err
	}
	var cerr error
	werr := rc.Write(func(fd uintptr) bool {
		var done bool
		cerr, done = connectState(int(fd), sa)
		return done
	})
	stop()
	switch {
	case ctx.Err() != nil:
		f.Close()
		return nil, ctx.Err()
	case errors.Is(werr, os.ErrDeadlineExceeded):
		p := &pendingConnect{f: f, rc: rc, sa: sa}
		if conn, err, ok := p.poll(); ok {
			return conn, err
		}
		return nil, p
	case werr != nil:
		f.Close()
		return nil, werr
	}
	return finishConnect(f, cerr)
}

// connectState asks the kernel how the attempt on fd stands: done with err
// (nil: connected), or still in progress.
func connectState(fd int, sa unix.Sockaddr) (err error, done bool) {
	switch err = unix.Connect(fd, sa); err {
	case unix.EALREADY, unix.EINPROGRESS, unix.EINTR:
		return nil, false
	case unix.EISCONN:
		return nil, true
	}
	return err, true
}

// finishConnect closes f and returns the connection its attempt made, or
// the attempt's error.
func finishConnect(f *os.File, cerr error) (net.Conn, error) {
	defer f.Close()
	if cerr != nil {
		return nil, cerr
	}
	return net.FileConn(f) // a *net.TCPConn on a duplicate of fd
}

// pendingConnect is an attempt that had no answer by its deadline and is
// still open. It is the error the dialer returns for it: a timeout.
type pendingConnect struct {
	f  *os.File
	rc syscall.RawConn
	sa unix.Sockaddr
}

func (p *pendingConnect) Error() string { return "no answer within the timeout" }

// Unwrap makes the error a context.DeadlineExceeded for errors.Is.
func (p *pendingConnect) Unwrap() error { return context.DeadlineExceeded }

// poll reports the attempt's answer if it has come (ok), closing the socket
// unless it connected (the connection then owns a duplicate).
func (p *pendingConnect) poll() (conn net.Conn, err error, ok bool) {
	var cerr error
	var done bool
	if err := p.rc.Control(func(fd uintptr) { cerr, done = connectState(int(fd), p.sa) }); err != nil {
		p.f.Close()
		return nil, err, true
	}
	if !done {
		return nil, nil, false
	}
	conn, err = finishConnect(p.f, cerr)
	return conn, err, true
}

// abandon closes the still-unanswered attempt.
func (p *pendingConnect) abandon() { p.f.Close() }

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
