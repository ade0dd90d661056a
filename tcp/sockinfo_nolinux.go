//go:build unix && !linux

package tcp

import (
	"fmt"
	"runtime"
)

// tcpInfo: TCP_INFO is Linux's.
func tcpInfo(uintptr) (*TCPInfo, error) {
	return nil, fmt.Errorf("TCP_INFO is not available on %s", runtime.GOOS)
}
