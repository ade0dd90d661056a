//go:build linux

// Command tcpbench is the load generator and the baseline server of
// bench/tcp.sh, the benchmark of "netdiag tcp server".
//
//	tcpbench echo -l 127.0.0.1:0       a bare echo server: one goroutine and
//	                                    io.Copy per connection, nothing else;
//	                                    prints its address, runs until killed.
//	                                    Between two TCP connections io.Copy
//	                                    splices through a pipe (3 fds per
//	                                    connection); -plain copies through a
//	                                    32 KiB buffer instead (1 fd)
//	tcpbench load -a ADDR -c 1000 -n 100 -s 64
//	                                    1000 clients connect, then all at once
//	                                    do 100 echo round trips of 64 bytes,
//	                                    checking every reply; prints one JSON
//	                                    line: round trips/s, p50, p99, errors
//	tcpbench idle -a ADDR -c 10000 -pid PID
//	                                    opens 10000 connections that send
//	                                    nothing, waits until the server holds
//	                                    them, prints the server's RSS (VmRSS of
//	                                    PID) as JSON, closes them
//
// It raises its soft open-files limit to the hard limit first (Go does so
// too since 1.19; this makes it explicit and prints it on failure).
// Loopback only: it refuses any address that is not.
package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: tcpbench echo|load|idle [flags]")
		os.Exit(2)
	}
	if err := raiseNoFile(); err != nil {
		fmt.Fprintln(os.Stderr, "tcpbench:", err)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	listen := fs.String("l", "127.0.0.1:0", "echo: listen address")
	plain := fs.Bool("plain", false, "echo: copy through a buffer, not splice(2)")
	addr := fs.String("a", "", "load, idle: server address (loopback)")
	clients := fs.Int("c", 1000, "load: clients; idle: connections")
	rounds := fs.Int("n", 100, "load: round trips per client")
	size := fs.Int("s", 64, "load: message size in bytes")
	pid := fs.Int("pid", 0, "idle: the server's PID, for its RSS")
	fs.Parse(os.Args[2:])
	var err error
	switch os.Args[1] {
	case "echo":
		err = echo(*listen, *plain)
	case "load":
		err = checkLoopback(*addr)
		if err == nil {
			err = load(*addr, *clients, *rounds, *size)
		}
	case "idle":
		err = checkLoopback(*addr)
		if err == nil {
			err = idle(*addr, *clients, *pid)
		}
	default:
		err = fmt.Errorf("unknown mode %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "tcpbench:", err)
		os.Exit(1)
	}
}

func raiseNoFile() error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return err
	}
	lim.Cur = lim.Max
	return syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
}

func checkLoopback(addr string) error {
	ap, err := netip.ParseAddrPort(addr)
	if err != nil || !ap.Addr().IsLoopback() {
		return fmt.Errorf("-a %q: give a loopback address and port", addr)
	}
	return nil
}

// echo is the baseline: the smallest correct concurrent echo server.
func echo(listen string, plain bool) error {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	fmt.Println(ln.Addr())
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		go func() {
			defer c.Close()
			if plain { // hide ReadFrom/WriteTo: no splice
				io.Copy(struct{ io.Writer }{c}, struct{ io.Reader }{c})
				return
			}
			io.Copy(c, c)
		}()
	}
}

// dialAll opens n connections, at most 200 connects in flight.
func dialAll(addr string, n int) ([]net.Conn, error) {
	conns := make([]net.Conn, n)
	errs := make([]error, n)
	sem := make(chan struct{}, 200)
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			conns[i], errs[i] = net.DialTimeout("tcp", addr, 30*time.Second)
		})
	}
	wg.Wait()
	failed := 0
	var first error
	for _, err := range errs {
		if err != nil {
			failed++
			first = cmp.Or(first, err)
		}
	}
	if failed > 0 {
		for _, c := range conns {
			if c != nil {
				c.Close()
			}
		}
		return nil, fmt.Errorf("%d of %d connections failed, the first: %w", failed, n, first)
	}
	return conns, nil
}

// load: every client does rounds echo round trips at once; every reply is
// checked.
func load(addr string, clients, rounds, size int) error {
	conns, err := dialAll(addr, clients)
	if err != nil {
		return err
	}
	lat := make([][]time.Duration, clients)
	errs := make([]error, clients)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, c := range conns {
		wg.Go(func() {
			defer c.Close()
			c.SetDeadline(time.Now().Add(10 * time.Minute))
			msg := bytes.Repeat([]byte{'a' + byte(i%26)}, size)
			reply := make([]byte, size)
			lat[i] = make([]time.Duration, 0, rounds)
			<-start
			for r := range rounds {
				copy(msg, strconv.Itoa(r)) // every message differs
				t0 := time.Now()
				if _, err := c.Write(msg); err != nil {
					errs[i] = err
					return
				}
				if _, err := io.ReadFull(c, reply); err != nil {
					errs[i] = err
					return
				}
				lat[i] = append(lat[i], time.Since(t0))
				if !bytes.Equal(reply, msg) {
					errs[i] = fmt.Errorf("client %d round %d: wrong reply", i, r)
					return
				}
			}
		})
	}
	t0 := time.Now()
	close(start)
	wg.Wait()
	elapsed := time.Since(t0)
	all := slices.Concat(lat...)
	slices.Sort(all)
	nerr := 0
	var first error
	for _, e := range errs {
		if e != nil {
			nerr++
			first = cmp.Or(first, e)
		}
	}
	pct := func(p float64) float64 {
		if len(all) == 0 {
			return 0
		}
		return all[min(len(all)-1, int(p*float64(len(all))))].Seconds() * 1e3
	}
	return json.NewEncoder(os.Stdout).Encode(map[string]any{
		"round_trips": len(all), "seconds": elapsed.Seconds(), "rate": float64(len(all)) / elapsed.Seconds(),
		"p50_ms": pct(0.50), "p99_ms": pct(0.99), "errors": nerr, "first_error": fmt.Sprint(first),
	})
}

// idle: hold n silent connections and report the server's resident memory.
func idle(addr string, n, pid int) error {
	before, err := rssKiB(pid)
	if err != nil {
		return err
	}
	conns, err := dialAll(addr, n)
	if err != nil {
		return err
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	// Let the server accept them all (its accept queue drains), then settle.
	time.Sleep(2 * time.Second)
	after, err := rssKiB(pid)
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(map[string]any{
		"connections": n, "rss_before_mib": float64(before) / 1024, "rss_mib": float64(after) / 1024,
		"per_conn_kib": float64(after-before) / float64(n),
	})
}

func rssKiB(pid int) (int, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			return strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
		}
	}
	return 0, errors.New("no VmRSS in /proc/PID/status")
}
