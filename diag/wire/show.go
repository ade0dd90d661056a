package wire

import (
	"fmt"
	"strings"
	"time"

	"netdiag/diag/render"
)

// DataLines formats one received (or sent) chunk for people: head
// ("received 5 bytes") followed by the text, its later lines indented under
// the first; with hexDump, head alone and then a hexdump -C of raw starting
// at offset. undecoded counts the bytes at the end of raw that text does
// not cover (Decoder.Show), which are noted, not shown.
func DataLines(o *render.Output, head string, raw []byte, offset int64, text Decoded, undecoded int, hexDump bool) []string {
	if hexDump {
		lines := []string{head}
		for _, l := range HexDump(offset, raw) {
			lines = append(lines, "  "+l)
		}
		return lines
	}
	lines := VisibleLines(text)
	if undecoded > 0 {
		lines[len(lines)-1] += o.Style(fmt.Sprintf("… (%d more bytes not decoded: binary, --hex shows them)", undecoded), render.Dim)
	}
	head += ": "
	indent := strings.Repeat(" ", render.VisibleWidth(head))
	for i := range lines {
		if i == 0 {
			lines[i] = head + lines[i]
		} else {
			lines[i] = indent + lines[i]
		}
	}
	return lines
}

// Stamp starts every line with the time of day t (--timestamps, -D).
func Stamp(o *render.Output, t time.Time, lines []string) {
	ts := o.Style(t.Format("15:04:05.000"), render.Dim) + " "
	for i := range lines {
		lines[i] = ts + lines[i]
	}
}

// Payload turns a --send or --reply TEXT into bytes: hex digits with
// hexMode (a *HexError if they are not), else the text encoded with codec
// (an *EncodeError if it cannot be).
func Payload(text string, hexMode bool, codec Codec) ([]byte, error) {
	if hexMode {
		return ParseHex(text)
	}
	return codec.Encode(text)
}
