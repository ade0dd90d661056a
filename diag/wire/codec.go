package wire

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Codec is a text encoding for the bytes on the wire: what --encoding names.
// Text typed by the user (UTF-8) is encoded with it before sending, and the
// bytes received are decoded with it for display. The zero Codec is not
// valid; use LookupCodec or UTF8.
type Codec struct {
	name string
	enc  encoding.Encoding // nil for UTF-8, which is handled natively
	// fffd is the encoding of U+FFFD when the encoding has one (UTF-8,
	// GB18030): a decoded U+FFFD from exactly these bytes is real text, not
	// an invalid sequence.
	fffd []byte
}

// UTF8 is the default codec.
var UTF8 = Codec{name: "utf-8", fffd: []byte("\uFFFD")}

// Name returns the codec's canonical lower-case name ("gbk", "utf-8").
func (c Codec) Name() string { return c.name }

// IsZero reports whether c is the zero Codec, which callers take as UTF-8.
func (c Codec) IsZero() bool { return c.name == "" }

// IsUTF8 reports whether c is UTF-8, for which encoding is the identity.
func (c Codec) IsUTF8() bool { return c.enc == nil }

// allEncodings lists every encoding golang.org/x/text implements.
func allEncodings() []encoding.Encoding {
	return slices.Concat(charmap.All, japanese.All, korean.All, simplifiedchinese.All,
		traditionalchinese.All, unicode.All)
}

// canonicalName is the name netdiag shows for e: its WHATWG name if it has
// one, else its MIME name, lower-cased.
func canonicalName(e encoding.Encoding) string {
	if n, err := htmlindex.Name(e); err == nil {
		return strings.ToLower(n)
	}
	if n, err := ianaindex.MIME.Name(e); err == nil && n != "" {
		return strings.ToLower(n)
	}
	return ""
}

