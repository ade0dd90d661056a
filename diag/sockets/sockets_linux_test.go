package sockets_test

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"netdiag/diag/netaddr"
	"netdiag/diag/sockets"
	"netdiag/internal/testnet"
)

// mine is a socket this test opened, with the inode fstat gives for it.
type mine struct {
	proto string
	local netip.AddrPort
	inode uint64
	state string
}

func inodeOf(t *testing.T, c syscall.Conn) uint64 {
	t.Helper()
	rc, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var st syscall.Stat_t
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = syscall.Fstat(int(fd), &st) }); err != nil || serr != nil {
		t.Fatalf("fstat: %v %v", err, serr)
	}
	return st.Ino
}

// openListeners opens a TCP listener and a UDP socket on 127.0.0.1 and ::1,
// port 0, closed when the test ends.
func openListeners(t *testing.T) []mine {
	t.Helper()
	var out []mine
	for _, network := range []string{"tcp4", "tcp6"} {
		host := map[string]string{"tcp4": "127.0.0.1", "tcp6": "::1"}[network]
		ln, err := net.Listen(network, net.JoinHostPort(host, "0"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ln.Close() })
		ap := ln.Addr().(*net.TCPAddr).AddrPort()
		out = append(out, mine{"tcp", ap, inodeOf(t, ln.(*net.TCPListener)), "LISTEN"})
	}
	for _, network := range []string{"udp4", "udp6"} {
		host := map[string]string{"udp4": "127.0.0.1", "udp6": "::1"}[network]
		pc, err := net.ListenPacket(network, net.JoinHostPort(host, "0"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { pc.Close() })
		ap := pc.LocalAddr().(*net.UDPAddr).AddrPort()
		out = append(out, mine{"udp", ap, inodeOf(t, pc.(*net.UDPConn)), "UNCONN"})
	}
	return out
}

func selfComm(t *testing.T) string {
	t.Helper()
	// The kernel truncates the command name to 15 bytes.
	name := os.Args[0][strings.LastIndexByte(os.Args[0], '/')+1:]
	return name[:min(len(name), 15)]
}

func TestListFindsOwnSockets(t *testing.T) {
	socks := openListeners(t)
	all, err := sockets.List()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range socks {
		i := slices.IndexFunc(all, func(s sockets.Socket) bool { return s.Inode == m.inode })
		if i < 0 {
			t.Errorf("List has no socket with inode %d (%s %s)", m.inode, m.proto, m.local)
			continue
		}
		s := all[i]
		if s.Proto != m.proto || s.Local != m.local || s.State != m.state || !s.Listening() {
			t.Errorf("inode %d: got %s %s %s (listening %v), want %s %s %s", m.inode, s.Proto, s.Local, s.State, s.Listening(), m.proto, m.local, m.state)
		}
		if s.UID != os.Getuid() {
			t.Errorf("%s %s: uid %d, want %d", m.proto, m.local, s.UID, os.Getuid())
		}
		if s.PID != os.Getpid() || s.Process != selfComm(t) || len(s.Owners) != 1 {
			t.Errorf("%s %s: owner %d %q %v, want this process %d %q", m.proto, m.local, s.PID, s.Process, s.Owners, os.Getpid(), selfComm(t))
		}
		if want := netip.AddrPortFrom(netip.IPv6Unspecified(), 0); m.local.Addr().Is4() {
			if s.Remote != netip.AddrPortFrom(netip.IPv4Unspecified(), 0) {
				t.Errorf("%s: remote %s, want 0.0.0.0:0", m.local, s.Remote)
			}
		} else if s.Remote != want {
			t.Errorf("%s: remote %s, want [::]:0", m.local, s.Remote)
		}
	}
}

func TestBound(t *testing.T) {
	socks := openListeners(t)
	for _, m := range socks {
		got, err := sockets.Bound(netaddr.Port(m.local.Port()), m.proto)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(got, func(s sockets.Socket) bool { return s.Inode == m.inode && s.PID == os.Getpid() }) {
			t.Errorf("Bound(%d, %s) = %v, want our socket %d", m.local.Port(), m.proto, got, m.inode)
		}
		for _, s := range got {
			if s.Proto != m.proto || s.Local.Port() != m.local.Port() || !s.Listening() {
				t.Errorf("Bound(%d, %s) returned %+v", m.local.Port(), m.proto, s)
			}
		}
		both, err := sockets.Bound(netaddr.Port(m.local.Port()), "")
		if err != nil || len(both) < len(got) {
			t.Errorf("Bound(%d, \"\") = %v, %v: fewer than for %s alone", m.local.Port(), both, err, m.proto)
		}
	}
	if _, err := sockets.Bound(80, "sctp"); err == nil || !strings.Contains(err.Error(), `unknown protocol "sctp"`) {
		t.Errorf(`Bound(80, "sctp") error = %v`, err)
	}

	// A connected TCP client's local port is not listening: not Bound. A
	// connected UDP socket holds its port: Bound.
	tcpConn, err := net.Dial("tcp", socks[0].local.String())
	if err != nil {
		t.Fatal(err)
	}
	defer tcpConn.Close()
	cp := tcpConn.LocalAddr().(*net.TCPAddr).Port
	got, err := sockets.Bound(netaddr.Port(cp), "tcp")
	if err != nil || slices.ContainsFunc(got, func(s sockets.Socket) bool { return s.Inode == inodeOf(t, tcpConn.(*net.TCPConn)) }) {
		t.Errorf("Bound(%d, tcp) = %v, %v: includes the connected client socket", cp, got, err)
	}
	udpConn, err := net.Dial("udp", socks[2].local.String())
	if err != nil {
		t.Fatal(err)
	}
	defer udpConn.Close()
	up := udpConn.LocalAddr().(*net.UDPAddr).Port
	got, err = sockets.Bound(netaddr.Port(up), "udp")
	if err != nil || !slices.ContainsFunc(got, func(s sockets.Socket) bool {
		return s.Inode == inodeOf(t, udpConn.(*net.UDPConn)) && s.State == "ESTAB"
	}) {
		t.Errorf("Bound(%d, udp) = %v, %v: lacks the connected UDP socket", up, got, err)
	}
}

func TestFindSkipsOwnersOfUnkept(t *testing.T) {
	socks := openListeners(t)
	var seen int
	got, err := sockets.Find(func(s sockets.Socket) bool {
		seen++
		if s.PID != 0 || s.Owners != nil {
			t.Errorf("keep saw owners already: %+v", s)
		}
		return s.Inode == socks[0].inode
	})
	if err != nil || len(got) != 1 || got[0].PID != os.Getpid() {
		t.Errorf("Find = %v, %v; want just our socket with our PID", got, err)
	}
	if seen < len(socks) {
		t.Errorf("keep was called %d times, want at least %d", seen, len(socks))
	}
	if none, err := sockets.Find(func(sockets.Socket) bool { return false }); err != nil || len(none) != 0 {
		t.Errorf("Find(none) = %v, %v", none, err)
	}
}

// ssSocket is one line of ss -Htunape.
type ssSocket struct {
	proto, state  string
	local, remote netip.AddrPort
	pids          []int
	names         []string
	inode         uint64
}

var (
	ssAddr  = regexp.MustCompile(`^(?:\[([0-9a-fA-F:.]+)\]|([0-9.]+|\*))(?:%[^:]+)?:(\d+|\*)$`)
	ssUser  = regexp.MustCompile(`\("((?:[^"\\]|\\.)*)",pid=(\d+),fd=\d+\)`)
	ssInode = regexp.MustCompile(`\bino:(\d+)\b`)
)

func parseSSAddr(s string) (netip.AddrPort, error) {
	m := ssAddr.FindStringSubmatch(s)
	if m == nil {
		return netip.AddrPort{}, fmt.Errorf("ss address %q", s)
	}
	host := m[1] + m[2]
	if host == "*" {
		host = "::"
	}
	port := 0
	if m[3] != "*" {
		port, _ = strconv.Atoi(m[3])
	}
	a, err := netip.ParseAddr(host)
	return netip.AddrPortFrom(a, uint16(port)), err
}

// runSS runs ss -Htunape and returns its sockets by inode (TIME-WAIT
// sockets, inode 0, are left out).
func runSS(t *testing.T) map[uint64]ssSocket {
	t.Helper()
	out := testnet.MustRun(t, "ss", "-Htunape")
	socks := make(map[uint64]ssSocket)
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 6 {
			t.Fatalf("ss line %q", line)
		}
		local, err1 := parseSSAddr(f[4])
		remote, err2 := parseSSAddr(f[5])
		if err := errors.Join(err1, err2); err != nil {
			t.Fatalf("ss line %q: %v", line, err)
		}
		m := ssInode.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("ss line %q has no ino:", line)
		}
		inode, _ := strconv.ParseUint(m[1], 10, 64)
		if inode == 0 {
			continue
		}
		s := ssSocket{proto: f[0], state: f[1], local: local, remote: remote, inode: inode}
		for _, u := range ssUser.FindAllStringSubmatch(line, -1) {
			pid, _ := strconv.Atoi(u[2])
			if !slices.Contains(s.pids, pid) {
				s.pids = append(s.pids, pid)
				s.names = append(s.names, u[1])
			}
		}
		socks[inode] = s
	}
	return socks
}

