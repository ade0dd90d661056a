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

// defaultDial returns Linux's fast connect path.
func defaultDial() DialFunc { return (&connector{}).dial }

// connector makes connection attempts with non-blocking connect(2), the way
// nmap -sT does, instead of net.Dialer. The difference is the common case of
// a scan: an answer that is already there when connect returns. On loopback
// and fast LANs the RST (or SYN-ACK) is usually processed while connect runs,
// so one getsockopt(SO_ERROR) settles the port: four system calls and no
// trip through the poller. net.Dialer always parks the goroutine until the
// poller reports the socket writable, which costs more than the connect
// itself and made a loopback -p - scan take over a second. Attempts that are
// still in progress wait in Go's poller like any socket (os.File
// deadlines), so a slow network holds no thread.
type connector struct {
	zones sync.Map // IPv6 zone name → interface index
}

// dial makes one attempt. Connect errors come back as bare syscall.Errno
// values; no answer within timeout as context.DeadlineExceeded.
func (c *connector) dial(ctx context.Context, ap netip.AddrPort, timeout time.Duration) (net.Conn, error) {
	sa, family, err := c.sockaddr(ap)
	if err != nil {
		return nil, err
	}
	fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, unix.IPPROTO_TCP)
	if err != nil {
		return nil, err
	}
	switch err := unix.Connect(fd, sa); err {
	case nil:
		return connFromFD(fd)
	case unix.EINPROGRESS, unix.EINTR, unix.EALREADY:
	default:
		unix.Close(fd)
		return nil, err
	}
	if done, err := connected(fd); done {
		if err != nil {
			unix.Close(fd)
			return nil, err
		}
		return connFromFD(fd)
	}
	return waitConnect(ctx, fd, time.Now().Add(timeout))
}

// connected reports whether the connection attempt on fd has finished, and
// how: a nil error means it was accepted.
func connected(fd int) (bool, error) {
	e, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR)
	switch {
	case err != nil:
		return true, os.NewSyscallError("getsockopt", err)
	case e != 0:
		return true, unix.Errno(e)
	}
	switch _, err := unix.Getpeername(fd); err {
	case nil:
		return true, nil
	case unix.ENOTCONN:
		return false, nil
	default:
		return true, os.NewSyscallError("getpeername", err)
	}
}

// waitConnect waits in Go's poller until the attempt on fd finishes, the
// deadline passes or ctx is done. It takes ownership of fd.
func waitConnect(ctx context.Context, fd int, deadline time.Time) (net.Conn, error) {
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
		var done bool
		done, cerr = connected(int(fd))
		return done
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
