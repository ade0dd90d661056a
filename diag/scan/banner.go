package scan

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// bannerMax is how many bytes of a banner are read.
const bannerMax = 512

// BannerMaxLen is the longest banner, in characters, SanitizeBanner returns;
// a longer one is cut and ends in "…".
const BannerMaxLen = 160

// readBanner reads what the service sends first: up to the first newline,
// bannerMax bytes, timeout, or the peer closing, whichever comes first.
func readBanner(ctx context.Context, conn net.Conn, timeout time.Duration) []byte {
	if err := conn.SetReadDeadline(time.Now().Add(timeout)); err != nil {
		return nil
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	buf := make([]byte, 0, bannerMax)
	for len(buf) < bannerMax && bytes.IndexByte(buf, '\n') < 0 {
		n, err := conn.Read(buf[len(buf):bannerMax])
		buf = buf[:len(buf)+n]
		if err != nil {
			break
		}
	}
	return buf
}

// SanitizeBanner makes b safe to print on a terminal or in a table: the
// trailing line break and spaces go; printable characters (UTF-8 letters,
// digits, punctuation, symbols, spaces) stay; everything else is escaped
// (\r, \n, \t, \\, \xNN for bytes that are not UTF-8, \uNNNN for
// invisible or direction-changing characters), so no control sequence reaches the terminal. The
// result is at most BannerMaxLen characters.
func SanitizeBanner(b []byte) string {
	b = bytes.TrimRight(b, " \t\r\n")
	var sb strings.Builder
	n := 0
	for len(b) > 0 && n < BannerMaxLen {
		r, size := utf8.DecodeRune(b)
		var piece string
		switch {
		case r == utf8.RuneError && size <= 1:
			piece = fmt.Sprintf(`\x%02x`, b[0])
		case r == '\r':
			piece = `\r`
		case r == '\n':
			piece = `\n`
		case r == '\t':
			piece = `\t`
		case r == '\\':
			piece = `\\`
		case r < utf8.RuneSelf && r >= ' ' && r != 0x7f, r >= utf8.RuneSelf && unicode.IsPrint(r):
			piece = string(r)
		case r <= 0xffff:
			piece = fmt.Sprintf(`\u%04x`, r)
		default:
			piece = fmt.Sprintf(`\U%08x`, r)
		}
		if n+utf8.RuneCountInString(piece) > BannerMaxLen {
			break
		}
		sb.WriteString(piece)
		n += utf8.RuneCountInString(piece)
		b = b[size:]
	}
	if len(b) > 0 {
		return sb.String() + "…"
	}
	return sb.String()
}
