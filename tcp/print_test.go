package tcp

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"netdiag/diag/render"
	"netdiag/diag/wire"
)

func render1(t *testing.T, jsonMode, hexDump, ts bool, ev Event) string {
	t.Helper()
	var buf bytes.Buffer
	p := NewPrinter(render.New(&buf, jsonMode), hexDump, ts)
	p.Emit(ev)
	if p.Err() != nil {
		t.Fatal(p.Err())
	}
	return buf.String()
}

func TestPrinterHuman(t *testing.T) {
	at := time.Date(2025, 1, 2, 15, 4, 5, 123e6, time.Local)
	h := func(k Kind, role string) Header { return Header{Kind: k, Time: at, Role: role} }
	peer := Peer{Conn: 3, Local: "127.0.0.1:9090", Remote: "127.0.0.1:41234"}
	for _, tc := range []struct {
		name string
		ev   Event
		hex  bool
		ts   bool
		want string
	}{
		{"listen", ListenEvent{Header: h(KindListen, "server"), Addrs: []string{"[::]:9090"}, DualStack: true, Reachable: []string{"127.0.0.1:9090", "[::1]:9090"}, Mode: "echo", Encoding: "gbk", MaxConns: 10, IdleTimeout: render.Seconds(30 * time.Second)}, false, false,
			"listening on [::]:9090 (IPv4 and IPv6): mode echo, encoding gbk, at most 10 clients, idle timeout 30s\nreachable at 127.0.0.1:9090, [::1]:9090\n"},
		{"connect", ConnectEvent{Header: h(KindConnect, "server"), Peer: peer, Active: 2}, false, false, "#3 127.0.0.1:41234 connected at 15:04:05 (2 active)\n"},
		{"connect with timestamps", ConnectEvent{Header: h(KindConnect, "server"), Peer: peer, Active: 2}, false, true, "15:04:05.123 #3 127.0.0.1:41234 connected (2 active)\n"},
		{"client connect", ConnectEvent{Header: h(KindConnect, "client"), Peer: peer, Name: "localhost", ConnectTime: render.Seconds(250 * time.Microsecond)}, false, false,
			"connected to 127.0.0.1:41234 from 127.0.0.1:9090 in 250µs (localhost)\n"},
		{"data multi-line with timestamps", &DataEvent{Header: h(KindData, "server"), Peer: peer, Dir: "in", Bytes: 12, Text: wire.Decoded{{Text: "line 1\nline 2"}}}, false, true,
			"15:04:05.123 #3 127.0.0.1:41234 received 12 bytes: line 1\\n\n15:04:05.123                                       line 2\n"},
		{"data hex", &DataEvent{Header: h(KindData, "client"), Peer: peer, Dir: "in", Offset: 16, Bytes: 2, Raw: []byte("hi")}, true, false,
			"received 2 bytes\n  00000010  68 69                                             |hi|\n"},
		{"sent", &DataEvent{Header: h(KindData, "client"), Peer: peer, Dir: "out", Bytes: 1, Text: wire.Decoded{{Text: "x"}}}, false, false, "sent 1 byte: x\n"},
		{"disconnect", DisconnectEvent{Header: h(KindDisconnect, "server"), Peer: peer, Reason: "client left", BytesIn: 2048, BytesOut: 5, Duration: render.Seconds(1500 * time.Millisecond)}, false, false,
			"#3 127.0.0.1:41234 disconnected after 1.5s: client left; received 2.0 KiB (2048 bytes), sent 5 bytes\n"},
		{"refused", ErrorEvent{Header: h(KindError, "server"), Peer: &peer, Op: "max_conns", Error: "refused: --max-conns 2 reached"}, false, false,
			"#3 127.0.0.1:41234 refused: --max-conns 2 reached\n"},
		{"error", ErrorEvent{Header: h(KindError, "server"), Op: "accept", Error: "too many open files"}, false, false, "error: too many open files\n"},
		{"server summary", SummaryEvent{Header: h(KindSummary, "server"), Clients: 3, Rejected: 1, Peak: 2, BytesIn: 10, BytesOut: 20, Duration: render.Seconds(2 * time.Second)}, false, false,
			"summary: served 3 clients (1 refused by --max-conns, at most 2 at once), received 10 bytes, sent 20 bytes in 2s\n"},
		{"small client summary", SummaryEvent{Header: h(KindSummary, "client"), Clients: 1, BytesOut: 26, BytesIn: 21, Duration: render.Seconds(time.Second), OutBitsPerS: 208, InBitsPerS: 168}, false, false,
			"summary: sent 26 bytes, received 21 bytes in 1s (208 bit/s out, 168 bit/s in)\n"},
		{"client summary with rate", SummaryEvent{Header: h(KindSummary, "client"), Clients: 1, BytesOut: 1 << 30, Duration: render.Seconds(time.Second), OutBitsPerS: 8 << 30}, false, false,
			"summary: sent 1.0 GiB (1073741824 bytes), received 0 bytes in 1s (8.59 Gbit/s out)\n"},
	} {
		if got := render1(t, false, tc.hex, tc.ts, tc.ev); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
}

func TestPrinterJSON(t *testing.T) {
	ev := &DataEvent{Header: Header{Kind: KindData, Time: time.Unix(0, 0).UTC(), Role: "server"},
		Peer: Peer{Conn: 1, Local: "l", Remote: "r"}, Dir: "in", Offset: 7, Bytes: 3,
		Text: wire.Decoded{{Text: "a"}, {Invalid: []byte{0xff, 0xfe}}}, Raw: []byte{'a', 0xff, 0xfe}}
	got := render1(t, true, false, false, ev)
	want := `{"type":"data","time":"1970-01-01T00:00:00Z","role":"server","conn":1,"local":"l","remote":"r","dir":"in","offset":7,"bytes":3,"text":"a\ufffd\\xff\\xfe","invalid":2,"hex":"61fffe"}` + "\n"
	want = strings.Replace(want, `\ufffd`, "\uFFFD", 1) // encoding/json writes U+FFFD as is
	if got != want {
		t.Errorf("JSON data event:\n got %s\nwant %s", got, want)
	}
	// Errors without a connection have no conn fields; durations are seconds.
	got = render1(t, true, false, false, ErrorEvent{Header: Header{Kind: KindError, Time: time.Unix(0, 0).UTC(), Role: "server"}, Op: "accept", Error: "x"})
	if strings.Contains(got, "conn") {
		t.Errorf("error event without peer: %s", got)
	}
	var m map[string]any
	json.Unmarshal([]byte(render1(t, true, false, false, DisconnectEvent{Header: Header{Kind: KindDisconnect, Role: "client"}, Duration: render.Seconds(1500 * time.Millisecond)})), &m)
	if m["duration_s"] != 1.5 {
		t.Errorf("duration_s = %v", m["duration_s"])
	}
}

// FuzzDataEventJSON: the hand-written JSON of a data event parses, with
// encoding/json, to the same values as encoding/json's own encoding of the
// same fields, for any text and address strings.
func FuzzDataEventJSON(f *testing.F) {
	f.Add("hello\n", "127.0.0.1:1", []byte("hi"))
	f.Add("\"quoted\" \\ \x00\x1f\x7f \u2028\u2029 <&> 你好 \xff", "[::1]:2", []byte{0, 0xff})
	f.Fuzz(func(t *testing.T, text, remote string, raw []byte) {
		ev := DataEvent{Header: Header{Kind: KindData, Time: time.Unix(1700000000, 123456789).UTC(), Role: "server"},
			Peer: Peer{Conn: 7, Local: "l", Remote: remote}, Dir: "in", Offset: 99, Bytes: len(raw),
			Text: wire.Decoded{{Text: text}}, Raw: raw}
		got, err := ev.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		var a, b map[string]any
		if err := json.Unmarshal(got, &a); err != nil {
			t.Fatalf("invalid JSON %q: %v", got, err)
		}
		ref, _ := json.Marshal(map[string]any{"type": "data", "time": ev.Time, "role": "server", "conn": 7, "local": "l",
			"remote": remote, "dir": "in", "offset": 99, "bytes": len(raw), "text": text, "hex": hex.EncodeToString(raw)})
		json.Unmarshal(ref, &b)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("hand-written JSON differs from encoding/json:\n%s\n%s", got, ref)
		}
	})
}
