package tcp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"netdiag/diag/render"
	"netdiag/diag/wire"
	"netdiag/internal/clock"
)

// Mode is what the server does with what it receives (wire's, shared
// with udp).
type Mode = wire.Mode

// The server modes.
const (
	ModePrint   = wire.ModePrint   // report every chunk, answer nothing (the default)
	ModeReply   = wire.ModeReply   // report every chunk, answer each with Reply
	ModeEcho    = wire.ModeEcho    // report every chunk and send it back
	ModeDiscard = wire.ModeDiscard // only count: a sink for throughput tests
)

// ServerOptions configures Serve. The zero value prints every chunk as
// UTF-8 and serves any number of clients for as long as the context lives.
type ServerOptions struct {
	Mode Mode
	// Reply is sent for every chunk received in ModeReply (already encoded).
	Reply []byte
	// Once stops accepting after the first client and returns when it
	// leaves.
	Once bool
	// MaxConns is the most clients served at once; more are accepted and
	// closed at once with a reset (RST), with an error event. 0 means no
	// limit.
	MaxConns int
	// IdleTimeout drops a client that sends nothing for this long, or that
	// does not read what the server writes for this long. 0 means never.
	IdleTimeout time.Duration
	// Codec decodes received text for the data events; the zero wire.Codec is
	// UTF-8.
	Codec wire.Codec
	// Hex says the data is shown as bytes (--hex): nothing is decoded,
	// and data events carry no text.
	Hex bool
	// Input is read for commands while serving (wire.RunCommands): a line
	// for every client, "@ID line" for one, /list, /close ID. nil reads
	// none.
	Input io.Reader
	// Save, when set, gets every client's bytes, a file per connection
	// (--save).
	Save *wire.Saver
	// BufferSize is the read buffer per active connection (default 64 KiB,
	// 256 KiB in ModeDiscard). A connection holds a buffer only while data
	// is arriving, so memory stays bounded whatever clients send. On Linux
	// ModeDiscard uses no buffer: the kernel drops the data unread.
	BufferSize int
	// NoData says no one will see data events (the output is /dev/null):
	// chunks are answered and counted, but neither decoded nor reported.
	// Every other event is still emitted.
	NoData bool
	// Timed sends its TEXT to every open connection on a timer (--send
	// --every, wire.RunTimed); a failed send is an error event, op
	// "every".
	Timed wire.Timed
	// Clock times Timed; nil is the system clock.
	Clock clock.Clock
}

// Serve accepts clients on ln and serves each in its own goroutine until ctx
// is done (or, with Once, until the first client leaves), then closes ln,
// closes every connection, waits for their goroutines and returns the
// summary. Events go to emit (listen first, summary last). An error is
// returned only when accepting fails for good.
func Serve(ctx context.Context, ln net.Listener, opt ServerOptions, emit Emit) (SummaryEvent, error) {
	if opt.Codec.IsZero() {
		opt.Codec = wire.UTF8
	}
	if opt.BufferSize <= 0 {
		opt.BufferSize = 64 << 10
		if opt.Mode == ModeDiscard {
			opt.BufferSize = 256 << 10
		}
	}
	s := &server{opt: opt, emit: emit, start: time.Now(), sessions: map[uint64]*session{}}
	s.pool.New = func() any { b := make([]byte, opt.BufferSize); return &b }
	emit(s.listenEvent(ln))

	if opt.Input != nil {
		stop := wire.StartCommands(ctx, opt.Input, s, wire.CommandOptions{Role: "server", Codec: opt.Codec, Hex: opt.Hex,
			Fail: func(err error) {
				emit(ErrorEvent{Header: header(KindError, "server"), Op: "command", Error: err.Error()})
			}}, emit)
		defer stop()
	}
	stopTimed := wire.StartTimed(ctx, s, opt.Timed, opt.Clock, func(err error) {
		emit(ErrorEvent{Header: header(KindError, "server"), Op: "every", Error: err.Error()})
	})
	stopAccept := context.AfterFunc(ctx, func() { ln.Close() })
	err := s.acceptLoop(ctx, ln)
	stopAccept()
	ln.Close()
	s.wg.Wait()
	stopTimed()

	sum := SummaryEvent{
		Header:   header(KindSummary, "server"),
		Clients:  s.served.Load(),
		Rejected: s.rejected.Load(),
		Peak:     int(s.peak.Load()),
		BytesIn:  s.bytesIn.Load(),
		BytesOut: s.bytesOut.Load(),
		Duration: render.Seconds(time.Since(s.start)),
	}
	sum.InBitsPerS = rate(sum.BytesIn, time.Duration(sum.Duration))
	sum.OutBitsPerS = rate(sum.BytesOut, time.Duration(sum.Duration))
	emit(sum)
	return sum, err
}

