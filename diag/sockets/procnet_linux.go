package sockets

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"strconv"
	"strings"
)

// procRoot is where procfs is mounted.
const procRoot = "/proc"

// find reads the four /proc/net socket tables, keeps what keep wants and
// looks up the owners of the kept sockets.
func find(keep func(Socket) bool) ([]Socket, error) {
	tables := [...]struct {
		file, proto string
		ipv6        bool
	}{
		{"tcp", "tcp", false}, {"tcp6", "tcp", true},
		{"udp", "udp", false}, {"udp6", "udp", true},
	}
	var out []Socket
	seen := make(map[uint64]bool)
	for _, t := range tables {
		path := procRoot + "/net/" + t.file
		b, err := os.ReadFile(path)
		if t.ipv6 && errors.Is(err, fs.ErrNotExist) {
			continue // IPv6 is disabled on this machine
		}
		if err != nil {
			return nil, fmt.Errorf("listing sockets: %w", err)
		}
		socks, err := parseProcNet(string(b), t.proto)
		if err != nil {
			return nil, fmt.Errorf("listing sockets: %s: %w", path, err)
		}
		for _, s := range socks {
			// The kernel fills a /proc/net table one page per read; a socket
			// that moves in the hash between two reads can show up twice.
			if s.Inode != 0 && seen[s.Inode] {
				continue
			}
			if keep == nil || keep(s) {
				seen[s.Inode] = s.Inode != 0
				out = append(out, s)
			}
		}
	}
	addOwners(out)
	return out, nil
}

// stateNames are the kernel's TCP states (include/net/tcp_states.h) as
// ss(8) names them; index 7, TCP_CLOSE, is an unconnected socket.
var stateNames = [...]string{
	1: "ESTAB", 2: "SYN-SENT", 3: "SYN-RECV", 4: "FIN-WAIT-1", 5: "FIN-WAIT-2",
	6: "TIME-WAIT", 7: "UNCONN", 8: "CLOSE-WAIT", 9: "LAST-ACK", 10: "LISTEN",
	11: "CLOSING", 12: "NEW-SYN-RECV",
}

// parseProcNet parses a /proc/net/{tcp,tcp6,udp,udp6} table: a header line,
// then one socket per line ("sl local rem st tx:rx tr:when retrnsmt uid
// timeout inode ...").
func parseProcNet(text, proto string) ([]Socket, error) {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if len(lines) == 0 || !strings.Contains(lines[0], "local_address") {
		return nil, errors.New("no header line")
	}
	socks := make([]Socket, 0, len(lines)-1)
	for i, line := range lines[1:] {
		s, err := parseProcNetLine(line, proto)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", i+2, err)
		}
		socks = append(socks, s)
	}
	return socks, nil
}

func parseProcNetLine(line, proto string) (Socket, error) {
	f := strings.Fields(line)
	if len(f) < 10 {
		return Socket{}, fmt.Errorf("%d fields, want at least 10: %q", len(f), line)
	}
	local, err := parseHexAddrPort(f[1])
	if err != nil {
		return Socket{}, fmt.Errorf("local address: %w", err)
	}
	remote, err := parseHexAddrPort(f[2])
	if err != nil {
		return Socket{}, fmt.Errorf("remote address: %w", err)
	}
	if local.Addr().Is4() != remote.Addr().Is4() {
		return Socket{}, fmt.Errorf("local %s and remote %s differ in family", local, remote)
	}
	st, err := strconv.ParseUint(f[3], 16, 8)
	if err != nil {
		return Socket{}, fmt.Errorf("state %q: not a hex byte", f[3])
	}
	state := fmt.Sprintf("UNKNOWN-%d", st)
	if int(st) < len(stateNames) && stateNames[st] != "" {
		state = stateNames[st]
	}
	uid, err := strconv.ParseUint(f[7], 10, 32)
	if err != nil {
		return Socket{}, fmt.Errorf("uid %q: not a number", f[7])
	}
	inode, err := strconv.ParseUint(f[9], 10, 64)
	if err != nil {
		return Socket{}, fmt.Errorf("inode %q: not a number", f[9])
	}
	return Socket{Proto: proto, Local: local, Remote: remote, State: state, UID: int(uid), Inode: inode}, nil
}

// parseHexAddrPort parses the kernel's "0100007F:0050" (IPv4) or 32 hex
// digits ":" port (IPv6) form: the address as 32-bit words printed in host
// byte order, the port as a big-endian number.
func parseHexAddrPort(s string) (netip.AddrPort, error) {
	if (len(s) != 8+5 && len(s) != 32+5) || s[len(s)-5] != ':' {
		return netip.AddrPort{}, fmt.Errorf("%q is not ADDR:PORT in hex", s)
	}
	raw, err := hex.DecodeString(s[:len(s)-5])
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("%q: address is not hex", s)
	}
	port, err := strconv.ParseUint(s[len(s)-4:], 16, 16)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("%q: port is not hex", s)
	}
	for i := 0; i < len(raw); i += 4 {
		binary.NativeEndian.PutUint32(raw[i:], binary.BigEndian.Uint32(raw[i:]))
	}
	addr, _ := netip.AddrFromSlice(raw) // 4 or 16 bytes: always ok
	return netip.AddrPortFrom(addr, uint16(port)), nil
}
