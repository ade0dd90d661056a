package wire

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func mustCodec(t testing.TB, name string) Codec {
	t.Helper()
	c, err := LookupCodec(name)
	if err != nil {
		t.Fatalf("LookupCodec(%q): %v", name, err)
	}
	return c
}

func TestLookupCodecNames(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"utf-8", "utf-8"}, {"UTF8", "utf-8"}, {"gbk", "gbk"}, {"GB2312", "gbk"}, {"cp936", "gbk"},
		{"gb18030", "gb18030"}, {"big5", "big5"}, {"shift_jis", "shift_jis"}, {"sjis", "shift_jis"},
		{"euc-kr", "euc-kr"}, {"utf-16le", "utf-16le"}, {"utf-16be", "utf-16be"}, {"utf-16", "utf-16"},
		{"iso-8859-1", "iso-8859-1"}, {"latin1", "iso-8859-1"}, {" Windows-1252 ", "windows-1252"},
		{"koi8-r", "koi8-r"}, {"iso-2022-jp", "iso-2022-jp"}, {"euc-jp", "euc-jp"},
	} {
		c, err := LookupCodec(tc.in)
		if err != nil {
			t.Errorf("LookupCodec(%q): %v", tc.in, err)
			continue
		}
		if c.Name() != tc.want {
			t.Errorf("LookupCodec(%q).Name() = %q, want %q", tc.in, c.Name(), tc.want)
		}
	}
}

func TestLookupCodecUnknownListsAccepted(t *testing.T) {
	for _, name := range []string{"gbkk", "", "replacement", "utf-32"} {
		_, err := LookupCodec(name)
		var ue *UnknownEncodingError
		if !errors.As(err, &ue) {
			t.Fatalf("LookupCodec(%q) = %v, want *UnknownEncodingError", name, err)
		}
		for _, want := range []string{"unknown encoding", "gbk", "gb18030", "big5", "shift_jis", "euc-kr", "utf-8", "utf-16le", "iso-8859-1"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error for %q does not mention %q: %v", name, want, err)
			}
		}
	}
}

// ISO-8859-1 must be the real one (0x80 is a C1 control), not WHATWG's
// windows-1252 alias (0x80 is the euro sign).
func TestISO88591IsNotWindows1252(t *testing.T) {
	got := mustCodec(t, "iso-8859-1").NewDecoder().Decode([]byte{0x80, 0xe9}).String()
	if got != "\u0080é" {
		t.Errorf("iso-8859-1 decodes 80 e9 as %q, want \"\\u0080é\"", got)
	}
	got = mustCodec(t, "windows-1252").NewDecoder().Decode([]byte{0x80}).String()
	if got != "€" {
		t.Errorf("windows-1252 decodes 80 as %q, want €", got)
	}
}

// The textbook strings in GBK, byte for byte (as Python's str.encode("gbk")
// gives them).
func TestEncodeGBK(t *testing.T) {
	gbk := mustCodec(t, "gbk")
	b, err := gbk.Encode("你好")
	if err != nil || !bytes.Equal(b, []byte{0xc4, 0xe3, 0xba, 0xc3}) {
		t.Errorf("Encode(你好) = % x, %v; want c4 e3 ba c3", b, err)
	}
	_, err = mustCodec(t, "iso-8859-1").Encode("ok 你")
	if err == nil || !strings.Contains(err.Error(), `'你' (U+4F60) at byte 3 cannot be encoded in iso-8859-1`) {
		t.Errorf("Encode of an unencodable rune: %v", err)
	}
	if _, err := UTF8.Encode("a\xffb"); err == nil {
		t.Error("UTF8.Encode accepted invalid UTF-8")
	}
}

// decodeAll decodes chunks in order and flushes. It joins the pieces,
// merging runs of the same kind across chunk boundaries, and returns the
// text as Decoded.String shows it and the count of invalid bytes.
func decodeAll(d *Decoder, chunks ...[]byte) (string, int) {
	var all Decoded
	add := func(ps Decoded) {
		for _, p := range ps {
			last := len(all) - 1
			switch {
			case last >= 0 && p.Invalid != nil && all[last].Invalid != nil:
				all[last].Invalid = append(all[last].Invalid, p.Invalid...)
			case last >= 0 && p.Invalid == nil && all[last].Invalid == nil:
				all[last].Text += p.Text
			default:
				all = append(all, Piece{Text: p.Text, Invalid: append([]byte(nil), p.Invalid...)})
			}
		}
	}
	for _, c := range chunks {
		add(d.Decode(c))
	}
	add(d.Flush())
	return all.String(), all.InvalidBytes()
}

// A multi-byte character split across two reads must come out whole, for
// every split point and every multi-byte encoding.
func TestDecoderSplitCharacters(t *testing.T) {
	text := "你好服务端,我是客户端小黑! ok 123 €"
	for _, name := range []string{"utf-8", "gbk", "gb18030", "big5", "shift_jis", "euc-kr", "euc-jp", "utf-16le", "utf-16be", "iso-2022-jp"} {
		c := mustCodec(t, name)
		sample := text
		if name == "big5" || name == "shift_jis" || name == "euc-kr" || name == "euc-jp" || name == "iso-2022-jp" {
			sample = "日本, ok 123" // characters every one of them has
		}
		wire, err := c.Encode(sample)
		if err != nil {
			t.Fatalf("%s: Encode: %v", name, err)
		}
		for cut := 0; cut <= len(wire); cut++ {
			got, bad := decodeAll(c.NewDecoder(), wire[:cut], wire[cut:])
			if got != sample || bad != 0 {
				t.Fatalf("%s: split at %d/%d: got %q (%d invalid), want %q", name, cut, len(wire), got, bad, sample)
			}
		}
		// One byte per read, the worst case.
		var chunks [][]byte
		for i := range wire {
			chunks = append(chunks, wire[i:i+1])
		}
		if got, bad := decodeAll(c.NewDecoder(), chunks...); got != sample || bad != 0 {
			t.Errorf("%s: byte by byte: got %q (%d invalid)", name, got, bad)
		}
	}
}

