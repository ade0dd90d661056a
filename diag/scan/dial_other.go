//go:build !linux

package scan

import "net"

// defaultDial returns Go's portable dialer where netdiag has no faster
// connect path.
func defaultDial() DialFunc { return DialWith(&net.Dialer{}) }
