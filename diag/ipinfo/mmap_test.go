//go:build linux || darwin

package ipinfo

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"netdiag/internal/addrgen"
)

// bigInput returns generated lines, at least min bytes of them.
func bigInput(min int) []byte {
	g := addrgen.New(21)
	g.SingleLine = true
	var b []byte
	for len(b) < min {
		b = append(append(b, g.Next()...), '\n')
	}
	return b
}

// openTemp writes data to a new file and opens it for reading; the file is
// closed when the test ends.
func openTemp(t *testing.T, data []byte) (string, *os.File) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "in.txt")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return path, f
}

// TestFilterMapsFiles: a big regular file is mapped, from the current
// offset on (here in the middle of a line and of a page), with the same
// output as reading it; afterwards the offset is at the end, as after a
// read.
func TestFilterMapsFiles(t *testing.T) {
	// Lines of every length, one longer than a piece; the last lacks "\n".
	in := bigInput(3 * mapMin)
	in = append(append(in, strings.Repeat("1", 2*pieceSize)...), '\n')
	in = append(append(in, bigInput(mapMin)...), "1.2.3.4"...)
	_, f := openTemp(t, in)
	const off = 5003
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	src := openSource(f)
	if _, mapped := src.(*mappedSource); !mapped {
		t.Fatalf("a %d-byte file was not mapped", len(in))
	}
	src.close()
	for _, keep := range []bool{true, false} {
		if _, err := f.Seek(off, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		var got, want bytes.Buffer
		gotSt, err := Filter(f, bufio.NewWriter(&got), keep)
		if err != nil {
			t.Fatal(err)
		}
		wantSt, err := Filter(bytes.NewReader(in[off:]), bufio.NewWriter(&want), keep)
		if err != nil {
			t.Fatal(err)
		}
		if gotSt != wantSt || !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("keepValid %v: mapped %+v, %d bytes; read %+v, %d bytes", keep, gotSt, got.Len(), wantSt, want.Len())
		}
		if gotSt.Valid == 0 || gotSt.Invalid == 0 {
			t.Errorf("the input should mix valid and invalid lines: %+v", gotSt)
		}
		if pos, _ := f.Seek(0, io.SeekCurrent); pos != int64(len(in)) {
			t.Errorf("offset after Filter = %d, want %d", pos, len(in))
		}
	}
	// Small files, pipes and the like are read.
	_, small := openTemp(t, in[:mapMin-1])
	if _, mapped := openSource(small).(*mappedSource); mapped {
		t.Error("a file smaller than mapMin was mapped")
	}
	if _, mapped := openSource(strings.NewReader(string(in))).(*mappedSource); mapped {
		t.Error("a strings.Reader was mapped")
	}
}

// TestFilterShrinkingFile: a mapped file truncated under Filter gives an
// error, not a crash (SIGBUS on the missing pages).
func TestFilterShrinkingFile(t *testing.T) {
	in := bigInput(4 * mapMin)
	path, f := openTemp(t, in)
	// Map it, then cut it to one page, then filter what was mapped.
	data, unmap := mapFile(f)
	if data == nil {
		t.Fatal("not mapped")
	}
	defer unmap()
	if err := os.Truncate(path, 4096); err != nil {
		t.Fatal(err)
	}
	_, err := filterSource(&mappedSource{data: data, pool: newPool(), unmap: func() error { return nil }},
		bufio.NewWriter(io.Discard), true)
	if !errors.Is(err, errShrank) {
		t.Fatalf("Filter over a shrunk mapping: %v, want %v", err, errShrank)
	}
}
