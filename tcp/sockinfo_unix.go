//go:build unix

package tcp

import (
	"errors"
	"fmt"
	"syscall"
)

// readSockopts reads SO_SNDBUF, SO_RCVBUF and, where the OS has it,
// TCP_INFO.
func readSockopts(fd uintptr, info *SocketInfo) error {
	var errs []error
	var err error
	if info.SndBuf, err = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_SNDBUF); err != nil {
		errs = append(errs, fmt.Errorf("SO_SNDBUF: %w", err))
	}
	if info.RcvBuf, err = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF); err != nil {
		errs = append(errs, fmt.Errorf("SO_RCVBUF: %w", err))
	}
	if info.TCP, err = tcpInfo(fd); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