// TestAgainstSS compares List with ss(8) over every socket on the machine.
// Other programs open and close sockets meanwhile, so only sockets that look
// the same in a List before and after ss are compared.
func TestAgainstSS(t *testing.T) {
	testnet.RequireTools(t, "ss")
	mineSocks := openListeners(t)
	before, err := sockets.List()
	if err != nil {
		t.Fatal(err)
	}
	ss := runSS(t)
	after, err := sockets.List()
	if err != nil {
		t.Fatal(err)
	}
	afterBy := make(map[uint64]sockets.Socket)
	for _, s := range after {
		afterBy[s.Inode] = s
	}
	compared := 0
	for _, s := range before {
		a, ok := afterBy[s.Inode]
		if s.Inode == 0 || !ok || fmt.Sprint(a) != fmt.Sprint(s) {
			continue // changed meanwhile
		}
		compared++
		o, ok := ss[s.Inode]
		if !ok {
			t.Errorf("ss does not list %+v", s)
			continue
		}
		var pids []int
		var names []string
		for _, ow := range s.Owners {
			pids, names = append(pids, ow.PID), append(names, ow.Command)
		}
		slices.Sort(o.pids)
		if o.proto != s.Proto || o.state != s.State || o.local != s.Local || o.remote != s.Remote || !slices.Equal(o.pids, pids) {
			t.Errorf("inode %d:\n  List: %s %s %s %s pids %v\n  ss:   %s %s %s %s pids %v", s.Inode,
				s.Proto, s.State, s.Local, s.Remote, pids, o.proto, o.state, o.local, o.remote, o.pids)
		}
		if len(o.pids) == len(pids) && !slices.Equal(sortedByPID(o), names) {
			t.Errorf("inode %d: process names %v, ss says %v", s.Inode, names, o.names)
		}
	}
	for _, m := range mineSocks {
		if o := ss[m.inode]; !slices.Contains(o.pids, os.Getpid()) {
			t.Errorf("ss does not show our %s %s (inode %d) as ours: %+v", m.proto, m.local, m.inode, o)
		}
	}
	if compared < len(mineSocks) {
		t.Errorf("compared only %d sockets, fewer than the %d this test opened", compared, len(mineSocks))
	}
	t.Logf("compared %d sockets with ss", compared)
}

// sortedByPID returns o's process names in PID order.
func sortedByPID(o ssSocket) []string {
	idx := make([]int, len(o.pids))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return o.pids[a] - o.pids[b] })
	names := make([]string, len(idx))
	for i, j := range idx {
		names[i] = o.names[j]
	}
	return names
}

// TestListSeesOtherProcesses checks owners of a socket held by another
// process (socat), found through its /proc/[pid]/fd.
func TestListSeesOtherProcesses(t *testing.T) {
	testnet.RequireTools(t, "socat")
	// Pick a free port by binding and releasing it; socat then listens there.
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command("socat", "-u", fmt.Sprintf("TCP4-LISTEN:%d,bind=127.0.0.1,reuseaddr", port), "STDOUT")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	var got []sockets.Socket
	testnet.WaitUntil(t, 5*time.Second, "socat to listen", func() (bool, error) {
		got, err = sockets.Bound(netaddr.Port(port), "tcp")
		return len(got) > 0, err
	})
	if got[0].PID != cmd.Process.Pid || got[0].Process != "socat" {
		t.Errorf("port %d: owner %d %q, want socat's pid %d", port, got[0].PID, got[0].Process, cmd.Process.Pid)
	}
}
