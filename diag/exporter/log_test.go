package exporter

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
)

// With --json the log is JSON lines whose kind is "type":"log", the key
// every command's JSON lines name their kind with; without, logfmt text.
func TestLoggerJSONKind(t *testing.T) {
	var b bytes.Buffer
	newLogger(&b, Options{LogJSON: true, LogLevel: slog.LevelInfo}).Info("listening", "addr", "127.0.0.1:9374")
	var line map[string]any
	if err := json.Unmarshal(b.Bytes(), &line); err != nil {
		t.Fatalf("--json log line %q: %v", b.String(), err)
	}
	if line["type"] != "log" || line["msg"] != "listening" || line["addr"] != "127.0.0.1:9374" {
		t.Errorf("--json log line %s: want type log, msg listening, addr", b.String())
	}
	b.Reset()
	newLogger(&b, Options{LogLevel: slog.LevelInfo}).Info("listening")
	if s := b.String(); !strings.Contains(s, "msg=listening") || strings.Contains(s, "type=") {
		t.Errorf("text log line %q: want logfmt without a type", s)
	}
}
