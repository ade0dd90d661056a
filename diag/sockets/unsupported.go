//go:build !linux

package sockets

import (
	"errors"
	"fmt"
	"runtime"
)

// find is not available outside Linux: netdiag reads sockets from /proc.
func find(func(Socket) bool) ([]Socket, error) {
	return nil, fmt.Errorf("listing sockets is not available on %s (netdiag reads them from Linux's /proc): %w", runtime.GOOS, errors.ErrUnsupported)
}
