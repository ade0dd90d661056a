//go:build !unix

package tcp

import (
	"fmt"
	"runtime"
)

// readSockopts is not implemented outside Unix.
func readSockopts(uintptr, *SocketInfo) error {
	return fmt.Errorf("socket options are not available on %s", runtime.GOOS)
}
