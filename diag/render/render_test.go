package render

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestTableAlignsVisibleWidth(t *testing.T) {
	var buf bytes.Buffer
	o := New(&buf, false)
	o.color = true // force styles to test alignment with escapes
	err := o.Table([]string{"NAME", "TEXT", "N"}, [][]string{
		{o.Style("eth0", Bold, Green), "你好", "1"},
		{"lo", "hello!", "22"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "NAME  TEXT    N\n" +
		"\x1b[1;32meth0\x1b[0m  你好    1\n" +
		"lo    hello!  22\n"
	if buf.String() != want {
		t.Fatalf("table:\n%q\nwant\n%q", buf.String(), want)
	}
}

func TestVisibleWidth(t *testing.T) {
	for s, want := range map[string]int{
		"":                     0,
		"abc":                  3,
		"\x1b[1;31mabc\x1b[0m": 3,
		"你好服务端":                10,
		"ｆｕｌｌ":                 8,
		"é":                    1,
	} {
		if got := VisibleWidth(s); got != want {
			t.Errorf("VisibleWidth(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestBytes(t *testing.T) {
	for n, want := range map[uint64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 1536: "1.5 KiB", 5 << 30: "5.0 GiB", 1<<64 - 1: "16.0 EiB"} {
		if got := Bytes(n); got != want {
			t.Errorf("Bytes(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestPlural(t *testing.T) {
	for n, want := range map[int]string{0: "0 ports", 1: "1 port", 2: "2 ports", 65535: "65535 ports"} {
		if got := Plural(n, "port"); got != want {
			t.Errorf("Plural(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestPerSecond(t *testing.T) {
	if got := PerSecond(int64(300), 2*time.Second); got != 150 {
		t.Errorf("300 in 2 s: %v per second, want 150", got)
	}
	if got := PerSecond(uint64(5), 0); got != 0 {
		t.Errorf("5 in no time: %v per second, want 0", got)
	}
}

// TestConcurrentWritesAreWholeLines writes JSON and text lines from many
// goroutines and checks that no line is torn.
func TestConcurrentWritesAreWholeLines(t *testing.T) {
	var buf bytes.Buffer
	o := New(&buf, true)
	var wg sync.WaitGroup
	for g := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				if i%2 == 0 {
					_ = o.WriteJSON(map[string]int{"g": g, "i": i})
				} else {
					_ = o.Printf("text g=%d i=%d %s\n", g, i, strings.Repeat("x", 100))
				}
			}
		}()
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 4000 {
		t.Fatalf("%d lines, want 4000", len(lines))
	}
	for _, l := range lines {
		var v map[string]int
		if strings.HasPrefix(l, "{") {
			if err := json.Unmarshal([]byte(l), &v); err != nil {
				t.Fatalf("torn JSON line %q: %v", l, err)
			}
		} else if !strings.HasPrefix(l, "text ") || !strings.HasSuffix(l, strings.Repeat("x", 100)) {
			t.Fatalf("torn text line %q", l)
		}
	}
}
