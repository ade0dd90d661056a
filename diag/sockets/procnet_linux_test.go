package sockets

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net/netip"
	"strings"
	"testing"
)

// Real lines from a little-endian (amd64) kernel.
const (
	tcpHeader = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
	tcpListen = "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 43210 1 0000000000000000 100 0 0 10 0\n"
	tcpEstab  = "   1: 0100007F:A2C4 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 43299 1 0000000000000000 20 4 30 10 -1\n"
	tcpWait   = "   2: 0100007F:A2C6 0100007F:1F90 06 00000000:00000000 03:00001761 00000000     0        0 0 3 0000000000000000\n"
	tcp6Line  = "   0: 00000000000000000000000001000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 22222 1 0000000000000000 100 0 0 10 0\n"
	mapped6   = "   1: 0000000000000000FFFF00000100007F:0050 0000000000000000FFFF00000100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 33333 1 0000000000000000 20 4 30 10 -1\n"
	udpLine   = "  742: 00000000:0044 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 555 2 0000000000000000 0\n"
)

func requireLittleEndian(t *testing.T) {
	t.Helper()
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		t.Fatal("these samples come from a little-endian kernel; this host is big-endian: add big-endian samples")
	}
}

func TestParseProcNet(t *testing.T) {
	requireLittleEndian(t)
	socks, err := parseProcNet(tcpHeader+tcpListen+tcpEstab+tcpWait, "tcp")
	if err != nil {
		t.Fatal(err)
	}
	want := []Socket{
		{Proto: "tcp", Local: netip.MustParseAddrPort("127.0.0.1:8080"), Remote: netip.MustParseAddrPort("0.0.0.0:0"), State: "LISTEN", UID: 1000, Inode: 43210},
		{Proto: "tcp", Local: netip.MustParseAddrPort("127.0.0.1:41668"), Remote: netip.MustParseAddrPort("127.0.0.1:8080"), State: "ESTAB", Inode: 43299},
		{Proto: "tcp", Local: netip.MustParseAddrPort("127.0.0.1:41670"), Remote: netip.MustParseAddrPort("127.0.0.1:8080"), State: "TIME-WAIT"},
	}
	if fmt.Sprint(socks) != fmt.Sprint(want) {
		t.Errorf("got  %v\nwant %v", socks, want)
	}
	socks, err = parseProcNet(tcpHeader+tcp6Line+mapped6, "tcp")
	if err != nil {
		t.Fatal(err)
	}
	if got := socks[0].Local.String(); got != "[::1]:22" {
		t.Errorf("tcp6 local = %s, want [::1]:22", got)
	}
	if got := socks[1].Remote.String(); got != "[::ffff:127.0.0.1]:50000" {
		t.Errorf("mapped remote = %s, want [::ffff:127.0.0.1]:50000", got)
	}
	socks, err = parseProcNet(tcpHeader+udpLine, "udp")
	if err != nil || len(socks) != 1 || socks[0].State != "UNCONN" || socks[0].Local.Port() != 68 || !socks[0].Listening() {
		t.Errorf("udp: %v %v, want one UNCONN socket on port 68 that is Listening", socks, err)
	}
	if socks, err := parseProcNet(tcpHeader, "tcp"); err != nil || len(socks) != 0 {
		t.Errorf("empty table: %v %v", socks, err)
	}
}

func TestParseProcNetErrors(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"", "no header line"},
		{tcpHeader + "   0: 0100007F:1F90\n", "line 2: 2 fields, want at least 10"},
		{tcpHeader + strings.Replace(tcpListen, "0100007F:1F90", "0100007F1F90", 1), `local address: "0100007F1F90" is not ADDR:PORT in hex`},
		{tcpHeader + strings.Replace(tcpListen, "0100007F:1F90", "0100007G:1F90", 1), "address is not hex"},
		{tcpHeader + strings.Replace(tcpListen, "0100007F:1F90", "0100007F:1F9Z", 1), "port is not hex"},
		{tcpHeader + strings.Replace(tcpListen, " 0A ", " XY ", 1), `state "XY": not a hex byte`},
		{tcpHeader + strings.Replace(tcpListen, "  1000  ", "  -1  ", 1), `uid "-1": not a number`},
		{tcpHeader + strings.Replace(tcpListen, "43210", "x", 1), `inode "x": not a number`},
		{tcpHeader + strings.Replace(tcpListen, "00000000:0000", "00000000000000000000000000000000:0000", 1), "differ in family"},
	} {
		_, err := parseProcNet(tc.text, "tcp")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("parseProcNet(%q) = %v, want an error containing %q", tc.text, err, tc.want)
		}
	}
}

func TestSocketInode(t *testing.T) {
	for link, want := range map[string]uint64{"socket:[12345]": 12345, "socket:[0]": 0} {
		if got, ok := socketInode(link); !ok || got != want {
			t.Errorf("socketInode(%q) = %d, %v", link, got, ok)
		}
	}
	for _, link := range []string{"pipe:[12345]", "socket:[12345", "socket:[]", "socket:[x]", "/dev/null", "anon_inode:[eventfd]"} {
		if _, ok := socketInode(link); ok {
			t.Errorf("socketInode(%q) accepted", link)
		}
	}
}

// formatHexAddrPort is parseHexAddrPort's inverse, for the round trip.
func formatHexAddrPort(ap netip.AddrPort) string {
	raw := ap.Addr().AsSlice()
	for i := 0; i < len(raw); i += 4 {
		binary.BigEndian.PutUint32(raw[i:], binary.NativeEndian.Uint32(raw[i:]))
	}
	return strings.ToUpper(hex.EncodeToString(raw)) + fmt.Sprintf(":%04X", ap.Port())
}

func FuzzParseProcNet(f *testing.F) {
	for _, s := range []string{tcpListen, tcpEstab, tcpWait, tcp6Line, mapped6, udpLine} {
		f.Add(tcpHeader + s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		socks, err := parseProcNet(text, "tcp")
		if err != nil {
			return
		}
		for _, s := range socks {
			for _, ap := range []netip.AddrPort{s.Local, s.Remote} {
				back, err := parseHexAddrPort(formatHexAddrPort(ap))
				if err != nil || back != ap {
					t.Fatalf("round trip of %v: %v, %v", ap, back, err)
				}
			}
			if s.State == "" {
				t.Fatalf("empty state in %+v", s)
			}
		}
	})
}
