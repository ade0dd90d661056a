package testnet

import (
	"io"
	"net"
	"testing"
)

// ListenInNetns opens a listener (net.Listen(network, address)) inside
// network namespace ns, from a test running in the root namespace: the
// socket is created on an OS thread switched into ns and stays there,
// while the returned net.Listener works from any goroutine. The listener is
// closed when the test ends. Use it to put servers in a namespace made by
// Netns without running a helper process there.
func ListenInNetns(t testing.TB, ns, network, address string) net.Listener {
	t.Helper()
	return listenIn(t, ns, network, address, net.Listen)
}

// ListenPacketInNetns is ListenInNetns for datagram sockets
// (net.ListenPacket): a UDP server in namespace ns, served from any
// goroutine of the test. The socket is closed when the test ends.
func ListenPacketInNetns(t testing.TB, ns, network, address string) net.PacketConn {
	t.Helper()
	return listenIn(t, ns, network, address, net.ListenPacket)
}

// listenIn calls listen in namespace ns and closes what it opened when the
// test ends.
func listenIn[L io.Closer](t testing.TB, ns, network, address string, listen func(network, address string) (L, error)) L {
	t.Helper()
	var l L
	err := DoInNetns(t, ns, func() (err error) {
		l, err = listen(network, address)
		return err
	})
	if err != nil {
		t.Fatalf("listening on %s %s in namespace %s: %v", network, address, ns, err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}
