package tcp

import (
	"bytes"
	"crypto/rand"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// loopbackPair returns the two ends of a TCP connection on 127.0.0.1.
func loopbackPair(t *testing.T) (client, server net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server = <-accepted
	if server == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { client.Close(); server.Close() })
	return client, server
}

// sendFile sends a file of several mapped chunks from an offset that is
// not page-aligned, byte-exact, and counts what it sent.
func TestSendFileChunksFromOffset(t *testing.T) {
	t.Parallel()
	data := make([]byte, 2*mapChunk+4321)
	rand.Read(data)
	path := filepath.Join(t.TempDir(), "data.bin")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const from = 1000
	if _, err := f.Seek(from, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	c, s := loopbackPair(t)
	got := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(s)
		got <- b
	}()
	n, err := sendFile(c, f)
	c.(*net.TCPConn).CloseWrite()
	if err != nil || n != int64(len(data)-from) {
		t.Fatalf("sendFile = %d, %v; want %d", n, err, len(data)-from)
	}
	if b := <-got; !bytes.Equal(b, data[from:]) {
		t.Errorf("received %d bytes, not the file's %d from offset %d", len(b), len(data)-from, from)
	}
}

// A file that shrinks while it is sent ends the send with an error that
// says so (the write from the mapping fails); the process gets no SIGBUS.
func TestSendFileShrinks(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "data.bin")
	if err := os.WriteFile(path, make([]byte, 3*mapChunk), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, s := loopbackPair(t)
	done := make(chan error, 1)
	var n int64
	go func() {
		var err error
		n, err = sendFile(c, f)
		c.Close()
		done <- err
	}()
	// Once a whole chunk has arrived, at least the third chunk is not yet
	// in the socket buffers (a few MB): truncate the file under it.
	if _, err := io.ReadFull(s, make([]byte, mapChunk)); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.Copy(io.Discard, s)
	err = <-done
	if err == nil || !strings.Contains(err.Error(), "shrank while it was sent") {
		t.Fatalf("sendFile after the file shrank: %d bytes, %v; want an error saying it shrank", n, err)
	}
	if n != mapChunk+rest || n >= 3*mapChunk {
		t.Errorf("sendFile counted %d bytes, the peer got %d", n, mapChunk+rest)
	}
}
