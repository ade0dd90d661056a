package tcp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync/atomic"
	"syscall"
	"time"

	"netdiag/diag/render"
	"netdiag/diag/wire"
)

// longAgo is a deadline in the past: setting it wakes a blocked Read or
// Write at once.
var longAgo = time.Unix(1, 0)

// session is one client connection on the server.
type session struct {
	s        *server
	c        net.Conn
	peer     Peer
	dec      *wire.Decoder
	ev       DataEvent // reused for every chunk: emitted by pointer
	in, out  int64
	shutdown atomic.Bool // set when the server is stopping
}

// handle serves one client until it leaves, goes idle, breaks, or the
// server stops; then it closes the connection and reports the disconnect.
func (s *server) handle(ctx context.Context, c net.Conn, peer Peer) {
	defer s.wg.Done()
	start := time.Now()
	ss := &session{s: s, c: c, peer: peer}
	if s.opt.Mode != ModeDiscard && !s.opt.Hex && !s.opt.NoData {
		ss.dec = s.opt.Codec.NewDecoder()
	}
	stop := context.AfterFunc(ctx, func() {
		ss.shutdown.Store(true)
		c.SetDeadline(longAgo)
	})

	reason := ss.serve()
	stop()
	c.Close()
	if rest := ss.dec.Flush(); len(rest) > 0 {
		s.emit(ErrorEvent{Header: header(KindError, "server"), Peer: &peer, Op: "decode",
			Error: "the stream ended inside a character: " + rest.String()})
	}
	// The totals: one add per connection, not per chunk (a counter all
	// connections share would move between the cores for every chunk).
	s.bytesIn.Add(ss.in)
	s.bytesOut.Add(ss.out)
	s.active.Add(-1)
	s.emit(DisconnectEvent{Header: header(KindDisconnect, "server"), Peer: peer, Reason: reason,
		BytesIn: ss.in, BytesOut: ss.out, Duration: render.Seconds(time.Since(start))})
}

// serve is the read loop; it returns why the connection ended. While the
// client is silent the session holds no buffer (see pooledReader); while
// data flows it borrows one from the server's pool, so memory per
// connection is bounded by BufferSize whatever the client sends. In
// ModeDiscard on Linux nothing is read at all: the kernel drops the data
// (see truncReader).
func (ss *session) serve() string {
	var next func() (*[]byte, int, error)
	if sc, ok := ss.c.(syscall.Conn); ok {
		if rc, err := sc.SyscallConn(); err == nil {
			if ss.s.opt.Mode == ModeDiscard {
				if drop := discardRead(rc); drop != nil {
					return ss.discard(drop)
				}
			}
			next = pooledRead(rc, &ss.s.pool)
		}
	}
	idle := ss.s.opt.IdleTimeout
	for {
		if idle > 0 {
			ss.c.SetReadDeadline(time.Now().Add(idle))
		}
		bp, n, err := ss.read(next)
		if n > 0 {
			reason, ok := ss.chunk((*bp)[:n])
			ss.s.pool.Put(bp)
			if !ok {
				return reason
			}
		}
		if err != nil {
			return ss.readEnd(err)
		}
	}
}

// discard is serve's loop in ModeDiscard where the kernel can drop the
// data unread: it counts, and that is all.
func (ss *session) discard(drop func() (int, error)) string {
	idle := ss.s.opt.IdleTimeout
	for {
		if idle > 0 {
			ss.c.SetReadDeadline(time.Now().Add(idle))
		}
		n, err := drop()
		ss.in += int64(n)
		if err != nil {
			return ss.readEnd(err)
		}
	}
}

// read returns the next chunk in a pooled buffer: through next (a
// pooledReader) where the system allows, else with a plain Read.
func (ss *session) read(next func() (*[]byte, int, error)) (*[]byte, int, error) {
	if next != nil {
		return next()
	}
	bp := ss.s.pool.Get().(*[]byte)
	n, err := ss.c.Read(*bp)
	if n == 0 {
		ss.s.pool.Put(bp)
		bp = nil
	}
	return bp, n, err
}

// chunk answers one received chunk as the mode says, then reports it: the
// answer does not wait for the decoding and printing. Nothing is decoded
// or reported in ModeDiscard, nor when the output is discarded (NoData).
func (ss *session) chunk(p []byte) (string, bool) {
	offset := ss.in
	ss.in += int64(len(p))
	reason, ok := "", true
	switch ss.s.opt.Mode {
	case ModeDiscard:
		return "", true
	case ModeEcho:
		reason, ok = ss.write(p)
	case ModeReply:
		reason, ok = ss.write(ss.s.opt.Reply)
	}
	if ss.s.opt.NoData {
		return reason, ok
	}
	ss.ev = DataEvent{Header: header(KindData, "server"), Peer: ss.peer, Dir: "in", Offset: offset, Bytes: len(p), Raw: p}
	ss.ev.Text, ss.ev.Undecoded = ss.dec.Show(p)
	ss.s.emit(&ss.ev)
	return reason, ok
}

// write sends p; a client that does not read for IdleTimeout is dropped.
func (ss *session) write(p []byte) (string, bool) {
	if idle := ss.s.opt.IdleTimeout; idle > 0 {
		ss.c.SetWriteDeadline(time.Now().Add(idle))
	}
	n, err := ss.c.Write(p)
	ss.out += int64(n)
	if err == nil {
		return "", true
	}
	switch {
	case ss.shutdown.Load():
		return "server shutdown", false
	case errors.Is(err, os.ErrDeadlineExceeded):
		return fmt.Sprintf("idle timeout: the client read nothing for %v", ss.s.opt.IdleTimeout), false
	case errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.ECONNRESET):
		return "client left before reading the reply", false
	}
	return "write error: " + err.Error(), false
}

// readEnd explains why reading stopped.
func (ss *session) readEnd(err error) string {
	switch {
	case errors.Is(err, io.EOF):
		return "client left"
	case ss.shutdown.Load():
		return "server shutdown"
	case errors.Is(err, os.ErrDeadlineExceeded):
		return fmt.Sprintf("idle timeout: nothing received for %v", ss.s.opt.IdleTimeout)
	case errors.Is(err, syscall.ECONNRESET):
		return "reset by client"
	}
	return "read error: " + err.Error()
}
