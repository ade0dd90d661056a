// Package udp implements "netdiag udp server" and "netdiag udp client": the
// quick UDP test server and client people otherwise run as nc -u or socat,
// or click together in a GUI "network debugging assistant".
//
// Usage:
//
//	netdiag udp server [-l ADDR] [-p PORT] [--reply TEXT | --echo | --discard]
//	                   [--send TEXT --every D [--repeat N]]
//	                   [--group ADDR[%IFACE]]... [--size N] [--save DIR]
//	                   [--encoding NAME] [--hex] [--timestamps] [--json] [-4|-6]
//	netdiag udp client [--send TEXT [--repeat N] [--interval D | --every D] | --file F [--size N]]
//	                   [--broadcast] [--wait D] [--source ADDR] [--save DIR]
//	                   [--encoding NAME] [--hex] [--timestamps] [--json] [-4|-6]
//	                   HOST:PORT | HOST PORT
//
// The server (Listen, Serve) reads datagrams from one socket, numbers each
// peer (source address) when it is first heard from, reports every
// datagram with its source, size and decoded text, answers as its mode
// says, and reads commands from stdin while serving (wire.RunCommands): a
// line goes to every peer, "@ID line" to one, "/list" lists them and
// "/close ID" forgets one. With --send TEXT --every D it sends TEXT to
// every peer not forgotten on a timer (wire.StartTimed). It joins
// multicast groups (IPv4 and IPv6) with --group.
//
// The client (RunClient) sends --send TEXT, a --file cut into --size-byte
// datagrams, or stdin lines, each as one datagram, from a connected socket
// so that an ICMP port unreachable comes back as ECONNREFUSED and is
// reported as "port closed". Replies equal to a datagram sent are echoes:
// the client measures their round-trip time and counts loss, duplicates
// and reordering.
//
// Events, the printer, the shared flags, text encodings, hex, timestamps,
// stdin commands, --save and timed sending come from diag/wire, shared with
// the tcp command.
package udp
