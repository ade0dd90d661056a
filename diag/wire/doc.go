// Package wire holds what netdiag's tcp and udp commands share about the
// bytes on the wire: text encodings (golang.org/x/text) with a streaming
// Decoder that shows invalid bytes instead of dropping them, hex parsing and
// hexdump -C style dumps, terminal-safe rendering of received text, the
// hand-written JSON string encoder of the hot data path, byte and rate
// formatting, data lines, timestamps and the parsing of targets and
// --send/--reply payloads.
package wire
