package scan_test

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"netdiag/diag/netaddr"
	"netdiag/diag/scan"
)

func target(t *testing.T, s string) netaddr.Target {
	t.Helper()
	tg, err := netaddr.ParseTarget(s)
	if err != nil {
		t.Fatalf("ParseTarget(%q): %v", s, err)
	}
	return tg
}

func openPorts(h *scan.HostResult) []netaddr.Port {
	var out []netaddr.Port
	for _, p := range h.Ports {
		if p.State == scan.Open {
			out = append(out, p.Port)
		}
	}
	return out
}

// TestOpenSetLoopback opens listeners on random ports of a random range on
// 127.0.0.1 and ::1; the scan, with the fast dialer and with net.Dialer,
// must find exactly those open and every other port closed, and nmap -sT
// must agree.
func TestOpenSetLoopback(t *testing.T) {
	for _, loop := range []string{"127.0.0.1", "::1"} {
		t.Run(loop, func(t *testing.T) {
			addr := netip.MustParseAddr(loop)
			r := freeRange(t, 600)
			want := listenOn(t, addr, r, 12, "", net.Listen)
			ports := netaddr.NewPortList(r)
			engines := map[string]scan.DialFunc{"default": nil, "net.Dialer": scan.DialWith(&net.Dialer{})}
			for name, dial := range engines {
				var mu sync.Mutex
				var streamed []netaddr.Port
				hosts := 0
				res, err := scan.Run(context.Background(), scan.Options{
					Targets: []netaddr.Target{target(t, loop)}, Ports: ports, Timeout: 2 * time.Second, Dial: dial,
				}, scan.Events{
					OnOpen: func(h *scan.HostResult, p scan.PortResult) {
						mu.Lock()
						defer mu.Unlock()
						if hosts > 0 {
							t.Errorf("%s: OnOpen for port %d after OnHost", name, p.Port)
						}
						streamed = append(streamed, p.Port)
					},
					OnHost: func(h *scan.HostResult) { hosts++ },
				})
				if err != nil {
					t.Fatalf("%s: Run: %v", name, err)
				}
				if len(res.Hosts) != 1 || res.Hosts[0].Addr != addr || !res.Hosts[0].Done {
					t.Fatalf("%s: hosts = %+v, want one finished host %s", name, res.Hosts, addr)
				}
				h := res.Hosts[0]
				if got := openPorts(h); !slices.Equal(got, want) {
					t.Errorf("%s: open = %v, want %v", name, got, want)
				}
				slices.Sort(streamed)
				if !slices.Equal(streamed, want) || hosts != 1 {
					t.Errorf("%s: OnOpen streamed %v and OnHost ran %d times, want %v and once", name, streamed, hosts, want)
				}
				wantCounts := scan.Counts{Open: uint64(len(want)), Closed: uint64(r.Len() - len(want))}
				if h.Counts != wantCounts || res.Counts != wantCounts {
					t.Errorf("%s: counts host %+v total %+v, want %+v", name, h.Counts, res.Counts, wantCounts)
				}
				// Early attempts wait a few round trips (20 ms at least), so
				// a loaded machine may retry a slow one; every probe past one
				// per port is such a retry. The default dialer keeps a timed-out
				// attempt open and takes its late answer, so its retries stay
				// few; net.Dialer abandons it (under two busy loops, 12%).
				few := name != "default" || res.Retries <= uint64(r.Len()/10)
				if res.Probes != uint64(r.Len())+res.Retries || !few || res.Interrupted {
					t.Errorf("%s: probes %d retries %d interrupted %v, want %d + retries, few retries, false", name, res.Probes, res.Retries, res.Interrupted, r.Len())
				}
			}
			nmap := nmapStates(t, "nmap", "-sT", "-n", "-Pn", "-p", r.String(), "-oX", "-", loop6(loop), loop)
			if got := portsIn(nmap, "open"); !slices.Equal(got, want) {
				t.Errorf("nmap -sT finds open %v, netdiag and the listeners say %v", got, want)
			}
			if n := len(portsIn(nmap, "closed")); n != r.Len()-len(want) {
				t.Errorf("nmap finds %d closed, want %d", n, r.Len()-len(want))
			}
		})
	}
}

