package wire

import (
	"bytes"
	"encoding/hex"
	"errors"
	"os/exec"
	"strings"
	"testing"

	"netdiag/internal/testnet"
)

func TestParseHex(t *testing.T) {
	hello := []byte("Hello")
	for _, tc := range []struct {
		in   string
		want []byte
	}{
		{"48 65 6c 6c 6f", hello},
		{"48656c6c6f", hello},
		{"48656C6C6F", hello},
		{"48:65:6c:6c:6f", hello},
		{"0x48,0x65,0x6c,0x6c,0x6f", hello},
		{"  4865\t6c6c\n6f  ", hello},
		{"48-65-6c-6c-6f", hello},
		{"00 ff", []byte{0, 0xff}},
	} {
		got, err := ParseHex(tc.in)
		if err != nil || !bytes.Equal(got, tc.want) {
			t.Errorf("ParseHex(%q) = % x, %v; want % x", tc.in, got, err, tc.want)
		}
	}
}

func TestParseHexErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"48 6g", `invalid hex "48 6g" at position 5: 'g' is not a hex digit`},
		{"486", `invalid hex "486" at position 1: group "486" has an odd number of digits (two per byte: write 0486?)`},
		{"48 6", `invalid hex "48 6" at position 4: group "6" has an odd number of digits`},
		{"0x", `invalid hex "0x" at position 1: 0x without digits`},
		{"", `invalid hex "" at position 1: no bytes given`},
		{" : ", `no bytes given`},
		{"hello", `'h' is not a hex digit`},
		{"48 65 你", `'ä' is not a hex digit`},
	} {
		_, err := ParseHex(tc.in)
		var he *HexError
		if !errors.As(err, &he) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseHex(%q) error = %v, want one containing %q", tc.in, err, tc.want)
		}
	}
}

// FuzzParseHex: never panics; whatever it accepts, re-parsing the plain hex
// of the result gives the same bytes; and encoding/hex agrees on plain
// even-length hex.
func FuzzParseHex(f *testing.F) {
	for _, s := range []string{"48 65 6c 6c 6f", "48656c6c6f", "0x48,0x65", "486", "0x", "zz", "48:65-6c\t6c\n6f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := ParseHex(s)
		if err != nil {
			return
		}
		again, err := ParseHex(hex.EncodeToString(b))
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("round trip of %q: % x then % x, %v", s, b, again, err)
		}
		if want, err := hex.DecodeString(s); err == nil && !bytes.Equal(want, b) {
			t.Fatalf("ParseHex(%q) = % x, encoding/hex says % x", s, b, want)
		}
	})
}

// HexDump matches hexdump -C line for line (offsets, two groups of eight,
// the ASCII column), hexdump being the oracle.
func TestHexDumpMatchesHexdump(t *testing.T) {
	testnet.RequireTools(t, "hexdump")
	data := []byte("Hello, world!\n\x00\x01\x7f\x80\xff 你好 and some more text to pass two lines.")
	cmd := exec.Command("hexdump", "-C")
	cmd.Stdin = bytes.NewReader(data)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("hexdump -C: %v", err)
	}
	// hexdump -C ends with the total length; it collapses repeats with *,
	// which this data does not have.
	want := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	want = want[:len(want)-1]
	got := HexDump(0, data)
	if len(got) != len(want) {
		t.Fatalf("HexDump has %d lines, hexdump -C %d:\n%s\n---\n%s", len(got), len(want), strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for i := range got {
		// hexdump pads the ASCII column of a short last line differently:
		// compare up to the end of the hex columns, then the ASCII text.
		if strings.TrimRight(got[i], " ") != strings.TrimRight(want[i], " ") {
			t.Errorf("line %d:\n got %q\nwant %q", i, got[i], want[i])
		}
	}
	if first := HexDump(0x1230, []byte("A"))[0]; !strings.HasPrefix(first, "00001230  41 ") || !strings.HasSuffix(first, "|A|") {
		t.Errorf("offset line = %q", first)
	}
}
