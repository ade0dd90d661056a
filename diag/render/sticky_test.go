package render

import (
	"bytes"
	"errors"
	"io"
	"math"
	"testing"
)

// failAfter accepts n writes, then fails every one, counting the calls.
type failAfter struct {
	n, calls int
	short    bool // the failing write is a short write without an error
	buf      bytes.Buffer
}

var errFull = errors.New("no space left on device")

func (f *failAfter) Write(p []byte) (int, error) {
	f.calls++
	if f.calls <= f.n {
		return f.buf.Write(p)
	}
	if f.short {
		return len(p) / 2, nil
	}
	return 0, errFull
}

// After the first failure nothing more reaches the writer, and every Write
// and Err return that failure.
func TestStickyWriter(t *testing.T) {
	f := &failAfter{n: 2}
	s := NewStickyWriter(f)
	for _, line := range []string{"one\n", "two\n", "three\n", "four\n"} {
		s.Write([]byte(line))
	}
	if f.calls != 3 || f.buf.String() != "one\ntwo\n" {
		t.Errorf("%d calls reached the writer, output %q; want 3 and two lines", f.calls, f.buf.String())
	}
	if _, err := s.Write([]byte("five\n")); !errors.Is(err, errFull) || !errors.Is(s.Err(), errFull) {
		t.Errorf("Write = %v, Err = %v; want %v", err, s.Err(), errFull)
	}
}

func TestStickyWriterShortWrite(t *testing.T) {
	s := NewStickyWriter(&failAfter{short: true})
	if _, err := s.Write([]byte("line\n")); !errors.Is(err, io.ErrShortWrite) || !errors.Is(s.Err(), io.ErrShortWrite) {
		t.Errorf("Write = %v, Err = %v; want io.ErrShortWrite", err, s.Err())
	}
}

// An Output is a StickyWriter underneath: its first error, of a write or
// of JSON encoding, stops the output and is what Err says.
func TestOutputErrIsSticky(t *testing.T) {
	f := &failAfter{n: 1}
	o := New(f, true)
	o.WriteJSON(map[string]int{"a": 1})
	if o.Err() != nil {
		t.Fatal(o.Err())
	}
	o.Printf("x\n")
	o.Println("y")
	o.Table(nil, [][]string{{"z"}})
	if !errors.Is(o.Err(), errFull) || f.calls != 2 {
		t.Errorf("Err = %v after %d calls; want %v after 2", o.Err(), f.calls, errFull)
	}

	var buf bytes.Buffer
	o = New(&buf, true)
	if err := o.WriteJSON(math.NaN()); err == nil || o.Err() == nil {
		t.Fatalf("WriteJSON(NaN) = %v, Err = %v", err, o.Err())
	}
	o.WriteJSON(1)
	if buf.Len() != 0 {
		t.Errorf("wrote %q after an encoding error", buf.String())
	}
}
