package wire

import (
	"errors"
	"io"
)

// NewEncodingReader returns a reader of r's UTF-8 text encoded with codec:
// what a client sends from stdin. Its error is an *EncodeError naming the
// first character codec cannot represent, offset from the start of the
// stream, instead of a silent substitute.
func NewEncodingReader(r io.Reader, codec Codec) io.Reader {
	return &encodingReader{r: r, codec: codec}
}

// encodingReader re-encodes UTF-8 from r with codec, naming the first character
// the encoding cannot represent instead of sending a substitute. Its error
// is an *EncodeError whose offset counts from the start of the stream.
type encodingReader struct {
	r     io.Reader
	codec Codec
	buf   []byte // UTF-8 not yet encoded
	done  int64  // input bytes encoded before buf
	out   []byte // encoded, not yet returned
	eof   bool
}

// Read returns encoded bytes, reading and encoding more input as needed.
func (e *encodingReader) Read(p []byte) (int, error) {
	for len(e.out) == 0 {
		if e.eof && len(e.buf) == 0 {
			return 0, io.EOF
		}
		if !e.eof {
			chunk := make([]byte, 32<<10)
			n, err := e.r.Read(chunk)
			e.buf = append(e.buf, chunk[:n]...)
			if errors.Is(err, io.EOF) {
				e.eof = true
			} else if err != nil {
				return 0, err
			}
		}
		// Encode up to the last complete UTF-8 character.
		end := len(e.buf)
		if !e.eof {
			end = completeUTF8(e.buf)
		}
		if end == 0 {
			continue
		}
		enc, err := e.codec.Encode(string(e.buf[:end]))
		if err != nil {
			if ee, ok := errors.AsType[*EncodeError](err); ok {
				ee.Offset += e.done
			}
			return 0, err
		}
		e.done += int64(end)
		e.out = enc
		e.buf = append(e.buf[:0], e.buf[end:]...)
	}
	n := copy(p, e.out)
	e.out = e.out[n:]
	return n, nil
}

// completeUTF8 returns the length of the longest prefix of p that does not
// end inside a UTF-8 character.
func completeUTF8(p []byte) int {
	for i := len(p) - 1; i >= 0 && i >= len(p)-3; i-- {
		c := p[i]
		if c < 0x80 {
			return len(p)
		}
		if c >= 0xC0 { // a lead byte: is its character complete?
			need := 2
			if c >= 0xE0 {
				need = 3
			}
			if c >= 0xF0 {
				need = 4
			}
			if len(p)-i >= need {
				return len(p)
			}
			return i
		}
	}
	return len(p)
}
