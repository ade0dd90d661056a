package check

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/netip"
	"os"
	"strconv"
	"syscall"
	"time"

	"netdiag/diag/netaddr"
	"netdiag/diag/render"
)

// pingOnce runs opt.Ping against addr within ctx and returns the outcome as
// data.
func pingOnce(ctx context.Context, opt Options, addr netip.Addr) *PingResult {
	echo, err := opt.Ping(ctx, addr, opt.Count, pingInterval)
	res := &PingResult{Addr: addr, Sent: echo.Sent, Received: echo.Received, RTT: render.Millis(echo.RTT)}
	switch {
	case err != nil && errors.Is(err, fs.ErrPermission):
		res.NotPermitted = true
		res.Error = "ICMP not permitted: run as root or allow unprivileged ping (sysctl net.ipv4.ping_group_range)"
	case err != nil:
		res.Error = errorText(err)
		res.unreachable = isUnreachable(err)
	case echo.Received == 0 && echo.Unreachable != "":
		res.Error = echo.Unreachable
		if echo.From.IsValid() && echo.From != addr {
			res.Error += " from " + echo.From.String()
		}
		res.unreachable = true
	case echo.Received == 0:
		res.Error = "no reply"
	}
	return res
}

// Connect opens a TCP connection with dial to addr:port within ctx and
// closes it at once, timing the handshake. The Outcome is "connected",
// "refused" (which check counts as an answer: the host is there),
// "timeout", "unreachable" or "error". It is the internet step's fallback
// probe, and "netdiag exporter"'s TCP prober.
func Connect(ctx context.Context, dial Dialer, addr netip.Addr, port netaddr.Port) *ConnectResult {
	res := &ConnectResult{Port: uint16(port)}
	start := time.Now()
	conn, err := dial(ctx, "tcp", net.JoinHostPort(addr.String(), strconv.Itoa(int(port))))
	res.Time = render.Millis(time.Since(start))
	switch {
	case err == nil:
		conn.Close()
		res.Outcome = "connected"
	case errors.Is(err, syscall.ECONNREFUSED):
		res.Outcome = "refused"
	case isTimeout(err):
		res.Outcome, res.Error, res.Time = "timeout", "no answer", 0
	case isUnreachable(err):
		res.Outcome, res.Error, res.Time = "unreachable", errorText(err), 0
	default:
		res.Outcome, res.Error, res.Time = "error", errorText(err), 0
	}
	return res
}

// isTimeout reports whether err means "no answer in time".
func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) ||
		(errors.As(err, &ne) && ne.Timeout())
}

// isUnreachable reports whether err is a "no route" error: from the local
// routing table or an ICMP destination-unreachable message.
func isUnreachable(err error) bool {
	return errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, syscall.EHOSTUNREACH)
}

// errorText is err's innermost system message ("network is unreachable")
// without Go's operation prefixes ("dial tcp 1.2.3.4:443: connect: ").
func errorText(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno.Error()
	}
	var se *os.SyscallError
	if errors.As(err, &se) {
		return se.Err.Error()
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return oe.Err.Error()
	}
	return fmt.Sprint(err)
}

// lossText says how many of a ping's echo requests went unanswered.
func lossText(p *PingResult) string {
	return fmt.Sprintf("%d of %d echo requests lost", p.Sent-p.Received, p.Sent)
}