// loop6 returns nmap's -6 flag for an IPv6 target, else -n again (a no-op).
func loop6(addr string) string {
	if netip.MustParseAddr(addr).Is6() {
		return "-6"
	}
	return "-n"
}

// TestBanner checks that --banner reads a service's greeting and shows it
// safely, and that a silent service has no banner.
func TestBanner(t *testing.T) {
	r := freeRange(t, 50)
	lo := netip.MustParseAddr("127.0.0.1")
	ssh := listenOn(t, lo, r, 1, "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", net.Listen)[0]
	evil := listenOn(t, lo, r, 1, "220 \x1b[31mred\x1b[0m \u202eevil\r\n250 more\r\n", net.Listen)[0]
	silent := listenOn(t, lo, r, 1, "", net.Listen)[0]
	res, err := scan.Run(context.Background(), scan.Options{
		Targets: []netaddr.Target{target(t, "127.0.0.1")},
		Ports:   netaddr.NewPortList(netaddr.PortRange{First: ssh, Last: ssh}, netaddr.PortRange{First: evil, Last: evil}, netaddr.PortRange{First: silent, Last: silent}),
		Banner:  true, BannerTimeout: 300 * time.Millisecond,
	}, scan.Events{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[netaddr.Port]string{
		ssh:    "SSH-2.0-OpenSSH_9.2p1 Debian-2",
		evil:   `220 \x1b[31mred\x1b[0m \u202eevil…`,
		silent: "",
	}
	if len(res.Hosts) != 1 || len(res.Hosts[0].Ports) != 3 {
		t.Fatalf("want 3 open ports, got %+v", res.Hosts)
	}
	for _, p := range res.Hosts[0].Ports {
		if p.Banner != want[p.Port] {
			t.Errorf("port %d banner %q, want %q", p.Port, p.Banner, want[p.Port])
		}
	}
}

// slowDial delays every attempt of a real dialer, so a loopback scan takes
// long enough to interrupt.
func slowDial(d time.Duration) scan.DialFunc {
	real := scan.DialWith(&net.Dialer{})
	return func(ctx context.Context, ap netip.AddrPort, timeout time.Duration) (net.Conn, error) {
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return real(ctx, ap, timeout)
	}
}

// TestInterrupt cancels a scan midway: it must return with what it found,
// marked interrupted, and leave no goroutine behind. The first ten ports
// are open and probed for real; the tenth found cancels the scan, and a
// probe of any later port waits for the cancellation, so exactly those ten
// have their answer, however the goroutines are scheduled.
func TestInterrupt(t *testing.T) {
	r := freeRange(t, 2000)
	var open []netaddr.Port
	for p := r.First; p < r.First+10; p++ {
		ln, err := net.Listen("tcp", netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(p)).String())
		if err != nil {
			t.Fatal(err)
		}
		serve(t, ln, "")
		open = append(open, p)
	}
	before := runtime.NumGoroutine() // the listeners' accept loops included
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	real := scan.DialWith(&net.Dialer{})
	dial := func(ctx context.Context, ap netip.AddrPort, timeout time.Duration) (net.Conn, error) {
		if netaddr.Port(ap.Port()) < r.First+10 {
			return real(ctx, ap, timeout)
		}
		<-ctx.Done()
		return nil, ctx.Err()
	}
	found := 0
	res, err := scan.Run(ctx, scan.Options{
		Targets: []netaddr.Target{target(t, "127.0.0.1")}, Ports: netaddr.NewPortList(r),
		Concurrency: 8, Timeout: time.Minute, Dial: dial,
	}, scan.Events{OnOpen: func(*scan.HostResult, scan.PortResult) {
		if found++; found == len(open) {
			cancel()
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Interrupted || res.Counts.Total() != 10 {
		t.Fatalf("interrupted %v with %d of %d ports done, want an interrupted scan with 10 done", res.Interrupted, res.Counts.Total(), r.Len())
	}
	if len(res.Hosts) != 1 || res.Hosts[0].Done || !slices.Equal(openPorts(res.Hosts[0]), open) {
		t.Errorf("hosts %+v, want the unfinished host with open ports %v", res.Hosts, open)
	}
	// Run waits for its goroutines; the last of them may still be on its
	// way out. The limit only catches a leak.
	limit := time.Now().Add(time.Minute)
	for runtime.NumGoroutine() > before && time.Now().Before(limit) {
		runtime.Gosched()
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines after Run, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
}

// TestAllLists checks Options.All: closed ports are listed while there are
// at most ListLimit of them, and only counted beyond.
func TestAllLists(t *testing.T) {
	r := freeRange(t, 40)
	lo := netip.MustParseAddr("127.0.0.1")
	open := listenOn(t, lo, r, 2, "", net.Listen)
	for _, tc := range []struct {
		ports      netaddr.PortRange
		wantListed int
	}{
		{netaddr.PortRange{First: r.First, Last: r.First + 9}, 10},
		{r, len(open)},
	} {
		res, err := scan.Run(context.Background(), scan.Options{
			Targets: []netaddr.Target{target(t, "127.0.0.1")}, Ports: netaddr.NewPortList(tc.ports), All: true,
		}, scan.Events{})
		if err != nil {
			t.Fatal(err)
		}
		h := res.Hosts[0]
		wantOpen := 0
		for _, p := range open {
			if p >= tc.ports.First && p <= tc.ports.Last {
				wantOpen++
			}
		}
		listed := wantOpen
		if tc.ports.Len()-wantOpen <= scan.ListLimit {
			listed = tc.ports.Len()
		}
		if len(h.Ports) != listed || h.Listed(scan.Closed) != (listed == tc.ports.Len()) {
			t.Errorf("%v: %d ports listed (closed listed: %v), want %d", tc.ports, len(h.Ports), h.Listed(scan.Closed), listed)
		}
		for i, p := range h.Ports {
			if i > 0 && p.Port <= h.Ports[i-1].Port {
				t.Errorf("ports not in order: %d after %d", p.Port, h.Ports[i-1].Port)
			}
			if p.State == scan.Closed && p.Reason != scan.ReasonConnRefused {
				t.Errorf("closed port %d has reason %q", p.Port, p.Reason)
			}
		}
	}
}

// TestErrors checks the errors that stop a scan before it starts.
func TestErrors(t *testing.T) {
	noDNS := &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {
		t.Error("the resolver was asked; names under .invalid must fail without DNS")
		return nil, errors.New("no DNS in this test")
	}}
	lo := []netaddr.Target{target(t, "127.0.0.1")}
	for _, tc := range []struct {
		name  string
		opt   scan.Options
		check func(error) bool
	}{
		{"no targets", scan.Options{}, isOptionError},
		{"port 0", scan.Options{Targets: lo, Ports: mustPorts(t, "0-10")}, isOptionError},
		{"negative timeout", scan.Options{Targets: lo, Timeout: -time.Second}, isOptionError},
		{"a /8", scan.Options{Targets: []netaddr.Target{target(t, "10.0.0.0/8")}, Ports: mustPorts(t, "22")}, isTooLarge},
		{"a /16 with all ports", scan.Options{Targets: []netaddr.Target{target(t, "10.1.0.0/16")}, Ports: mustPorts(t, "-")}, isTooLarge},
		{".invalid", scan.Options{Targets: []netaddr.Target{target(t, "no-such-host.invalid")}, Resolver: noDNS}, isResolveError},
		{"IPv6 literal with -4", scan.Options{Targets: []netaddr.Target{target(t, "::1")}, Family: netaddr.IPv4}, isResolveError},
		{"IPv4 prefix with -6", scan.Options{Targets: []netaddr.Target{target(t, "127.0.0.0/30")}, Family: netaddr.IPv6}, isResolveError},
	} {
		res, err := scan.Run(context.Background(), tc.opt, scan.Events{})
		if !tc.check(err) {
			t.Errorf("%s: err = %v (%T)", tc.name, err, err)
		}
		if res.Probes != 0 {
			t.Errorf("%s: %d probes sent before the error", tc.name, res.Probes)
		}
	}
}

func isOptionError(err error) bool {
	var e *scan.OptionError
	return errors.As(err, &e)
}

func isTooLarge(err error) bool {
	var e *scan.TooLargeError
	return errors.As(err, &e)
}

func isResolveError(err error) bool {
	var e *netaddr.ResolveError
	return errors.As(err, &e)
}

func mustPorts(t *testing.T, s string) netaddr.PortList {
	t.Helper()
	l, err := netaddr.ParsePortList(s)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestDefaultPorts checks the default set: 1-1024 and the named registered
// ports, nothing else.
func TestDefaultPorts(t *testing.T) {
	d := scan.DefaultPorts()
	for _, p := range []netaddr.Port{1, 22, 80, 1024, 3306, 5432} {
		if !d.Contains(p) {
			t.Errorf("default ports lack %d", p)
		}
	}
	for p := range d.All() {
		if p > 1024 && netaddr.ServiceName(p, "tcp") == "" {
			t.Errorf("default port %d has no service name", p)
		}
	}
	if d.Contains(0) || d.Len() <= 1024 || d.Len() > 1024+len(netaddr.NamedPorts("tcp")) {
		t.Errorf("default list has %d ports", d.Len())
	}
}

// TestSweep scans 127.0.0.0/29 (six loopback addresses): one listener on
// 127.0.0.3 only must show on that host only, and OnHost and Result.Hosts
// must list the hosts in address order.
func TestSweep(t *testing.T) {
	r := freeRange(t, 100)
	want := listenOn(t, netip.MustParseAddr("127.0.0.3"), r, 2, "", net.Listen)
	var order []netip.Addr
	res, err := scan.Run(context.Background(), scan.Options{
		Targets: []netaddr.Target{target(t, "127.0.0.0/29")}, Ports: netaddr.NewPortList(r), All: true,
	}, scan.Events{OnHost: func(h *scan.HostResult) { order = append(order, h.Addr) }})
	if err != nil {
		t.Fatal(err)
	}
	var addrs []netip.Addr
	for a := netip.MustParseAddr("127.0.0.1"); a != netip.MustParseAddr("127.0.0.7"); a = a.Next() {
		addrs = append(addrs, a)
	}
	if !slices.Equal(order, addrs) || len(res.Hosts) != len(addrs) || res.HostsScanned != uint64(len(addrs)) {
		t.Fatalf("OnHost order %v, %d hosts in the result (%d scanned), want %v", order, len(res.Hosts), res.HostsScanned, addrs)
	}
	for i, h := range res.Hosts {
		var wantOpen []netaddr.Port
		if h.Addr == netip.MustParseAddr("127.0.0.3") {
			wantOpen = want
		}
		if h.Addr != addrs[i] || h.Target != "127.0.0.0/29" || !h.Done || !slices.Equal(openPorts(h), wantOpen) {
			t.Errorf("host %d: %s (target %q, done %v) open %v, want %s open %v", i, h.Addr, h.Target, h.Done, openPorts(h), addrs[i], wantOpen)
		}
	}
}

// TestRate checks --rate: the scan keeps to it (no faster, and not much
// slower: workers are woken on time), alone and together with a small
// window of slow probes.
func TestRate(t *testing.T) {
	r := freeRange(t, 400)
	for _, tc := range []struct {
		name        string
		rate        float64
		concurrency int
		dial        scan.DialFunc
	}{
		{"rate only", 1000, 0, nil},
		{"rate and a window of slow probes", 500, 3, slowDial(5 * time.Millisecond)},
	} {
		start := time.Now()
		res, err := scan.Run(context.Background(), scan.Options{
			Targets: []netaddr.Target{target(t, "127.0.0.1")}, Ports: netaddr.NewPortList(r),
			Rate: tc.rate, Concurrency: tc.concurrency, Dial: tc.dial,
		}, scan.Events{})
		el := time.Since(start)
		want := time.Duration(float64(r.Len()) / tc.rate * float64(time.Second))
		if err != nil || res.Counts.Closed != uint64(r.Len()) {
			t.Fatalf("%s: %v, counts %+v", tc.name, err, res.Counts)
		}
		if el < want*9/10 || el > want*2+time.Second {
			t.Errorf("%s: %d probes at %v/s took %v, want about %v", tc.name, r.Len(), tc.rate, el, want)
		}
	}
}
