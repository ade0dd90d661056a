package udp

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"testing"

	"netdiag/diag/netaddr"
)

func TestEchoRoundTrip(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	c, err := Listen(ctx, ListenOptions{Host: netaddr.Host{Addr: netip.MustParseAddr("127.0.0.1")}})
	if err != nil {
		t.Fatal(err)
	}
	port := c.LocalAddr().(*net.UDPAddr).Port
	var wg sync.WaitGroup
	wg.Go(func() { Serve(ctx, c, ServerOptions{Mode: ModeEcho}, func(Event) {}) })
	defer func() { cancel(); wg.Wait() }()
	hp, _ := netaddr.ParseHostPort("127.0.0.1:" + strconv.Itoa(port))
	sum, err := RunClient(ctx, ClientOptions{Target: hp, Send: []byte("hi"), Repeat: 3, Wait: 10e9}, func(Event) {})
	if err != nil || sum.Echo == nil || sum.Echo.Echoed != 3 || sum.Echo.Lost != 0 {
		t.Fatalf("err %v, summary %+v echo %+v", err, sum, sum.Echo)
	}
}

func TestPortClosed(t *testing.T) {
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	port := c.LocalAddr().(*net.UDPAddr).Port
	c.Close()
	hp, _ := netaddr.ParseHostPort("127.0.0.1:" + strconv.Itoa(port))
	_, err = RunClient(context.Background(), ClientOptions{Target: hp, Send: []byte("x"), Repeat: 2, Wait: 1e9}, func(Event) {})
	var pc *PortClosedError
	if !errors.As(err, &pc) {
		t.Fatalf("err = %v, want port closed", err)
	}
}
