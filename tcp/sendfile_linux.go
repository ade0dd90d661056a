package tcp

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"

	"golang.org/x/sys/unix"
)

// mapChunk is how much of a file sendFile maps and writes at a time: big
// enough that a write fills the socket buffer many times over, small
// enough that the mapping's pages stay a few MB of RSS.
const mapChunk = 16 << 20

// sendFile writes f, from its offset to its end, to c and returns how many
// bytes it wrote. A regular file is mapped a chunk at a time
// (MAP_POPULATE: its pages are mapped in one go, without a fault each) and
// written from the mapping. That is one copy into the socket, as iperf3
// writes from its buffer; sendfile(2) copies nothing but takes a page
// reference per 4 KiB, which over loopback is the slower of the two
// (bench/tcp.sh). Only the kernel reads the mapping, inside write, so a
// file that shrinks meanwhile makes the write fail (EFAULT), never raises
// SIGBUS. What is not a regular file (a pipe, a device), or cannot be
// mapped, goes through io.Copy, and so does whatever the file grew by
// while it was sent.
func sendFile(c net.Conn, f *os.File) (int64, error) {
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return io.Copy(c, f)
	}
	off, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return io.Copy(c, f)
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return io.Copy(c, f)
	}
	page := int64(os.Getpagesize())
	var total int64
	for off < st.Size() {
		base := off &^ (page - 1) // mmap takes page-aligned offsets
		size := min(mapChunk, st.Size()-base)
		var m []byte
		var merr error
		if err := rc.Control(func(fd uintptr) {
			m, merr = unix.Mmap(int(fd), base, int(size), unix.PROT_READ, unix.MAP_SHARED|unix.MAP_POPULATE)
		}); err != nil || merr != nil {
			break // the rest goes through io.Copy
		}
		n, err := c.Write(m[off-base:])
		unix.Munmap(m)
		total += int64(n)
		off += int64(n)
		if err != nil {
			if errors.Is(err, unix.EFAULT) {
				return total, fmt.Errorf("%s shrank while it was sent, after %d bytes", f.Name(), total)
			}
			return total, err
		}
	}
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		return total, err
	}
	n, err := io.Copy(c, f)
	return total + n, err
}
