package wire

import (
	"encoding/hex"
	"strconv"
	"time"
)

// AppendHeaderJSON opens a hand-written JSON data line: `{"type":…,
// "time":…,"role":…`. The data events of tcp and udp are written by hand:
// one is printed for every chunk or datagram, and this is several times
// faster than encoding/json's reflection.
func AppendHeaderJSON(b []byte, h Header) []byte {
	b = append(b, `{"type":`...)
	b = AppendJSONString(b, string(h.Kind))
	b = append(b, `,"time":"`...)
	b = h.Time.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","role":`...)
	return AppendJSONString(b, h.Role)
}

// AppendTextJSON closes a data line with the payload's fields: "text",
// "invalid" (bytes that did not decode), "undecoded" (bytes at the end
// text does not cover) and "hex" (raw, every byte).
func AppendTextJSON(b []byte, text Decoded, undecoded int, raw []byte) []byte {
	b = append(b, `,"text":`...)
	b = AppendJSONString(b, text.String())
	if n := text.InvalidBytes(); n > 0 {
		b = append(b, `,"invalid":`...)
		b = strconv.AppendInt(b, int64(n), 10)
	}
	if undecoded > 0 {
		b = append(b, `,"undecoded":`...)
		b = strconv.AppendInt(b, int64(undecoded), 10)
	}
	b = append(b, `,"hex":"`...)
	b = hex.AppendEncode(b, raw)
	return append(b, `"}`...)
}

// AppendJSONField appends `,"name":` and the string s.
func AppendJSONField(b []byte, name, s string) []byte {
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return AppendJSONString(b, s)
}

// AppendJSONInt appends `,"name":` and n.
func AppendJSONInt(b []byte, name string, n int64) []byte {
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return strconv.AppendInt(b, n, 10)
}
