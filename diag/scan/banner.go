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

// SanitizeBanner makes b safe to print on a terminal or in a table. It
// keeps the first line (a banner such as SMTP's may go on, which "…" says),
// without its line break and trailing spaces. Printable characters (UTF-8
// letters, digits, punctuation, symbols, spaces) stay; everything else is
// escaped: \r, \t, \\, \xNN for control bytes and bytes that are not
// UTF-8, \uNNNN for invisible or direction-changing characters. No control
// sequence reaches the terminal. The result is at most BannerMaxLen
// characters, "…" included; escapes are never cut in half.
func SanitizeBanner(b []byte) string {
	b = bytes.TrimRight(b, " \t\r\n")
	more := false
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b, more = bytes.TrimRight(b[:i], " \t\r"), true
	}
	var pieces []string
	total := 0
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		p := escapeRune(r, size, b[0])
		pieces = append(pieces, p)
		total += utf8.RuneCountInString(p)
		b = b[size:]
	}
	if !more && total <= BannerMaxLen {
		return strings.Join(pieces, "")
	}
	var sb strings.Builder
	n := 0
	for _, p := range pieces {
		if n+utf8.RuneCountInString(p) > BannerMaxLen-1 {
			break
		}
		sb.WriteString(p)
		n += utf8.RuneCountInString(p)
	}
	return sb.String() + "…"
}

// escapeRune returns how SanitizeBanner shows rune r, which was decoded
// from size bytes starting with first.
func escapeRune(r rune, size int, first byte) string {
	switch {
	case r == utf8.RuneError && size <= 1:
		return fmt.Sprintf(`\x%02x`, first)
	case r == '\r':
		return `\r`
	case r == '\t':
		return `\t`
	case r == '\\':
		return `\\`
	case r < utf8.RuneSelf && r >= ' ' && r != 0x7f, r >= utf8.RuneSelf && unicode.IsPrint(r):
		return string(r)
	case r < utf8.RuneSelf:
		return fmt.Sprintf(`\x%02x`, r)
	case r <= 0xffff:
		return fmt.Sprintf(`\u%04x`, r)
	}
	return fmt.Sprintf(`\U%08x`, r)
}
