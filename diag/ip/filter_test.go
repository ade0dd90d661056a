package ip_test

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"netdiag/diag/ip"
	"netdiag/diag/netaddr"
	"netdiag/internal/addrgen"
)

// naiveFilter is the obvious implementation Filter must match.
func naiveFilter(in string, keepValid bool) (string, ip.FilterStats) {
	var out strings.Builder
	var st ip.FilterStats
	if in == "" {
		return "", st
	}
	lines := strings.SplitAfter(in, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	for _, raw := range lines {
		text := strings.TrimSuffix(strings.TrimSuffix(raw, "\n"), "\r")
		if strings.TrimLeft(text, " \t\v\f\r") == "" {
			continue // blank lines are skipped
		}
		var err error
		if strings.Contains(text, "/") {
			_, err = netaddr.ParsePrefix(text)
		} else {
			_, err = netaddr.ParseAddr(text)
		}
		if err == nil {
			st.Valid++
		} else {
			st.Invalid++
		}
		if (err == nil) == keepValid {
			out.WriteString(strings.TrimSuffix(raw, "\n") + "\n")
		}
	}
	return out.String(), st
}

func TestFilter(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("1", 3<<20) // longer than the read buffer
	inputs := []string{
		"",
		"1.2.3.4",
		"1.2.3.4\n",
		"1.2.3.4\r\n127.1\r\n::1\r\n",
		"\n\n\n",
		"127.1\n1.2.3.4\n10.0.0.0/8\nbad\n\nfe80::1%eth0\n2001:db8::1/129",
		long + "\n1.2.3.4\n" + long,
		"1.2.3.4\n" + long + "\n::1\n",
	}
	inputs = append(inputs, generatedLines(9, 50000))
	for i, in := range inputs {
		for _, keep := range []bool{true, false} {
			want, wantSt := naiveFilter(in, keep)
			for name, r := range map[string]io.Reader{
				"reader":   strings.NewReader(in),
				"one byte": iotest.OneByteReader(strings.NewReader(in)),
				"half":     iotest.HalfReader(strings.NewReader(in)),
			} {
				if name != "reader" && len(in) > 1<<20 {
					continue // byte-at-a-time over megabytes is slow and adds nothing
				}
				var out bytes.Buffer
				st, err := ip.Filter(r, bufio.NewWriter(&out), keep)
				if err != nil || out.String() != want || st != wantSt {
					t.Errorf("input %d, keepValid %v, %s: stats %+v, err %v, output %.60q\nwant stats %+v, output %.60q",
						i, keep, name, st, err, out.String(), wantSt, want)
				}
			}
		}
	}
}

func TestFilterErrors(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	r := io.MultiReader(strings.NewReader("1.2.3.4\n127.1\n"), iotest.ErrReader(boom))
	var out bytes.Buffer
	st, err := ip.Filter(r, bufio.NewWriter(&out), true)
	if !errors.Is(err, boom) || out.String() != "1.2.3.4\n" || st.Valid != 1 {
		t.Errorf("read error: stats %+v, err %v, output %q", st, err, out.String())
	}
	for _, in := range []string{"1.2.3.4\n", generatedLines(12, 200000)} {
		_, err = ip.Filter(strings.NewReader(in), bufio.NewWriter(failingWriter{boom}), true)
		if !errors.Is(err, boom) {
			t.Errorf("write error after %d bytes of input: got %v", len(in), err)
		}
	}
}

type failingWriter struct{ err error }

func (w failingWriter) Write([]byte) (int, error) { return 0, w.err }

// TestFilterDoesNotAllocatePerLine runs Filter over 100,000 lines and
// requires no allocation for a valid line: what is allocated is the
// buffers, the workers and their run lists, and the error value net/netip
// returns for an invalid line (the one grammar is netip's; a second,
// allocation-free validator beside it is what this filter used to be).
func TestFilterDoesNotAllocatePerLine(t *testing.T) {
	in := generatedLines(10, 100000)
	var st ip.FilterStats
	allocs := testing.AllocsPerRun(3, func() {
		var err error
		if st, err = ip.Filter(strings.NewReader(in), bufio.NewWriter(io.Discard), true); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > float64(st.Invalid)+100 {
		t.Errorf("Filter made %.0f allocations for %d valid and %d invalid lines", allocs, st.Valid, st.Invalid)
	}
}

func TestAllValidStopsEarly(t *testing.T) {
	t.Parallel()
	ok, err := ip.AllValid(strings.NewReader("1.2.3.4\n::1\n10.0.0.0/8"))
	if !ok || err != nil {
		t.Errorf("all valid: %v, %v", ok, err)
	}
	// The reader fails after the invalid line: AllValid must not get there.
	r := io.MultiReader(strings.NewReader("1.2.3.4\n127.1\n"), iotest.ErrReader(errors.New("read past the answer")))
	ok, err = ip.AllValid(iotest.OneByteReader(r))
	if ok || err != nil {
		t.Errorf("invalid second line: %v, %v", ok, err)
	}
}

func TestEachLine(t *testing.T) {
	t.Parallel()
	var got []string
	err := ip.EachLine(strings.NewReader("a\r\nb\n\nc"), func(b []byte) bool {
		got = append(got, string(b))
		return true
	})
	if err != nil || strings.Join(got, "|") != "a|b|c" { // the blank line is skipped
		t.Errorf("EachLine = %q, %v", got, err)
	}
}

func BenchmarkFilter(b *testing.B) {
	in := generatedLines(11, 100000)
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if _, err := ip.Filter(strings.NewReader(in), bufio.NewWriter(io.Discard), true); err != nil {
			b.Fatal(err)
		}
	}
}

// generatedLines returns n generated address lines, one per line.
func generatedLines(seed uint64, n int) string {
	g := addrgen.New(seed)
	g.SingleLine = true
	var sb strings.Builder
	for range n {
		sb.WriteString(g.Next() + "\n")
	}
	return sb.String()
}

// TestFilterAnswersEachLine: fed a line at a time (a terminal, a pipe from
// a slow producer), Filter writes each selected line before the next one
// arrives, not at the end of the input.
func TestFilterAnswersEachLine(t *testing.T) {
	t.Parallel()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		_, err := ip.Filter(inR, bufio.NewWriter(outW), true)
		outW.Close()
		done <- err
	}()
	out := bufio.NewReader(outR)
	for _, line := range []string{"1.2.3.4\n", "127.1\n", "::1\n"} {
		if _, err := io.WriteString(inW, line); err != nil {
			t.Fatal(err)
		}
		if line == "127.1\n" {
			continue // invalid: nothing to read
		}
		got := make(chan string, 1)
		go func() {
			s, _ := out.ReadString('\n')
			got <- s
		}()
		select {
		case s := <-got:
			if s != line {
				t.Fatalf("after writing %q, read %q", line, s)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("after writing %q, nothing was written for 10 s", line)
		}
	}
	inW.Close()
	if rest, _ := io.ReadAll(out); len(rest) != 0 {
		t.Errorf("output after the end of input: %q", rest)
	}
	if err := <-done; err != nil {
		t.Errorf("Filter: %v", err)
	}
}

// TestFilterLeavesNoGoroutines: when Filter returns, after a whole input or
// a write error, its reader and workers have ended.
func TestFilterLeavesNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	in := generatedLines(13, 200000)
	for _, w := range []io.Writer{io.Discard, failingWriter{errors.New("boom")}} {
		ip.Filter(strings.NewReader(in), bufio.NewWriter(w), true)
		// A goroutine that has called Done may need a moment to be gone.
		deadline := time.Now().Add(5 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			t.Errorf("writing to %T: %d goroutines after Filter, %d before", w, n, before)
		}
	}
}
