// Package tcp implements "netdiag tcp server" and "netdiag tcp client": the
// quick TCP test server and client people otherwise write by hand in Python,
// run as nc, or click together in a GUI "network debugging assistant".
//
// Usage:
//
//	netdiag tcp server [-l ADDR] [-p PORT] [--reply TEXT | --echo | --discard]
//	                   [--send TEXT --every D [--repeat N]]
//	                   [--once] [--max-conns N] [--idle-timeout D]
//	                   [--encoding NAME] [--hex] [--timestamps] [--json] [-4|-6]
//	netdiag tcp client [--send TEXT [--repeat N] [--interval D] | --file F]
//	                   [--wait D] [--timeout D] [--source ADDR] [--info]
//	                   [--encoding NAME] [--hex] [--timestamps] [--json] [-4|-6]
//	                   HOST:PORT | HOST PORT
//
// The server (Listen, Serve) listens with SO_REUSEADDR on every interface,
// dual-stack, or on -l, and serves every client in its own goroutine. The
// listening socket only accepts. A connection reads into a buffer borrowed
// from a pool only while data arrives, so an idle client costs its
// goroutine and socket, and a client that sends without end costs one
// buffer: memory is bounded whatever clients do. With --send TEXT --every
// D it sends TEXT to every open connection on a timer (wire.StartTimed).
//
// The client (RunClient) connects, then sends --send TEXT, a --file
// (sendFile: written from a mapping of it on Linux), or stdin
// until EOF, then shuts down its write side and reads until the server
// closes or has been quiet for --wait.
//
// Both report what happens as events (listen, connect, data, disconnect,
// error, summary) through an Emit callback; Printer renders them as human
// lines or JSON lines. Text is decoded per connection by a streaming
// Decoder: a character split between two reads is kept back until its end
// arrives; bytes that do not decode are shown as U+FFFD plus their hex.
package tcp
