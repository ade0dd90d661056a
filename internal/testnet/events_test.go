package testnet

import (
	"strings"
	"sync"
	"testing"
)

// TestEvents emits from several goroutines while the test waits: WaitFor
// wakes on the event that makes its match true (here one that counts the
// log), Nth returns events in order, and keep copies what the sender
// reuses.
func TestEvents(t *testing.T) {
	buf := []byte("a")
	l := NewEvents(func(b []byte) []byte { return append([]byte(nil), b...) })
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 25 {
				l.Emit([]byte("x"))
			}
		}()
	}
	got := l.WaitFor(t, "the 100th", func([]byte) bool { return l.Count(func([]byte) bool { return true }) == 100 })
	wg.Wait()
	if string(got) != "x" || l.Len() != 100 {
		t.Fatalf("WaitFor = %q with %d events, want x with 100", got, l.Len())
	}
	l.Emit(buf)
	buf[0] = 'b' // the sender reuses its buffer
	if ev := l.Nth(t, 100); string(ev) != "a" {
		t.Errorf("event 100 = %q, want the copy \"a\"", ev)
	}
	if n := len(l.All()); n != 101 {
		t.Errorf("All has %d events, want 101", n)
	}
}

// TestBuffer writes from another goroutine: Started closes at the first
// write and WaitFor wakes when the text is complete.
func TestBuffer(t *testing.T) {
	var b Buffer
	done := make(chan struct{})
	go func() {
		defer close(done)
		for _, s := range []string{"one ", "two ", "three\n"} {
			b.Write([]byte(s))
		}
	}()
	<-b.Started()
	b.WaitFor(t, "the third word", func(s string) bool { return strings.HasSuffix(s, "three\n") })
	<-done
	if b.String() != "one two three\n" || string(b.Bytes()) != b.String() {
		t.Errorf("buffer holds %q", b.String())
	}
}
