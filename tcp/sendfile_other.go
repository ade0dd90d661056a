//go:build !linux

package tcp

import (
	"io"
	"net"
	"os"
)

// sendFile writes f, from its offset to its end, to c and returns how many
// bytes it wrote: io.Copy, which uses the OS's sendfile where Go has one.
func sendFile(c net.Conn, f *os.File) (int64, error) { return io.Copy(c, f) }
