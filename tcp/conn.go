package tcp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"sync"
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
	start    time.Time
	in, out  atomic.Int64 // written by the session, read by /list
	shutdown atomic.Bool  // set when the server is stopping
	dropped  atomic.Bool  // set by /close on stdin
	writeMu  sync.Mutex   // orders replies and stdin lines
}

// register makes a session of a client just accepted, which stdin commands
// and timed sending reach from now on.
func (s *server) register(c net.Conn, peer Peer) *session {
	ss := &session{s: s, c: c, peer: peer, start: time.Now()}
	s.mu.Lock()
	s.sessions[peer.Conn] = ss
	s.mu.Unlock()
	return ss
}

// handle serves one client until it leaves, goes idle, breaks, or the
// server stops; then it closes the connection and reports the disconnect.
func (s *server) handle(ctx context.Context, ss *session) {
	defer s.wg.Done()
	c, peer := ss.c, ss.peer
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
	s.mu.Lock()
	delete(s.sessions, peer.Conn)
	s.mu.Unlock()
	if rest := ss.dec.Flush(); len(rest) > 0 {
		s.emit(ErrorEvent{Header: header(KindError, "server"), Peer: &peer, Op: "decode",
			Error: "the stream ended inside a character: " + rest.String()})
	}
	// The totals: one add per connection, not per chunk (a counter all
	// connections share would move between the cores for every chunk).
	s.bytesIn.Add(ss.in.Load())
	s.bytesOut.Add(ss.out.Load())
	s.active.Add(-1)
	s.emit(DisconnectEvent{Header: header(KindDisconnect, "server"), Peer: peer, Reason: reason,
		BytesIn: ss.in.Load(), BytesOut: ss.out.Load(), Duration: render.Seconds(time.Since(ss.start))})
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
			if ss.s.opt.Mode == ModeDiscard && ss.s.opt.Save == nil {
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
		ss.in.Add(int64(n))
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
	offset := ss.in.Add(int64(len(p))) - int64(len(p))
	if _, err := ss.s.opt.Save.Write(ss.peer.Remote, ss.start, p); err != nil {
		ss.s.emit(ErrorEvent{Header: header(KindError, "server"), Peer: &ss.peer, Op: "save", Error: err.Error()})
	}
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
	ss.writeMu.Lock()
	n, err := ss.c.Write(p)
	ss.writeMu.Unlock()
	ss.out.Add(int64(n))
	if err == nil {
		return "", true
	}
	switch {
	case ss.dropped.Load():
		return closedByCommand, false
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
	case ss.dropped.Load():
		return closedByCommand
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

// closedByCommand is the disconnect reason of a client dropped by /close.
const closedByCommand = "closed by /close on stdin"

// Peers lists the clients for /list (wire.Hub).
func (s *server) Peers() []wire.PeerInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]wire.PeerInfo, 0, len(s.sessions))
	for id, ss := range s.sessions {
		out = append(out, wire.PeerInfo{ID: id, Remote: ss.peer.Remote, Since: ss.start, BytesIn: ss.in.Load(), BytesOut: ss.out.Load()})
	}
	slices.SortFunc(out, func(a, b wire.PeerInfo) int { return int(a.ID) - int(b.ID) })
	return out
}

func (s *server) session(id uint64) (*session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ss := s.sessions[id]; ss != nil {
		return ss, nil
	}
	return nil, fmt.Errorf("no client #%d (/list shows them)", id)
}

// Send writes a stdin line to client id and reports it (wire.Hub).
func (s *server) Send(id uint64, p []byte) error {
	ss, err := s.session(id)
	if err != nil {
		return err
	}
	offset := ss.out.Load()
	if reason, ok := ss.write(p); !ok {
		return errors.New(reason)
	}
	ev := &DataEvent{Header: header(KindData, "server"), Peer: ss.peer, Dir: "out", Offset: offset, Bytes: len(p), Raw: p}
	if !s.opt.Hex {
		ev.Text, ev.Undecoded = s.opt.Codec.NewDecoder().Show(p)
	} else {
		ev.Undecoded = len(p)
	}
	s.emit(ev)
	return nil
}

// Close drops client id; its disconnect event says why (wire.Hub).
func (s *server) Close(id uint64) error {
	ss, err := s.session(id)
	if err != nil {
		return err
	}
	ss.dropped.Store(true)
	ss.c.SetDeadline(longAgo)
	return nil
}
