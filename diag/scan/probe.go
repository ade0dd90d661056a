package scan

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"slices"
	"syscall"
	"time"
)

// outcomeKind is what one connection attempt came to.
type outcomeKind uint8

const (
	answered    outcomeKind = iota // open, closed, or an ICMP error: a final state
	timedOut                       // no answer within the timeout: retry, or filtered
	shortage                       // a local resource ran out (EMFILE…): try again later
	selfConnect                    // the kernel connected the socket to itself: try again
	failed                         // an unexpected error: state "error"
	canceled                       // the scan was cancelled
)

// outcome is the result of one attempt.
type outcome struct {
	kind   outcomeKind
	state  State
	reason string
	rtt    time.Duration
	banner string
	err    error
	// pending is a timed-out attempt still open (Linux): it may yet answer.
	pending pendingAttempt
	// late is set for an answer that came after its attempt's wait.
	late bool
}

// pendingAttempt is a connection attempt that timed out but is kept open,
// so that an answer slower than the wait still counts: the scan looks at it
// again before the port's next attempt, and abandons it when the port has
// its final state. The Linux dialer returns one as its timeout error.
type pendingAttempt interface {
	error
	// poll returns the attempt's answer if it has come (ok).
	poll() (conn net.Conn, err error, ok bool)
	// abandon closes the attempt.
	abandon()
}

// probe makes one connection attempt for j, after looking whether one of
// its earlier, timed-out attempts has been answered since: that answer
// (a late one) settles the port without another attempt.
func (s *scheduler) probe(ctx context.Context, j *job) outcome {
	for i := 0; i < len(j.pending); i++ {
		pa := j.pending[i]
		conn, err, ok := pa.attempt.poll()
		if !ok {
			continue
		}
		j.pending = slices.Delete(j.pending, i, i+1) // poll closed it
		i--
		if o := s.settle(ctx, conn, err, time.Since(pa.sent)); o.kind == answered {
			o.late = true
			return o
		}
	}
	ap := netip.AddrPortFrom(j.h.res.Addr, uint16(j.port))
	start := time.Now()
	conn, err := s.opt.Dial(ctx, ap, j.wait)
	return s.settle(ctx, conn, err, time.Since(start))
}

// settle turns an attempt's connection or error into its outcome.
func (s *scheduler) settle(ctx context.Context, conn net.Conn, err error, rtt time.Duration) outcome {
	if err != nil {
		o := classify(ctx, err)
		o.rtt = rtt
		return o
	}
	defer abortClose(conn)
	if isSelfConnect(conn) {
		return outcome{kind: selfConnect}
	}
	o := outcome{kind: answered, state: Open, reason: ReasonSynAck, rtt: rtt}
	if s.opt.Banner {
		o.banner = SanitizeBanner(readBanner(ctx, conn, s.opt.BannerTimeout))
	}
	return o
}

// classify maps a dial error to an outcome, as nmap's connect scan reads
// errno: ECONNREFUSED is closed; EHOSTUNREACH, ENETUNREACH, EACCES (ICMP
// unreachable or prohibited) and no answer are filtered.
func classify(ctx context.Context, err error) outcome {
	if ctx.Err() != nil {
		var p pendingAttempt
		if errors.As(err, &p) {
			p.abandon()
		}
		return outcome{kind: canceled}
	}
	var errno syscall.Errno
	switch e := err.(type) { // the fast dialer returns these unwrapped
	case syscall.Errno:
		errno = e
	case *os.SyscallError:
		errno, _ = e.Err.(syscall.Errno)
	}
	if errno == 0 && !errors.As(err, &errno) {
		var p pendingAttempt
		if errors.As(err, &p) {
			return outcome{kind: timedOut, pending: p}
		}
		var ne net.Error
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) ||
			(errors.As(err, &ne) && ne.Timeout()) {
			return outcome{kind: timedOut}
		}
		return outcome{kind: failed, state: Failed, reason: err.Error(), err: err}
	}
	if o, ok := classifyErrno(errno); ok {
		o.err = err
		return o
	}
	return outcome{kind: failed, state: Failed, reason: errno.Error(), err: err}
}

func closedBy(reason string) outcome { return outcome{kind: answered, state: Closed, reason: reason} }

func filteredBy(reason string) outcome {
	return outcome{kind: answered, state: Filtered, reason: reason}
}

// isSelfConnect reports whether conn is connected to itself: connecting to
// a port in the ephemeral range with nothing listening on it can pick that
// very port as the source and "succeed" (TCP simultaneous open).
func isSelfConnect(conn net.Conn) bool {
	l, ok1 := conn.LocalAddr().(*net.TCPAddr)
	r, ok2 := conn.RemoteAddr().(*net.TCPAddr)
	return ok1 && ok2 && l.AddrPort() == r.AddrPort()
}

// abortClose closes conn with a reset rather than the four-way close, as
// nmap does: the scanner leaves no TIME_WAIT socket behind.
func abortClose(conn net.Conn) {
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}
