package scan_test

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"netdiag/diag/scan"
)

func TestSanitizeBanner(t *testing.T) {
	long := strings.Repeat("a", scan.BannerMaxLen+10)
	for _, tc := range []struct{ in, want string }{
		{"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", "SSH-2.0-OpenSSH_9.2p1 Debian-2"},
		{"220-first line\r\n220 second\r\n", "220-first line…"},
		{"+OK ready  \n", "+OK ready"},
		{"\x1b[2J\x1b[31mred", `\x1b[2J\x1b[31mred`},
		{"tab\there\x00nul\x7fdel", `tab\there\x00nul\x7fdel`},
		{"back\\slash", `back\\slash`},
		{"bare\rcr", `bare\rcr`},
		{"\xff\xfe binary", `\xff\xfe binary`},
		{"中文 banner ünïcödé", "中文 banner ünïcödé"},
		{"rtl \u202eevil\u200b", `rtl \u202eevil\u200b`},
		{"\U000e0041 tag", `\U000e0041 tag`},
		{"", ""},
		{"\r\n", ""},
		{long, strings.Repeat("a", scan.BannerMaxLen-1) + "…"},
		{strings.Repeat("a", scan.BannerMaxLen), strings.Repeat("a", scan.BannerMaxLen)},
		// An escape is never cut in half.
		{strings.Repeat("a", scan.BannerMaxLen-3) + "\x01\x02", strings.Repeat("a", scan.BannerMaxLen-3) + "…"},
	} {
		if got := scan.SanitizeBanner([]byte(tc.in)); got != tc.want {
			t.Errorf("SanitizeBanner(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzSanitizeBanner checks that whatever a service sends, the result is
// valid UTF-8 of printable characters only, within BannerMaxLen.
func FuzzSanitizeBanner(f *testing.F) {
	for _, s := range []string{"SSH-2.0-x\r\n", "\x1b]0;title\x07", "\xff\x00\n\n", "中\u202e", "a\\b"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s := scan.SanitizeBanner(b)
		if !utf8.ValidString(s) {
			t.Fatalf("invalid UTF-8 %q from %q", s, b)
		}
		if n := utf8.RuneCountInString(s); n > scan.BannerMaxLen {
			t.Fatalf("%d characters from %q", n, b)
		}
		for _, r := range s {
			if !unicode.IsPrint(r) && r != ' ' {
				t.Fatalf("unprintable %U in %q from %q", r, s, b)
			}
		}
	})
}
