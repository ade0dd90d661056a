package ifaces

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// netlinkTimeout bounds one netlink exchange when the context has no
// earlier deadline: the kernel answers dumps at once, so this only guards
// against a hang.
const netlinkTimeout = 10 * time.Second

// errDumpInterrupted means the kernel's tables changed during a dump
// (NLM_F_DUMP_INTR): the answer may be inconsistent and should be retried.
var errDumpInterrupted = errors.New("netlink dump interrupted by a concurrent change")

// nlConn is a NETLINK_ROUTE socket owned by one goroutine.
type nlConn struct {
	f    *os.File
	port uint32
	seq  uint32
	buf  []byte
}

// dialNetlink opens a NETLINK_ROUTE socket. No privilege is needed to dump
// links, addresses and routes.
func dialNetlink() (*nlConn, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("opening a netlink socket: %w", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("binding the netlink socket: %w", err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("netlink socket name: %w", err)
	}
	nl, ok := sa.(*unix.SockaddrNetlink)
	if !ok {
		unix.Close(fd)
		return nil, fmt.Errorf("netlink socket has a %T address", sa)
	}
	// A 64 KiB buffer holds any datagram: the kernel never builds dump
	// messages larger than 32 KiB.
	return &nlConn{f: os.NewFile(uintptr(fd), "netlink"), port: nl.Pid, seq: uint32(time.Now().Unix()), buf: make([]byte, 64<<10)}, nil
}

// Close closes the socket.
func (c *nlConn) Close() error { return c.f.Close() }

// dump sends a dump request of type typ with the fixed-size header hdr and
// calls fn with the payload of every reply message until NLMSG_DONE. It
// honours ctx (cancellation and deadline) and never waits longer than
// netlinkTimeout.
func (c *nlConn) dump(ctx context.Context, typ uint16, hdr []byte, fn func(payload []byte) error) error {
	c.seq++
	req := make([]byte, unix.NLMSG_HDRLEN, unix.NLMSG_HDRLEN+len(hdr))
	binary.NativeEndian.PutUint32(req[0:4], uint32(unix.NLMSG_HDRLEN+len(hdr)))
	binary.NativeEndian.PutUint16(req[4:6], typ)
	binary.NativeEndian.PutUint16(req[6:8], unix.NLM_F_REQUEST|unix.NLM_F_DUMP)
	binary.NativeEndian.PutUint32(req[8:12], c.seq)
	req = append(req, hdr...)

	rc, err := c.f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Write(func(fd uintptr) bool {
		serr = unix.Sendto(int(fd), req, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK})
		return serr != unix.EAGAIN
	}); err != nil {
		return err
	}
	if serr != nil {
		return fmt.Errorf("netlink request: %w", serr)
	}

	deadline := time.Now().Add(netlinkTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	if err := c.f.SetReadDeadline(deadline); err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, func() { c.f.SetReadDeadline(time.Now()) })
	defer stop()

	interrupted := false
	for {
		var n int
		var from unix.Sockaddr
		var rerr error
		err := rc.Read(func(fd uintptr) bool {
			n, from, rerr = unix.Recvfrom(int(fd), c.buf, unix.MSG_TRUNC)
			return rerr != unix.EAGAIN
		})
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if errors.Is(err, os.ErrDeadlineExceeded) {
				return fmt.Errorf("no netlink answer from the kernel within %v", netlinkTimeout)
			}
			return err
		}
		if rerr != nil {
			return fmt.Errorf("netlink receive: %w", rerr)
		}
		if n > len(c.buf) {
			return fmt.Errorf("netlink message of %d bytes is larger than the %d-byte buffer", n, len(c.buf))
		}
		if nl, ok := from.(*unix.SockaddrNetlink); !ok || nl.Pid != 0 {
			continue // not from the kernel
		}
		msgs, err := parseMessages(c.buf[:n])
		if err != nil {
			return err
		}
		for _, m := range msgs {
			if m.seq != c.seq || m.port != c.port {
				continue // a stale answer to an earlier request
			}
			if m.flags&unix.NLM_F_DUMP_INTR != 0 {
				interrupted = true
			}
			switch m.typ {
			case unix.NLMSG_DONE:
				if err := doneError(m.data); err != nil {
					return err
				}
				if interrupted {
					return errDumpInterrupted
				}
				return nil
			case unix.NLMSG_ERROR:
				if err := doneError(m.data); err != nil {
					return err
				}
			case unix.NLMSG_NOOP, unix.NLMSG_OVERRUN:
			default:
				if err := fn(m.data); err != nil {
					return err
				}
			}
		}
	}
}

// doneError decodes the errno that may follow NLMSG_DONE or NLMSG_ERROR.
func doneError(data []byte) error {
	if len(data) < 4 {
		return nil
	}
	if e := int32(binary.NativeEndian.Uint32(data)); e < 0 {
		return fmt.Errorf("netlink: %w", unix.Errno(-e))
	}
	return nil
}

// message is one netlink message.
type message struct {
	typ, flags uint16
	seq, port  uint32
	data       []byte
}

// parseMessages splits a netlink datagram into messages. It rejects
// truncated or malformed headers instead of guessing.
func parseMessages(b []byte) ([]message, error) {
	var msgs []message
	for len(b) >= unix.NLMSG_HDRLEN {
		l := int(binary.NativeEndian.Uint32(b[0:4]))
		if l < unix.NLMSG_HDRLEN || l > len(b) {
			return nil, fmt.Errorf("malformed netlink message: length %d with %d bytes left", l, len(b))
		}
		msgs = append(msgs, message{
			typ:   binary.NativeEndian.Uint16(b[4:6]),
			flags: binary.NativeEndian.Uint16(b[6:8]),
			seq:   binary.NativeEndian.Uint32(b[8:12]),
			port:  binary.NativeEndian.Uint32(b[12:16]),
			data:  b[unix.NLMSG_HDRLEN:l],
		})
		b = b[min(nlAlign(l), len(b)):]
	}
	if len(b) != 0 {
		return nil, fmt.Errorf("malformed netlink message: %d trailing bytes", len(b))
	}
	return msgs, nil
}

// nlAlign rounds n up to netlink's 4-byte alignment.
func nlAlign(n int) int { return (n + 3) &^ 3 }