// CodecNames returns the canonical names of every supported encoding,
// sorted. Each also answers to its IANA and WHATWG aliases (gb2312, cp936,
// latin1, sjis…).
func CodecNames() []string {
	var names []string
	for _, e := range allEncodings() {
		if n := canonicalName(e); n != "" && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names
}

// UnknownEncodingError is returned by LookupCodec for a name no encoding
// answers to. Its message lists the accepted names.
type UnknownEncodingError struct {
	Name string
}

// Error names the encoding and lists the accepted ones.
func (e *UnknownEncodingError) Error() string {
	return fmt.Sprintf("unknown encoding %q; accepted (and their IANA/WHATWG aliases such as gb2312, cp936, latin1, sjis): %s",
		e.Name, strings.Join(CodecNames(), ", "))
}

// LookupCodec finds an encoding by its IANA name or alias (iso-8859-1 is
// the real ISO 8859-1, utf-16 is big-endian with a byte-order mark), else by
// its WHATWG label (gb2312, sjis, utf8, x-user-defined). Matching ignores
// case and surrounding spaces. WHATWG's "replacement" encoding, which turns
// every input into one U+FFFD, is refused like an unknown name.
func LookupCodec(name string) (Codec, error) {
	key := strings.ToLower(strings.TrimSpace(name))
	e, err := ianaindex.IANA.Encoding(key)
	if err != nil || e == nil {
		e, err = htmlindex.Get(key)
	}
	if err != nil || e == nil || e == encoding.Replacement {
		return Codec{}, &UnknownEncodingError{Name: name}
	}
	if e == unicode.UTF8 {
		return UTF8, nil
	}
	c := Codec{name: canonicalName(e), enc: e}
	if c.name == "" {
		c.name = key
	}
	if b, err := e.NewEncoder().Bytes([]byte("\uFFFD")); err == nil && len(b) > 0 {
		c.fffd = b
	}
	return c, nil
}

// EncodeError is text that cannot be sent in an encoding: bytes that are
// not UTF-8, or a character the encoding lacks.
type EncodeError struct {
	// Offset is the position of the offending byte in the text; in a
	// stream (stdin), from the start of the stream.
	Offset int64
	// Rune is the character the encoding lacks; utf8.RuneError when the
	// text is not valid UTF-8.
	Rune rune
	// Codec names the encoding; empty when the text is not valid UTF-8.
	Codec string
}

// Error names the problem and where it is.
func (e *EncodeError) Error() string {
	if e.Codec == "" {
		return fmt.Sprintf("text is not valid UTF-8 at byte %d", e.Offset)
	}
	return fmt.Sprintf("character %q (U+%04X) at byte %d cannot be encoded in %s", e.Rune, e.Rune, e.Offset, e.Codec)
}

// Encode turns UTF-8 text into c's bytes. A character c cannot represent,
// or bytes that are not UTF-8, are an *EncodeError naming the position,
// never a silent substitution.
func (c Codec) Encode(text string) ([]byte, error) {
	if c.enc == nil {
		if !utf8.ValidString(text) {
			return nil, c.culprit(text)
		}
		return []byte(text), nil
	}
	b, err := c.enc.NewEncoder().Bytes([]byte(text))
	if err == nil {
		return b, nil
	}
	if e := c.culprit(text); e != nil {
		return nil, e
	}
	return nil, fmt.Errorf("encoding text as %s: %w", c.name, err)
}

// culprit finds the first byte of text that is not UTF-8 or the first
// character c cannot encode; nil if there is none.
func (c Codec) culprit(text string) *EncodeError {
	for i, r := range text {
		if r == utf8.RuneError && !strings.HasPrefix(text[i:], "\uFFFD") {
			return &EncodeError{Offset: int64(i), Rune: r}
		}
		if c.enc == nil {
			continue
		}
		if _, err := c.enc.NewEncoder().String(string(r)); err != nil {
			return &EncodeError{Offset: int64(i), Rune: r, Codec: c.name}
		}
	}
	return nil
}

// Piece is a run of decoded text or of bytes that do not decode; exactly one
// of the two is set.
type Piece struct {
	Text    string
	Invalid []byte
}

// Decoded is the text of a chunk: valid runs and invalid byte runs in order.
type Decoded []Piece

// String returns the text with each invalid run shown as U+FFFD followed by
// its bytes in \xHH form: "ok \uFFFD\xff\xfe", visible, never dropped.
func (d Decoded) String() string {
	if len(d) == 1 && d[0].Invalid == nil {
		return d[0].Text
	}
	var sb strings.Builder
	for _, p := range d {
		if p.Invalid == nil {
			sb.WriteString(p.Text)
			continue
		}
		sb.WriteRune(utf8.RuneError)
		for _, b := range p.Invalid {
			fmt.Fprintf(&sb, `\x%02x`, b)
		}
	}
	return sb.String()
}

// InvalidBytes counts the bytes that did not decode.
func (d Decoded) InvalidBytes() int {
	n := 0
	for _, p := range d {
		n += len(p.Invalid)
	}
	return n
}

// maxTail bounds the bytes a Decoder carries from one chunk to the next: the
// longest incomplete sequence of any supported encoding is 3 bytes (GB18030
// and UTF-8 4-byte characters); anything longer is decoded as invalid.
const maxTail = 8

// Decoder decodes a byte stream chunk by chunk. A character split across
// two chunks is kept back and decoded with the next chunk, so it never
// shows as two invalid halves; bytes that truly do not decode are reported
// as invalid runs. One Decoder per stream; not safe for concurrent use.
type Decoder struct {
	codec Codec
	t     transform.Transformer // nil for UTF-8
	tail  []byte                // incomplete sequence held for the next chunk
	out   Decoded               // reused result of the UTF-8 fast path
	src   []byte                // scratch: tail + chunk
	dst   [32]byte              // scratch output for one unit (at most maxTail input bytes)
}

// NewDecoder returns a streaming decoder for c.
func (c Codec) NewDecoder() *Decoder {
	d := &Decoder{codec: c}
	if c.enc != nil {
		d.t = c.enc.NewDecoder()
	}
	return d
}

// Decode decodes the next chunk of the stream. The result may hold back up
// to a few trailing bytes of an incomplete character until the next call or
// Flush. p is not retained; the result is valid until the next call.
func (d *Decoder) Decode(p []byte) Decoded {
	text, _ := d.decode(d.withTail(p), false, 0)
	return text
}

// ShowInvalid is how many undecodable bytes of a chunk Show decodes: past
// them the chunk is binary, and decoding it for display would cost far
// more than it shows.
const ShowInvalid = 32

// Show decodes the next chunk for display, like Decode until ShowInvalid
// bytes of the chunk did not decode; it returns the text and how many bytes
// at the end of p it left undecoded (and therefore not shown). The decoder
// starts afresh after such a cut. A nil Decoder (nothing is shown as
// text: --hex) decodes nothing.
func (d *Decoder) Show(p []byte) (Decoded, int) {
	if d == nil {
		return nil, len(p)
	}
	return d.decode(d.withTail(p), false, ShowInvalid)
}

// withTail returns p after the bytes held back from the chunk before.
func (d *Decoder) withTail(p []byte) []byte {
	if len(d.tail) == 0 {
		return p
	}
	d.src = append(append(d.src[:0], d.tail...), p...)
	d.tail = d.tail[:0]
	return d.src
}

// Flush decodes what is held back at the end of the stream; an incomplete
// character there is invalid. A nil Decoder holds nothing back.
func (d *Decoder) Flush() Decoded {
	if d == nil || len(d.tail) == 0 {
		return nil
	}
	src := append([]byte(nil), d.tail...)
	d.tail = d.tail[:0]
	text, _ := d.decode(src, true, 0)
	return text
}

// decode decodes src; with maxInvalid > 0 it stops after that many
// undecodable bytes and returns how many of src it left (the decoder is
// reset: the next chunk starts afresh).
func (d *Decoder) decode(src []byte, atEOF bool, maxInvalid int) (Decoded, int) {
	if d.t == nil {
		return d.decodeUTF8(src, atEOF, maxInvalid)
	}
	var out decodedBuilder
	invalid := 0
	for i := 0; i < len(src); {
		n, text, ok := d.unit(src[i:], atEOF)
		switch {
		case n == 0: // incomplete at the end: keep for the next chunk
			d.tail = append(d.tail[:0], src[i:]...)
			return out.done(), 0
		case ok:
			out.text(text)
		default:
			out.invalid(src[i : i+n])
			invalid += n
		}
		i += n
		if maxInvalid > 0 && invalid >= maxInvalid && i < len(src) {
			d.t.Reset()
			return out.done(), len(src) - i
		}
	}
	return out.done(), 0
}

// unit decodes the shortest prefix of src that makes progress, one
// character (or one escape sequence of a stateful encoding) at a time, so
// that an invalid sequence is pinned to its exact bytes. It returns the
// bytes consumed (0: an incomplete sequence at the end of src, to be
// continued), the text, and whether the bytes were valid.
func (d *Decoder) unit(src []byte, atEOF bool) (n int, text string, ok bool) {
	for k := 1; k <= len(src) && k <= maxTail; k++ {
		eof := atEOF && k == len(src)
		nDst, nSrc, err := d.t.Transform(d.dst[:], src[:k], eof)
		if nSrc == 0 {
			if errors.Is(err, transform.ErrShortSrc) {
				if k == len(src) && !atEOF {
					return 0, "", false // incomplete: wait for more bytes
				}
				continue
			}
			break // the decoder is stuck: count one byte as invalid
		}
		out := d.dst[:nDst]
		r, size := utf8.DecodeRune(out)
		if size < nDst && bytes.ContainsRune(out, utf8.RuneError) {
			// Several characters came out of one unit (GBK "\x81 " gives
			// U+FFFD and a space): decode just the first one again.
			nDst, nSrc, _ = d.t.Transform(d.dst[:size], src[:k], eof)
			if nSrc == 0 {
				break
			}
			out = d.dst[:nDst]
		}
		if nDst > 0 && r == utf8.RuneError && !bytes.Equal(src[:nSrc], d.codec.fffd) {
			return nSrc, "", false
		}
		return nSrc, string(out), true
	}
	return 1, "", false
}

// decodeUTF8 is the native UTF-8 path: valid chunks pass as they are.
func (d *Decoder) decodeUTF8(src []byte, atEOF bool, maxInvalid int) (Decoded, int) {
	if utf8.Valid(src) {
		if len(src) == 0 {
			return nil, 0
		}
		d.out = append(d.out[:0], Piece{Text: string(src)})
		return d.out, 0
	}
	var out decodedBuilder
	start, invalid := 0, 0
	for i := 0; i < len(src); {
		r, size := utf8.DecodeRune(src[i:])
		if r != utf8.RuneError || size > 1 {
			i += size
			continue
		}
		if !atEOF && !utf8.FullRune(src[i:]) {
			out.text(string(src[start:i]))
			d.tail = append(d.tail[:0], src[i:]...)
			return out.done(), 0
		}
		out.text(string(src[start:i]))
		out.invalid(src[i : i+1])
		i++
		start = i
		if invalid++; invalid == maxInvalid && i < len(src) {
			return out.done(), len(src) - i
		}
	}
	out.text(string(src[start:]))
	return out.done(), 0
}

// decodedBuilder merges adjacent text and adjacent invalid bytes.
type decodedBuilder struct {
	pieces Decoded
	sb     strings.Builder
	bad    []byte
}

func (b *decodedBuilder) text(s string) {
	if s == "" {
		return
	}
	b.flushBad()
	b.sb.WriteString(s)
}

func (b *decodedBuilder) invalid(p []byte) {
	if b.sb.Len() > 0 {
		b.pieces = append(b.pieces, Piece{Text: b.sb.String()})
		b.sb.Reset()
	}
	b.bad = append(b.bad, p...)
}

func (b *decodedBuilder) flushBad() {
	if len(b.bad) > 0 {
		b.pieces = append(b.pieces, Piece{Invalid: b.bad})
		b.bad = nil
	}
}

func (b *decodedBuilder) done() Decoded {
	b.flushBad()
	if b.sb.Len() > 0 {
		b.pieces = append(b.pieces, Piece{Text: b.sb.String()})
	}
	return b.pieces
}
