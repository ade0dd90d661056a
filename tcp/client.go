package tcp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"sync/atomic"
	"syscall"
	"time"

	"netdiag/diag/netaddr"
	"netdiag/diag/render"
	"netdiag/diag/wire"
	"netdiag/internal/clock"
)

// DialFunc opens a connection, like net.Dialer.DialContext.
type DialFunc func(ctx context.Context, network, address string) (net.Conn, error)

// ClientOptions configures RunClient. What is sent is, in order of
// precedence: Send (Repeat times, Interval apart), File, or Input streamed
// until EOF.
type ClientOptions struct {
	Target netaddr.HostPort
	// Family restricts which of a name's addresses are tried (-4, -6).
	Family netaddr.Family
	// Source binds the local end (--source); the zero value lets the
	// system choose. Its port may be 0.
	Source netip.AddrPort
	// Timeout bounds each connection attempt; 0 means the system's.
	Timeout time.Duration
	// Dial opens the connection; nil means a net.Dialer bound to Source.
	Dial DialFunc
	// Resolver resolves a name; nil means net.DefaultResolver.
	Resolver *net.Resolver

	// Send, when non-nil, is sent Repeat times (at least once), Interval
	// apart; the connection stays open for replies (see Wait).
	Send     []byte
	Repeat   int
	Interval time.Duration
	// Forever sends Send, Interval apart, until ctx is done (--every
	// without --repeat).
	Forever bool
	// Clock times Interval; nil is the system clock.
	Clock clock.Clock
	// File is sent as it is (sendFile: written from a mapping of it on
	// Linux), from its offset to its end; then the write side
	// is shut down.
	File *os.File
	// Input is streamed to the server as it arrives until EOF, then the
	// write side is shut down. Unless Hex is set, it is UTF-8 text
	// re-encoded with Codec on the way.
	Input io.Reader
	// Hex says the data is bytes, not text (--hex): Input goes out
	// unchanged, nothing is decoded, and data events carry no text.
	Hex bool
	// Interactive says Input is a terminal: when the server closes, the
	// client stops at once instead of waiting for the user's next line.
	// Piped input is sent to the end even after the server half-closes.
	Interactive bool
	// Wait is how long the client keeps the connection once everything is
	// sent while the server sends nothing; 0 waits until the server closes.
	Wait time.Duration
	// Info adds the socket's buffer sizes and TCP_INFO to the summary.
	Info bool
	// Codec encodes Input and decodes what arrives; zero means UTF-8.
	Codec wire.Codec
	// Save, when set, gets the server's bytes (--save).
	Save *wire.Saver
}

// SessionError is a connection that broke after it was established: reset
// by the server, or a failed send.
type SessionError struct {
	Op  string // "send" or "receive"
	Err error
}

// Error says what broke.
func (e *SessionError) Error() string { return e.Op + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *SessionError) Unwrap() error { return e.Err }

// RunClient connects to the target, sends what the options say while
// reporting everything received, and returns the summary when the server
// closes, when the server has been quiet for Wait after the last send, or
// when ctx is done (an interruption is not an error). Events go to emit:
// connect, data, error, disconnect, summary.
func RunClient(ctx context.Context, opt ClientOptions, emit Emit) (SummaryEvent, error) {
	if opt.Codec.IsZero() {
		opt.Codec = wire.UTF8
	}
	conn, ev, err := dial(ctx, opt)
	if err != nil {
		return SummaryEvent{}, err
	}
	emit(ev)
	cl := &client{opt: opt, emit: emit, conn: conn, peer: ev.Peer, start: time.Now()}
	reason, err := cl.run(ctx)

	sum := SummaryEvent{Clients: 1,
		BytesIn: cl.in.Load(), BytesOut: cl.out.Load(), Duration: render.Seconds(time.Since(cl.start))}
	sum.InBitsPerS = rate(sum.BytesIn, time.Duration(sum.Duration))
	sum.OutBitsPerS = rate(sum.BytesOut, time.Duration(sum.Duration))
	if opt.Info {
		sum.Socket = socketInfo(conn)
	}
	conn.Close()
	cl.readerDone.Wait()
	emit(DisconnectEvent{Header: header(KindDisconnect, "client"), Peer: cl.peer, Reason: reason,
		BytesIn: sum.BytesIn, BytesOut: sum.BytesOut, Duration: sum.Duration})
	sum.Header = header(KindSummary, "client")
	emit(sum)
	return sum, err
}

// client is one RunClient call's state.
type client struct {
	opt        ClientOptions
	emit       Emit
	conn       net.Conn
	peer       Peer
	start      time.Time
	in, out    atomic.Int64
	lastRecv   atomic.Int64 // UnixNano of the last received chunk
	readerDone waitGroup
}

