//go:build !linux

package ifaces

import "context"

// gather reads interfaces through the portable net.Interfaces: counters and
// default routes are not available on this system.
func gather(ctx context.Context) (*Result, error) { return gatherStd(ctx) }