// The held-back tail is not shown early: the first chunk shows only what is
// complete.
func TestDecoderHoldsIncompleteTail(t *testing.T) {
	d := mustCodec(t, "gbk").NewDecoder()
	if got := d.Decode([]byte{'o', 'k', 0xc4}).String(); got != "ok" {
		t.Errorf("first chunk = %q, want \"ok\" (0xc4 held back)", got)
	}
	if got := d.Decode([]byte{0xe3, '!'}).String(); got != "你!" {
		t.Errorf("second chunk = %q, want \"你!\"", got)
	}
}

// Invalid bytes are visible: U+FFFD followed by their hex, never dropped.
func TestDecoderInvalidBytesVisible(t *testing.T) {
	for _, tc := range []struct {
		codec string
		in    []byte
		want  string
		bad   int
	}{
		{"utf-8", []byte("ok\xff\xfeyes"), `ok` + "\uFFFD" + `\xff\xfeyes`, 2},
		{"utf-8", []byte("\xe4\xbd!"), "\uFFFD" + `\xe4\xbd!`, 2},
		{"utf-8", []byte("real \uFFFD stays"), "real \uFFFD stays", 0},
		{"gbk", []byte{'a', 0xff, 'b'}, "a\uFFFD" + `\xff` + "b", 1},
		{"gbk", []byte{0x81, ' ', 'x'}, "\uFFFD" + `\x81` + " x", 1},
		{"gbk", []byte{0xc4, 0xe3, 0x81, 0x7f}, "你\uFFFD" + `\x81` + "\x7f", 1},
		{"gb18030", []byte{0x84, 0x31, 0xa4, 0x37}, "\uFFFD", 0}, // GB18030's own encoding of U+FFFD
		{"utf-16le", []byte{0x3d, 0xd8, 'A', 0}, "\uFFFD" + `\x3d\xd8` + "A", 2},
		{"shift_jis", []byte{0x82, 0xa0, 0xa0}, "あ\uFFFD" + `\xa0`, 1},
	} {
		got, bad := decodeAll(mustCodec(t, tc.codec).NewDecoder(), tc.in)
		if got != tc.want || bad != tc.bad {
			t.Errorf("%s % x: got %q (%d invalid), want %q (%d)", tc.codec, tc.in, got, bad, tc.want, tc.bad)
		}
	}
}

// A stream that ends inside a character shows the lone bytes as invalid.
func TestDecoderFlushIncomplete(t *testing.T) {
	for _, name := range []string{"utf-8", "gbk", "utf-16le"} {
		d := mustCodec(t, name).NewDecoder()
		wire, _ := mustCodec(t, name).Encode("你")
		if got := d.Decode(wire[:len(wire)-1]); len(got) != 0 {
			t.Errorf("%s: incomplete character decoded early: %q", name, got.String())
		}
		rest := d.Flush()
		if rest.InvalidBytes() != len(wire)-1 || !strings.HasPrefix(rest.String(), "\uFFFD") {
			t.Errorf("%s: Flush = %q (%d invalid), want the %d held bytes as invalid", name, rest.String(), rest.InvalidBytes(), len(wire)-1)
		}
	}
}

// FuzzDecoderSplit: decoding in two chunks equals decoding in one, for any
// bytes and any cut, and no byte is lost: the text plus the invalid bytes
// account for the whole input.
func FuzzDecoderSplit(f *testing.F) {
	f.Add([]byte("你好服务端"), uint8(3), uint8(0))
	f.Add([]byte{0xc4, 0xe3, 0xff, 0x81, 0x30, 0x81, 0x30}, uint8(1), uint8(1))
	f.Add([]byte{0x3d, 0xd8, 0x41, 0x00, 0x00}, uint8(1), uint8(3))
	f.Add([]byte("\x1b$B$\"\x1b(B"), uint8(2), uint8(4))
	names := []string{"utf-8", "gbk", "gb18030", "big5", "shift_jis", "euc-kr", "utf-16le", "iso-2022-jp", "iso-8859-1"}
	f.Fuzz(func(t *testing.T, in []byte, cut uint8, which uint8) {
		c := mustCodec(t, names[int(which)%len(names)])
		k := int(cut) % (len(in) + 1)
		whole, wbad := decodeAll(c.NewDecoder(), in)
		split, sbad := decodeAll(c.NewDecoder(), in[:k], in[k:])
		if whole != split || wbad != sbad {
			t.Fatalf("%s: whole %q (%d) != split at %d %q (%d)", c.Name(), whole, wbad, k, split, sbad)
		}
		if !utf8.ValidString(whole) {
			t.Fatalf("%s: output is not UTF-8: %q", c.Name(), whole)
		}
		if len(in) > 0 && whole == "" && c.Name() != "iso-2022-jp" {
			t.Fatalf("%s: % x decoded to nothing", c.Name(), in)
		}
	})
}
