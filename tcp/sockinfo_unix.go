//go:build unix && !linux

package tcp

import (
	"errors"
	"fmt"
	"runtime"
	"syscall"
)

// readSockopts reads SO_SNDBUF and SO_RCVBUF; TCP_INFO is Linux's.
func readSockopts(fd uintptr, info *SocketInfo) error {
	var errs []error
	var err error
	if info.SndBuf, err = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_SNDBUF); err != nil {
		errs = append(errs, fmt.Errorf("SO_SNDBUF: %w", err))
	}
	if info.RcvBuf, err = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF); err != nil {
		errs = append(errs, fmt.Errorf("SO_RCVBUF: %w", err))
	}
	errs = append(errs, fmt.Errorf("TCP_INFO is not available on %s", runtime.GOOS))
	return errors.Join(errs...)
}
