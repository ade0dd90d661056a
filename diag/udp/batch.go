package udp

import "net/netip"

// inbox holds the datagrams one read takes from a socket: several at once
// where the system can (recvmmsg on Linux), else one.
type inbox struct {
	bufs  [][]byte
	n     []int            // the bytes of each datagram read
	trunc []bool           // it was longer than its buffer
	src   []netip.AddrPort // its source
	sys   inboxSys
}

// newInbox returns an inbox of count buffers of size bytes.
func newInbox(count, size int) *inbox {
	in := &inbox{bufs: make([][]byte, count), n: make([]int, count), trunc: make([]bool, count), src: make([]netip.AddrPort, count)}
	slab := make([]byte, count*size)
	for i := range in.bufs {
		in.bufs[i] = slab[i*size : (i+1)*size : (i+1)*size]
	}
	in.sys.init(in)
	return in
}

// recvBatch is how many datagrams one read takes at most. Its buffers
// are one allocation the system hands out untouched: small datagrams
// touch only the start of each buffer, so 64 of 65,536 bytes cost little
// memory.
const recvBatch = 64

// datagram returns datagram i of the last read.
func (in *inbox) datagram(i int) []byte { return in.bufs[i][:in.n[i]] }

// A client sends a --file sendBatch datagrams at a time, or with
// segmentation offload segBatch messages of several datagrams each.
const (
	sendBatch = 64
	segBatch  = 16
)

// maxSegments is the most datagrams the kernel cuts one message into
// (UDP_MAX_SEGMENTS).
const maxSegments = 64

// recvBuffer is the receive buffer servers and clients ask for: 4 MiB
// hold a burst of some 5,000 small datagrams (the kernel counts about
// 800 bytes of each) while the reader is away.
const recvBuffer = 4 << 20
