//go:build !linux

package ifaces

import "context"

// Neighbours reads the kernel's neighbour table; on this system netdiag
// cannot, and the error wraps ErrNotAvailable.
func Neighbours(ctx context.Context) (NeighbourTable, error) {
	return nil, ErrNotAvailable
}
