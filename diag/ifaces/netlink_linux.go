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

// recvSlice is how long one receive blocks before the context and the
// deadline are checked again (SO_RCVTIMEO).
const recvSlice = 100 * time.Millisecond

// errDumpInterrupted means the kernel's tables changed during a dump
// (NLM_F_DUMP_INTR): the answer may be inconsistent and should be retried.
var errDumpInterrupted = errors.New("netlink dump interrupted by a concurrent change")

// nlConn is a NETLINK_ROUTE socket owned by one goroutine. It is a plain
// blocking socket with a receive timeout: the kernel answers at once, and
// staying out of Go's network poller keeps a short-lived process cheap.
type nlConn struct {
	fd   int
	port uint32
	seq  uint32
	buf  []byte
}

// dialNetlink opens a NETLINK_ROUTE socket. No privilege is needed to dump
// links, addresses and routes.
func dialNetlink() (*nlConn, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("opening a netlink socket: %w", err)
	}
	c := &nlConn{fd: fd, seq: uint32(time.Now().Unix())}
	if err := c.setup(); err != nil {
		unix.Close(fd)
		return nil, err
	}
	// A 64 KiB buffer holds any datagram: the kernel builds dump messages
	// of at most 32 KiB.
	c.buf = make([]byte, 64<<10)
	return c, nil
}

func (c *nlConn) setup() error {
	tv := unix.NsecToTimeval(recvSlice.Nanoseconds())
	if err := unix.SetsockoptTimeval(c.fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		return fmt.Errorf("netlink receive timeout: %w", err)
	}
	// Strict checking lets the kernel filter dumps by the request header
	// (the route table); kernels before 4.20 lack it and send everything.
	_ = unix.SetsockoptInt(c.fd, unix.SOL_NETLINK, unix.NETLINK_GET_STRICT_CHK, 1)
	if err := unix.Bind(c.fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return fmt.Errorf("binding the netlink socket: %w", err)
	}
	sa, err := unix.Getsockname(c.fd)
	if err != nil {
		return fmt.Errorf("netlink socket name: %w", err)
	}
	nl, ok := sa.(*unix.SockaddrNetlink)
	if !ok {
		return fmt.Errorf("netlink socket has a %T address", sa)
	}
	c.port = nl.Pid
	return nil
}

// Close closes the socket.
func (c *nlConn) Close() error { return unix.Close(c.fd) }

// dump sends a dump request of type typ with the fixed-size header hdr and
// calls fn with the payload of every reply message until NLMSG_DONE. It
// honours ctx (checked at least every recvSlice) and never waits longer
// than netlinkTimeout or ctx's deadline.
func (c *nlConn) dump(ctx context.Context, typ uint16, hdr []byte, fn func(payload []byte) error) error {
	c.seq++
	req := make([]byte, unix.NLMSG_HDRLEN, unix.NLMSG_HDRLEN+len(hdr))
	binary.NativeEndian.PutUint32(req[0:4], uint32(unix.NLMSG_HDRLEN+len(hdr)))
	binary.NativeEndian.PutUint16(req[4:6], typ)
	binary.NativeEndian.PutUint16(req[6:8], unix.NLM_F_REQUEST|unix.NLM_F_DUMP)
	binary.NativeEndian.PutUint32(req[8:12], c.seq)
	req = append(req, hdr...)
	if err := unix.Sendto(c.fd, req, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return fmt.Errorf("netlink request: %w", err)
	}

	deadline := time.Now().Add(netlinkTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	interrupted := false
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, from, err := unix.Recvfrom(c.fd, c.buf, unix.MSG_TRUNC)
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN || err == unix.EWOULDBLOCK:
			if time.Now().After(deadline) {
				return fmt.Errorf("no netlink answer from the kernel in time: %w", os.ErrDeadlineExceeded)
			}
			continue
		case err != nil:
			return fmt.Errorf("netlink receive: %w", err)
		case n > len(c.buf):
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