// waitGroup is a done channel for one goroutine.
type waitGroup struct{ ch chan struct{} }

// Go runs f in a goroutine.
func (w *waitGroup) Go(f func()) {
	w.ch = make(chan struct{})
	go func() { defer close(w.ch); f() }()
}

// Wait waits for the goroutine, if one was started.
func (w *waitGroup) Wait() {
	if w.ch != nil {
		<-w.ch
	}
}

// run exchanges data; it returns why the connection ends and the error
// that broke it, if any.
func (cl *client) run(ctx context.Context) (string, error) {
	var readErr error
	cl.readerDone.Go(func() { readErr = cl.receive() })

	sendErr := make(chan error, 1)
	var sender waitGroup
	sender.Go(func() { sendErr <- cl.send(ctx) })

	readerDone := cl.readerDone.ch
sending:
	for {
		select {
		case err := <-sendErr:
			if err == nil {
				break sending
			}
			cl.conn.Close()
			cl.readerDone.Wait()
			switch _, badText := errors.AsType[*wire.EncodeError](err); {
			case badText:
				return "stdin cannot be encoded", err // a usage error, like such a --send TEXT
			case cl.closedAtOnce(readErr, err):
				return closedAtOnceReason, closedAtOnceError()
			}
			if errors.Is(readErr, io.EOF) {
				return "server closed before everything was sent", &SessionError{Op: "send",
					Err: fmt.Errorf("the server closed the connection after %d bytes: %w", cl.out.Load(), err)}
			}
			return "send failed", &SessionError{Op: "send", Err: err}
		case <-readerDone:
			if errors.Is(readErr, io.EOF) && cl.opt.Send == nil && !cl.opt.Interactive {
				// The server is done sending; it may still be reading
				// (a half-close, as nc -N does): send the rest of the
				// input, like nc.
				readerDone = nil
				continue
			}
			// Broken, or a terminal user would wait for nothing: stop.
			cl.conn.Close()
			cl.stopSender(&sender)
			// A reset is reported once, to whichever call comes first: when
			// the send saw it, the read sees only an end of stream.
			select {
			case err := <-sendErr:
				if cl.closedAtOnce(readErr, err) {
					return closedAtOnceReason, closedAtOnceError()
				}
			default:
			}
			return cl.readEnd(readErr)
		case <-ctx.Done():
			cl.conn.Close()
			cl.stopSender(&sender)
			cl.readerDone.Wait()
			return "interrupted", nil
		}
	}
	if cl.opt.Wait == 0 {
		select {
		case <-cl.readerDone.ch:
			return cl.readEnd(readErr)
		case <-ctx.Done():
			return "interrupted", nil
		}
	}
	// Wait until the server has been quiet for Wait since the later of the
	// last send and the last chunk received.
	sentAt := time.Now().UnixNano()
	timer := time.NewTimer(cl.opt.Wait)
	defer timer.Stop()
	for {
		select {
		case <-cl.readerDone.ch:
			return cl.readEnd(readErr)
		case <-ctx.Done():
			return "interrupted", nil
		case <-timer.C:
			quiet := max(sentAt, cl.lastRecv.Load())
			left := time.Until(time.Unix(0, quiet).Add(cl.opt.Wait))
			if left <= 0 {
				return fmt.Sprintf("quiet for %v (--wait)", cl.opt.Wait), nil
			}
			timer.Reset(left)
		}
	}
}

// stopSender wakes a sender blocked on its input, if the input allows it,
// and waits for it. A sender blocked reading a terminal or pipe cannot be
// woken; it is left to end with the process.
func (cl *client) stopSender(sender *waitGroup) {
	if cl.opt.Send != nil || cl.opt.File != nil {
		sender.Wait() // blocked only on the connection, which is closed
		return
	}
	if d, ok := cl.opt.Input.(interface{ SetReadDeadline(time.Time) error }); ok && d.SetReadDeadline(longAgo) == nil {
		sender.Wait()
	}
}

// closedAtOnceError is the end of a connection the server reset before it
// sent anything, even before the connect returned: netdiag's server does
// that to a client beyond its --max-conns. Every such end gives this one
// error, whatever the client was doing when it saw the reset.
func closedAtOnceError() error {
	return &SessionError{Op: "connect", Err: errors.New("the server closed the connection at once (it may be at its --max-conns limit)")}
}

const closedAtOnceReason = "closed at once by the server"

