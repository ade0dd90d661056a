//go:build !linux

package scan

import "net"

// defaultDialer returns Go's portable dialer where netdiag has no faster
// connect path; it keeps nothing to release.
func defaultDialer() (DialFunc, func()) { return DialWith(&net.Dialer{}), func() {} }
