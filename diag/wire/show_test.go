package wire

import (
	"bytes"
	"crypto/rand"
	"testing"
)

// Decoding for display stops at a binary chunk's ShowInvalid-th bad byte:
// the work per chunk is bounded, and the rest is counted, not shown.
func TestDecoderShowStopsOnBinary(t *testing.T) {
	random := make([]byte, 64<<10)
	rand.Read(random)
	for _, name := range []string{"utf-8", "gbk", "shift_jis", "iso-8859-1"} {
		d := mustCodec(t, name).NewDecoder()
		text, rest := d.Show(random)
		if name == "iso-8859-1" { // every byte is a character: nothing to cut
			if rest != 0 || len([]rune(text.String())) != len(random) {
				t.Errorf("%s: %d bytes left undecoded, want 0", name, rest)
			}
			continue
		}
		if text.InvalidBytes() > ShowInvalid+maxTail || rest == 0 || rest > len(random)-ShowInvalid {
			t.Errorf("%s: %d invalid bytes shown, %d left undecoded; want about %d shown and the rest left", name, text.InvalidBytes(), rest, ShowInvalid)
		}
		// Bounded by ShowInvalid, not by the chunk's 65,536 bytes.
		allocs := testing.AllocsPerRun(20, func() { d.Show(random) })
		if allocs > 8*ShowInvalid {
			t.Errorf("%s: %.0f allocations to show a 64 KiB binary chunk, want at most %d", name, allocs, 8*ShowInvalid)
		}
		// Text after the cut is decoded again from the next chunk on.
		if text, rest := d.Show([]byte("你好")); name == "utf-8" && (text.String() != "你好" || rest != 0) {
			t.Errorf("%s: after a cut, %q with %d undecoded", name, text.String(), rest)
		}
	}
	// Text is shown whole, however long.
	long := bytes.Repeat([]byte("line of text\n"), 5000)
	if text, rest := UTF8.NewDecoder().Show(long); rest != 0 || text.String() != string(long) {
		t.Errorf("text: %d bytes left undecoded", rest)
	}
}