// closedAtOnce reports whether the server reset the connection before
// sending anything, as the receive or send errors errs show (a reset, a
// broken pipe, or a shutdown of a connection the reset already ended).
func (cl *client) closedAtOnce(errs ...error) bool {
	if cl.in.Load() > 0 {
		return false
	}
	for _, err := range errs {
		if errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ENOTCONN) {
			return true
		}
	}
	return false
}

// readEnd explains the end of the receive side.
func (cl *client) readEnd(err error) (string, error) {
	switch {
	case err == nil, errors.Is(err, io.EOF):
		return "server closed the connection", nil
	case cl.closedAtOnce(err):
		return closedAtOnceReason, closedAtOnceError()
	case errors.Is(err, syscall.ECONNRESET):
		return "reset by server", &SessionError{Op: "receive", Err: errors.New("connection reset by the server")}
	}
	return "receive failed", &SessionError{Op: "receive", Err: err}
}

// decoder returns a decoder for shown text; nil with --hex, where nothing
// is decoded.
func (cl *client) decoder() *wire.Decoder {
	if cl.opt.Hex {
		return nil
	}
	return cl.opt.Codec.NewDecoder()
}

// receive reports every chunk until the connection ends.
func (cl *client) receive() error {
	dec := cl.decoder()
	buf := make([]byte, 64<<10)
	ev := new(DataEvent) // reused: emitted by pointer
	for {
		n, err := cl.conn.Read(buf)
		if n > 0 {
			cl.lastRecv.Store(time.Now().UnixNano())
			off := cl.in.Add(int64(n)) - int64(n)
			if _, err := cl.opt.Save.Write(cl.peer.Remote, cl.start, buf[:n]); err != nil {
				cl.emit(ErrorEvent{Header: header(KindError, "client"), Peer: &cl.peer, Op: "save", Error: err.Error()})
			}
			*ev = DataEvent{Header: header(KindData, "client"), Peer: cl.peer, Dir: "in",
				Offset: off, Bytes: n, Raw: buf[:n]}
			ev.Text, ev.Undecoded = dec.Show(buf[:n])
			cl.emit(ev)
		}
		if err != nil {
			if rest := dec.Flush(); len(rest) > 0 {
				cl.emit(ErrorEvent{Header: header(KindError, "client"), Peer: &cl.peer, Op: "decode",
					Error: "the stream ended inside a character: " + rest.String()})
			}
			if errors.Is(err, net.ErrClosed) {
				return nil // we closed it
			}
			return err
		}
	}
}

// send sends what the options say; with a file or a stream it then shuts
// down the write side, so the server sees the end of the data.
func (cl *client) send(ctx context.Context) error {
	switch {
	case cl.opt.Send != nil:
		n := max(cl.opt.Repeat, 1)
		if cl.opt.Forever {
			n = 0
		}
		return wire.Repeat(ctx, cl.opt.Clock, n, cl.opt.Interval, cl.readerDone.ch, func(int) error {
			ev := &DataEvent{Header: header(KindData, "client"), Peer: cl.peer, Dir: "out",
				Offset: cl.out.Load(), Bytes: len(cl.opt.Send), Raw: cl.opt.Send}
			ev.Text, ev.Undecoded = cl.decoder().Show(cl.opt.Send)
			cl.emit(ev)
			n, err := cl.conn.Write(cl.opt.Send)
			cl.out.Add(int64(n))
			return err
		})
	case cl.opt.File != nil:
		n, err := sendFile(cl.conn, cl.opt.File)
		cl.out.Add(n)
		if err != nil {
			return fmt.Errorf("sending %s: %w", cl.opt.File.Name(), err)
		}
	case cl.opt.Input != nil:
		if err := cl.stream(); err != nil {
			return err
		}
	}
	return closeWrite(cl.conn)
}

// stream copies Input to the connection as it arrives, re-encoding UTF-8
// text unless Hex.
func (cl *client) stream() error {
	in := cl.opt.Input
	if !cl.opt.Codec.IsUTF8() && !cl.opt.Hex {
		in = wire.NewEncodingReader(in, cl.opt.Codec)
	}
	n, err := io.Copy(cl.conn, in)
	cl.out.Add(n)
	if ee, ok := errors.AsType[*wire.EncodeError](err); ok {
		return fmt.Errorf("stdin: %w", ee) // without the copy's "readfrom tcp …"
	}
	if err != nil && !errors.Is(err, net.ErrClosed) {
		return err
	}
	return nil
}

// closeWrite half-closes the connection (shutdown SHUT_WR) if it can.
func closeWrite(c net.Conn) error {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		if err := cw.CloseWrite(); err != nil && !errors.Is(err, net.ErrClosed) {
			return fmt.Errorf("shutting down the write side: %w", err)
		}
	}
	return nil
}