// server is one Serve call's state.
type server struct {
	opt   ServerOptions
	emit  Emit
	start time.Time
	pool  sync.Pool // *[]byte read buffers
	wg    sync.WaitGroup

	nextID   uint64 // accept loop only
	mu       sync.Mutex
	sessions map[uint64]*session // the clients connected, for stdin commands
	active   atomic.Int64
	peak     atomic.Int64
	served   atomic.Uint64
	rejected atomic.Uint64
	bytesIn  atomic.Int64
	bytesOut atomic.Int64
}

func (s *server) listenEvent(ln net.Listener) ListenEvent {
	ev := ListenEvent{
		Header:      header(KindListen, "server"),
		Addrs:       []string{ln.Addr().String()},
		Mode:        s.opt.Mode.String(),
		Encoding:    s.opt.Codec.Name(),
		MaxConns:    s.opt.MaxConns,
		IdleTimeout: render.Seconds(s.opt.IdleTimeout),
		TimedInfo:   s.opt.Timed.Info(),
	}
	if l, ok := ln.(*Listener); ok {
		ev.Addrs, ev.DualStack, ev.Reachable = l.Addrs(), l.DualStack(), l.Reachable()
	}
	return ev
}

// acceptLoop accepts until ln is closed; it starts one goroutine per client.
func (s *server) acceptLoop(ctx context.Context, ln net.Listener) error {
	var backoff time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return nil
			}
			if !temporaryAcceptError(err) {
				return fmt.Errorf("accepting connections: %w", err)
			}
			// Out of file descriptors or memory, or a client gone before
			// accept: say so, wait a little, go on (as net/http does).
			s.emit(ErrorEvent{Header: header(KindError, "server"), Op: "accept", Error: err.Error()})
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			select {
			case <-time.After(backoff):
			case <-ctx.Done():
				return nil
			}
			continue
		}
		backoff = 0
		s.nextID++
		peer := Peer{Conn: s.nextID, Local: c.LocalAddr().String(), Remote: c.RemoteAddr().String()}
		if s.opt.MaxConns > 0 && s.active.Load() >= int64(s.opt.MaxConns) {
			// A reset, not an ordinary end: the client cannot take the
			// refusal for a server that read its data and left.
			if l, ok := c.(interface{ SetLinger(int) error }); ok {
				l.SetLinger(0)
			}
			c.Close()
			s.rejected.Add(1)
			s.emit(ErrorEvent{Header: header(KindError, "server"), Peer: &peer, Op: "max_conns",
				Error: fmt.Sprintf("refused: --max-conns %d reached", s.opt.MaxConns)})
			continue
		}
		n := s.active.Add(1)
		for p := s.peak.Load(); n > p && !s.peak.CompareAndSwap(p, n); p = s.peak.Load() {
		}
		s.served.Add(1)
		// Here, not in the connection's goroutine: connect events come
		// out in accept order, as they are numbered, and a client whose
		// connect line has shown is already one stdin commands reach.
		ss := s.register(c, peer)
		s.emit(ConnectEvent{Header: header(KindConnect, "server"), Peer: peer, Active: int(n)})
		s.wg.Add(1)
		go s.handle(ctx, ss)
		if s.opt.Once {
			return nil
		}
	}
}

// temporaryAcceptError reports whether accepting may work again later.
func temporaryAcceptError(err error) bool {
	for _, e := range []error{syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM, syscall.ECONNABORTED, syscall.ECONNRESET} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
