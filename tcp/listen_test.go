package tcp

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"netdiag/diag/netaddr"
	"netdiag/internal/testnet"
)

// The default listener is dual-stack: IPv4 and IPv6 clients both reach it,
// and it lists the loopback addresses among those it is reachable on.
func TestListenDualStack(t *testing.T) {
	t.Parallel()
	ln, err := Listen(context.Background(), ListenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	if !ln.DualStack() {
		t.Fatalf("listener on %s is not dual-stack", ln.Addr())
	}
	reach := ln.Reachable()
	for _, want := range []string{fmt.Sprintf("127.0.0.1:%d", port), fmt.Sprintf("[::1]:%d", port)} {
		if !slices.Contains(reach, want) {
			t.Errorf("Reachable() = %v, missing %s", reach, want)
		}
	}
	if reach[0] != fmt.Sprintf("127.0.0.1:%d", port) {
		t.Errorf("Reachable()[0] = %s, want IPv4 loopback first", reach[0])
	}
	for _, addr := range []string{fmt.Sprintf("127.0.0.1:%d", port), fmt.Sprintf("[::1]:%d", port)} {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("dial %s: %v", addr, err)
		}
		s, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
		c.Close()
	}
}

// -4 and -6 restrict the wildcard listener to one family.
func TestListenFamilies(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		fam         netaddr.Family
		reach, miss string
	}{{netaddr.IPv4, "127.0.0.1", "[::1]"}, {netaddr.IPv6, "[::1]", "127.0.0.1"}} {
		ln, err := Listen(context.Background(), ListenOptions{Family: tc.fam})
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		if ln.DualStack() {
			t.Errorf("%v listener is dual-stack", tc.fam)
		}
		if c, err := net.DialTimeout("tcp", fmt.Sprintf("%s:%d", tc.miss, port), time.Second); err == nil {
			c.Close()
			t.Errorf("%v listener accepted a connection to %s", tc.fam, tc.miss)
		}
		if !slices.Contains(ln.Reachable(), fmt.Sprintf("%s:%d", tc.reach, port)) {
			t.Errorf("%v: Reachable() = %v", tc.fam, ln.Reachable())
		}
		ln.Close()
	}
}

// A name resolving to both loopbacks listens on both, on one port (the
// multi-socket Listener), and Close stops both. Not parallel: the last
// check dials the freed port, which a parallel test's wildcard listener on
// port 0 could be given meanwhile (seen a few times in 300 runs).
func TestListenNameBothFamilies(t *testing.T) {
	ln, err := Listen(context.Background(), ListenOptions{Host: mustHost(t, "dual.test"), Resolver: loopbackResolver(t)})
	if err != nil {
		t.Fatal(err)
	}
	if got := ln.Addrs(); len(got) != 2 {
		t.Fatalf("Addrs() = %v, want 127.0.0.1 and ::1", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); Serve(ctx, ln, ServerOptions{Mode: ModeEcho}, func(Event) {}) }()
	port := ln.Addr().(*net.TCPAddr).Port
	for _, host := range []string{"127.0.0.1", "::1"} {
		c := dialT(t, net.JoinHostPort(host, fmt.Sprint(port)))
		c.Write([]byte("ok"))
		buf := make([]byte, 2)
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "ok" {
			t.Errorf("via %s: %q %v", host, buf, err)
		}
	}
	cancel()
	<-done
	for _, host := range []string{"127.0.0.1", "::1"} {
		if c, err := net.DialTimeout("tcp", net.JoinHostPort(host, fmt.Sprint(port)), time.Second); err == nil {
			c.Close()
			t.Errorf("%s still accepts after Close", host)
		}
	}
}

// A port held by another process: a *PortInUseError naming the port and
// the process, here a python3 listener.
func TestListenPortInUseNamesProcess(t *testing.T) {
	t.Parallel()
	testnet.RequireTools(t, "python3")
	cmd := exec.Command("python3", "-c", `
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen()
print(s.getsockname()[1], flush=True)
sys.stdin.read()
`)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); cmd.Wait() }()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("python3 listener: %v", err)
	}
	port, err := netaddr.ParsePort(strings.TrimSpace(line))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Listen(context.Background(), ListenOptions{Host: mustHost(t, "127.0.0.1"), Port: port})
	var pe *PortInUseError
	if !errors.As(err, &pe) || !errors.Is(err, syscall.EADDRINUSE) {
		t.Fatalf("Listen on a used port: %v, want *PortInUseError wrapping EADDRINUSE", err)
	}
	want := fmt.Sprintf("port %d is already in use by python3 (PID %d) on 127.0.0.1:%d", port, cmd.Process.Pid, port)
	if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "-p") {
		t.Errorf("error = %q\nwant it to contain %q and a hint", err, want)
	}
}

// Restart right after the server closed its clients: their connections
// sit in TIME_WAIT on the server's port, which makes a plain bind fail
// with EADDRINUSE (checked, so the test means something) while Listen,
// with SO_REUSEADDR, succeeds.
//
// Not parallel: a parallel test that starts a process (os/exec) forks, and
// until the child's exec closes them it holds every descriptor of this
// process, the closed listener's too, which then still listens (ss shows
// it with no process) and makes the restart fail, 8 times in 400 runs
// under load.
func TestListenRestartAfterClients(t *testing.T) {
	port := netaddr.Port(testnet.FreePort(t))
	opt := ListenOptions{Host: mustHost(t, "127.0.0.1"), Port: port}
	ln, err := Listen(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	log := newEventLog()
	go func() { defer close(done); Serve(ctx, ln, ServerOptions{Mode: ModeEcho}, log.Emit) }()
	var conns []net.Conn
	for range 3 {
		c := dialT(t, ln.Addr().String())
		c.Write([]byte("x"))
		io.ReadFull(c, make([]byte, 1))
		conns = append(conns, c)
	}
	cancel() // the server closes first: TIME_WAIT is on its side
	<-done
	for _, c := range conns {
		io.Copy(io.Discard, c)
		c.Close()
	}
	if err := plainBind(port); !errors.Is(err, syscall.EADDRINUSE) {
		t.Fatalf("bind without SO_REUSEADDR: %v; want EADDRINUSE (no TIME_WAIT left, so this test proves nothing)", err)
	}
	ln2, err := Listen(context.Background(), opt)
	if err != nil {
		t.Fatalf("restart on port %d: %v", port, err)
	}
	ln2.Close()
}

// plainBind binds a TCP socket to 127.0.0.1:port without SO_REUSEADDR.
func plainBind(port netaddr.Port) error {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		return err
	}
	defer syscall.Close(fd)
	return syscall.Bind(fd, &syscall.SockaddrInet4{Port: int(port), Addr: [4]byte{127, 0, 0, 1}})
}

// A listen address that is not on this machine, and a privileged port for
// a user without the capability, are explained.
func TestListenErrorsExplained(t *testing.T) {
	t.Parallel()
	_, err := Listen(context.Background(), ListenOptions{Host: mustHost(t, "192.0.2.123"), Port: 0})
	if err == nil || !strings.Contains(err.Error(), "not on this machine") {
		t.Errorf("listen on a foreign address: %v", err)
	}
	_, err = Listen(context.Background(), ListenOptions{Host: mustHost(t, "::1"), Family: netaddr.IPv4})
	var re *netaddr.ResolveError
	if !errors.As(err, &re) {
		t.Errorf("-4 with -l ::1: %v, want a *netaddr.ResolveError", err)
	}
}
