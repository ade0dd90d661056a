package tcp

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"netdiag/diag/render"
	"netdiag/internal/testnet"
)

// 500 concurrent clients, 100 messages each, every reply checked: none
// lost, none mixed up. The server renders JSON lines through the real
// Printer; every line must parse (no interleaving), the data events must
// account for every byte, and no goroutine may be left afterwards.
func TestServeLoad500Clients(t *testing.T) {
	const clients, messages = 500, 100
	base := numGoroutines()
	var out testnet.Buffer
	p, closeOut := newBatchedPrinter(&out, true, false, false) // as the command does
	ln, err := Listen(context.Background(), ListenOptions{Host: mustHost(t, "127.0.0.1")})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var sum SummaryEvent
	served := make(chan error, 1)
	go func() {
		var err error
		sum, err = Serve(ctx, ln, ServerOptions{Mode: ModeEcho}, p.Emit)
		served <- err
	}()

	start := time.Now()
	var wg sync.WaitGroup
	var sent atomic.Int64
	errs := make(chan error, clients)
	for id := range clients {
		wg.Go(func() {
			if err := echoClient(ln.Addr().String(), id, messages, &sent); err != nil {
				errs <- fmt.Errorf("client %d: %w", id, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	t.Logf("%d clients x %d round trips in %v", clients, messages, time.Since(start))
	cancel()
	if err := <-served; err != nil {
		t.Fatal(err)
	}
	if err := errors.Join(closeOut(), p.Err()); err != nil {
		t.Fatal(err)
	}
	if sum.Clients != clients || sum.BytesIn != sent.Load() || sum.BytesOut != sent.Load() || sum.Peak < 2 {
		t.Errorf("summary = %+v, want %d clients, %d bytes each way", sum, clients, sent.Load())
	}

	// Every line is one whole JSON event; the data events add up.
	var dataBytes int64
	kinds := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(out.Bytes()))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var ev struct {
			Type  string `json:"type"`
			Bytes int64  `json:"bytes"`
			Hex   string `json:"hex"`
		}
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("output line is not one JSON object (interleaved?): %q: %v", sc.Text(), err)
		}
		kinds[ev.Type]++
		if ev.Type == "data" {
			dataBytes += ev.Bytes
			if int64(len(ev.Hex)) != 2*ev.Bytes {
				t.Fatalf("data event hex has %d digits for %d bytes", len(ev.Hex), ev.Bytes)
			}
		}
	}
	if kinds["connect"] != clients || kinds["disconnect"] != clients || kinds["listen"] != 1 || kinds["summary"] != 1 || dataBytes != sent.Load() {
		t.Errorf("events %v, data bytes %d; want %d connects and disconnects, %d bytes", kinds, dataBytes, clients, sent.Load())
	}
	settleGoroutines(t, base, 10*time.Second)
}

// echoClient sends numbered messages of varying length and checks that
// each reply is exactly its own message.
func echoClient(addr string, id, messages int, sent *atomic.Int64) error {
	c, err := net.DialTimeout("tcp", addr, 30*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(120 * time.Second))
	reply := make([]byte, 256)
	for m := range messages {
		msg := fmt.Appendf(nil, "client %d message %d %s|", id, m, bytes.Repeat([]byte("x"), (id+m)%97))
		if _, err := c.Write(msg); err != nil {
			return fmt.Errorf("message %d: %w", m, err)
		}
		sent.Add(int64(len(msg)))
		if _, err := io.ReadFull(c, reply[:len(msg)]); err != nil {
			return fmt.Errorf("reply %d: %w", m, err)
		}
		if !bytes.Equal(reply[:len(msg)], msg) {
			return fmt.Errorf("reply %d = %q, want %q", m, reply[:len(msg)], msg)
		}
	}
	return nil
}

// A client that sends 100 MB: the server streams it through a fixed
// buffer and JSON rendering; its heap never grows by anything near the
// stream size. And with --echo, a client that sends without reading is
// held back by TCP flow control, then dropped by the idle timeout, with
// the server's memory still bounded.
func TestServe100MBMemoryBounded(t *testing.T) {
	const total = 100 << 20
	var out countingWriter
	p := NewPrinter(render.New(&out, true), false, false)
	ln, err := Listen(context.Background(), ListenOptions{Host: mustHost(t, "127.0.0.1")})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	left := make(chan struct{})
	emit := func(ev Event) {
		p.Emit(ev)
		if ev.EventKind() == KindDisconnect {
			close(left)
		}
	}
	var sum SummaryEvent
	go func() {
		defer close(done)
		sum, _ = Serve(ctx, ln, ServerOptions{}, emit)
	}()
	runtime.GC()
	peak := sampleHeap(t, func() {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		chunk := bytes.Repeat([]byte("0123456789abcdef"), 4096) // 64 KiB
		for sent := 0; sent < total; sent += len(chunk) {
			if _, err := c.Write(chunk); err != nil {
				t.Fatal(err)
			}
		}
		c.Close()
		select {
		case <-left:
		case <-time.After(60 * time.Second):
			t.Fatal("the server did not finish reading 100 MiB within 60s")
		}
	})
	cancel()
	<-done
	if sum.BytesIn != total || out.n.Load() < 2*total {
		t.Fatalf("server received %d bytes and rendered %d, want %d (and twice that rendered as hex)", sum.BytesIn, out.n.Load(), total)
	}
	t.Logf("heap grew by at most %.1f MiB while 100 MiB went through", float64(peak)/(1<<20))
	if peak > 48<<20 {
		t.Errorf("heap grew by %.1f MiB while receiving 100 MiB: the stream is being buffered", float64(peak)/(1<<20))
	}
}

func TestServeEchoClientNotReading(t *testing.T) {
	ts := startServer(t, "127.0.0.1", ServerOptions{Mode: ModeEcho, IdleTimeout: time.Second})
	runtime.GC()
	var sent int64
	peak := sampleHeap(t, func() {
		c := dialT(t, ts.addr)
		chunk := make([]byte, 64<<10)
		c.SetWriteDeadline(time.Now().Add(20 * time.Second))
		for sent < 100<<20 {
			n, err := c.Write(chunk)
			sent += int64(n)
			if err != nil {
				break // the server dropped us, or flow control held us until the deadline
			}
		}
	})
	dis := ts.log.WaitFor(t, "disconnect", isKind(KindDisconnect)).(DisconnectEvent)
	if dis.Reason != "idle timeout: the client read nothing for 1s" {
		t.Errorf("disconnect reason = %q", dis.Reason)
	}
	if sent >= 100<<20 {
		t.Errorf("the client could send all 100 MiB without reading the echo: the server is buffering")
	}
	t.Logf("client got %d MiB in before flow control held it; heap grew by at most %.1f MiB", sent>>20, float64(peak)/(1<<20))
	if peak > 32<<20 {
		t.Errorf("heap grew by %.1f MiB", float64(peak)/(1<<20))
	}
}

// sampleHeap runs f while sampling the live heap every 20ms and returns
// the largest growth over the starting value.
func sampleHeap(t testing.TB, f func()) uint64 {
	t.Helper()
	// The live heap as of the last collection: what the server keeps.
	// Garbage (every rendered line) is not in it, so a loaded machine whose
	// collector runs late cannot make a bounded server look buffered.
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	live := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	base := live()
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			if l := live(); l > base && l-base > peak.Load() {
				peak.Store(l - base)
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	})
	f()
	close(stop)
	wg.Wait()
	return peak.Load()
}

type countingWriter struct{ n atomic.Int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n.Add(int64(len(p)))
	return len(p), nil
}
