package netaddr

import (
	"bytes"
	"netdiag/internal/addrgen"
	"strings"
	"testing"
)

// linesWant is what ScanLines must say of b, line by line, worked out the
// slow way: split at "\n", drop a "\r" before it, ValidAddrOrPrefix.
func linesWant(b []byte) []LineVerdict {
	var want []LineVerdict
	for len(b) > 0 {
		line, rest, found := bytes.Cut(b, []byte{'\n'})
		n := len(line)
		if found {
			n++
		}
		want = append(want, LineVerdict{Len: n, Valid: ValidAddrOrPrefix(bytes.TrimSuffix(line, []byte{'\r'}))})
		b = rest
	}
	return want
}

// checkScanLines runs ScanLines over b with room for batch verdicts at a
// time and compares every verdict with linesWant.
func checkScanLines(t *testing.T, b []byte, batch int) {
	t.Helper()
	want := linesWant(b)
	out := make([]LineVerdict, batch)
	var got []LineVerdict
	for used := 0; used < len(b); {
		k, n := ScanLines(b[used:], out)
		if k == 0 || n == 0 {
			t.Fatalf("ScanLines(%q) made no progress", b[used:])
		}
		got = append(got, out[:k]...)
		used += n
	}
	if len(got) != len(want) {
		t.Fatalf("ScanLines(%q): %d lines, want %d", b, len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("ScanLines(%q): line %d is %+v, want %+v", b, i, got[i], want[i])
		}
	}
}

// withFast runs f with the vectorised path on and off: off, ScanLines is
// the portable scanner; on, it is the AVX-512 one where the CPU has it.
func withFast(f func()) {
	fast := scanFast
	defer func() { scanFast = fast }()
	scanFast = nil
	f()
	scanFast = fast
	f()
}

var lineSeeds = []string{
	"", "\n", "\r\n", "1.2.3.4", "1.2.3.4\n", "1.2.3.4\r\n", "1.2.3.4\r", "1.2.3.4\r\r\n", "::1\n::\n:\n",
	"0.0.0.0\n255.255.255.255\n256.0.0.1\n1.2.3.04\n1.2.3.4.\n1..2.3\n.1.2.3\n1.2.3\n1234.1.1.1\n",
	"249.250.251.252\n253.254.255.199\n260.1.1.1\n255.256.1.1\n199.299.1.1\n",
	"fe80::1%eth0\nfe80::1%\nfe80::1%eth0/64\n1.2.3.4%eth0\n::ffff:1.2.3.4\n::ffff:1.2.3.4%x\n",
	"1:2:3:4:5:6:7:8\n1:2:3:4:5:6:7:8:9\n1:2:3:4:5:6:7::\n::1:2:3:4:5:6:7\n1::2::3\n12345::\n:1::\n1::2:\n1:::2\n",
	"1:2:3:4:5:6:1.2.3.4\n1:2:3:4:5::1.2.3.4\n1:2:3:4:5:6::1.2.3.4\n::1.2.3.4\n:1.2.3.4\n::a1.2.3.4\n::1.2.3.4:5\n",
	"10.0.0.0/8\n10.0.0.0/08\n10.0.0.0/33\n10.0.0.0/32\n::/0\n::/128\n::/129\n::/1280\n1.2.3.4/\n1.2.3.4//1\n",
	"fe80:0000:0000:0000:0204:61ff:fe9d:f156%0123456789012345678901234567890123\n1.2.3.4\n",
	strings.Repeat("1", 63) + "\n" + strings.Repeat("1", 64) + "\n" + strings.Repeat(":", 100) + "\n::1",
	"1.2.3.4 \n 1.2.3.4\n1.2.3.4\x00\n\xff\n1.2.3.4\n",
}

func TestScanLines(t *testing.T) {
	if scanFast == nil {
		t.Log("this CPU has no vectorised ScanLines: only the portable one is tested")
	}
	withFast(func() {
		for _, s := range lineSeeds {
			for _, batch := range []int{1, 2, 3, 64, 1000} {
				checkScanLines(t, []byte(s), batch)
			}
		}
	})
}

// FuzzScanLines: ScanLines, vectorised and not, agrees with
// ValidAddrOrPrefix (which FuzzValidAddrOrPrefix holds to the parsers) on
// every line, whatever the batch size.
func FuzzScanLines(f *testing.F) {
	for _, s := range lineSeeds {
		f.Add([]byte(s), uint8(3))
	}
	f.Fuzz(func(t *testing.T, b []byte, batch uint8) {
		withFast(func() { checkScanLines(t, b, int(batch%64)+1) })
	})
}

// BenchmarkScanLines measures ScanLines, portable and vectorised, on the
// generated mix bench/ip.sh uses.
func BenchmarkScanLines(b *testing.B) {
	g := addrgen.New(1)
	g.SingleLine = true
	var in []byte
	for range 100000 {
		in = append(append(in, g.Next()...), '\n')
	}
	out := make([]LineVerdict, 512)
	withFastB := func(name string, fast func([]byte, []LineVerdict) (int, int)) {
		b.Run(name, func(b *testing.B) {
			saved := scanFast
			defer func() { scanFast = saved }()
			scanFast = fast
			b.SetBytes(int64(len(in)))
			for b.Loop() {
				for used := 0; used < len(in); {
					_, n := ScanLines(in[used:], out)
					used += n
				}
			}
		})
	}
	withFastB("portable", nil)
	if scanFast != nil {
		withFastB("vectorised", scanFast)
	}
}
