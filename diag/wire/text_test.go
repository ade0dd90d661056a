package wire

import (
	"strings"
	"testing"
)

func TestVisibleLines(t *testing.T) {
	for _, tc := range []struct {
		in   Decoded
		want []string
	}{
		{Decoded{{Text: "hello"}}, []string{"hello"}},
		{Decoded{{Text: "a\nb\n"}}, []string{`a\n`, `b\n`}},
		{Decoded{{Text: "GET / HTTP/1.0\r\n\r\n"}}, []string{`GET / HTTP/1.0\r\n`, `\r\n`}},
		{Decoded{{Text: "\x1b[31mred\x07\t\x00\x7f"}}, []string{`\x1b[31mred\x07\t\x00\x7f`}},
		{Decoded{{Text: "a\u202eb\u0085"}}, []string{`a\u202eb\u0085`}},
		{Decoded{{Text: "ok "}, {Invalid: []byte{0xff, 0xfe}}, {Text: "你好"}}, []string{"ok \uFFFD\\xff\\xfe你好"}},
		{nil, []string{""}},
	} {
		got := VisibleLines(tc.in)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("VisibleLines(%q) = %q, want %q", tc.in.String(), got, tc.want)
		}
	}
}
