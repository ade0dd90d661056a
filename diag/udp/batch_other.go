//go:build !linux

package udp

import "net"

// inboxSys: outside Linux an inbox reads one datagram at a time.
type inboxSys struct{}

func (*inboxSys) init(*inbox) {}

// read waits for a datagram on c (honouring its read deadline);
// truncation is detected on Linux only.
func (in *inbox) read(c *net.UDPConn) (int, error) {
	n, _, _, src, err := c.ReadMsgUDPAddrPort(in.bufs[0], nil)
	if err != nil {
		return 0, err
	}
	in.n[0], in.trunc[0], in.src[0] = n, false, src
	return 1, nil
}

// drain: queued datagrams are taken on Linux only.
func (in *inbox) drain(*net.UDPConn) (int, error) { return 0, nil }

// outbox sends datagrams one at a time outside Linux.
type outbox struct{}

// send writes the datagrams to c, a connected socket; it returns how many
// went out before an error.
func (*outbox) send(c *net.UDPConn, bufs [][]byte) (int, error) {
	for i, b := range bufs {
		if _, err := c.Write(b); err != nil {
			return i, err
		}
	}
	return len(bufs), nil
}

// segments: segmentation offload is used on Linux only (one datagram to a
// message).
func segments(*net.UDPConn, int, bool) int { return 1 }

// unsegment has nothing to turn off outside Linux.
func unsegment(*net.UDPConn) {}
