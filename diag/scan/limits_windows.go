package scan

// fdLimit returns 0: Windows has no per-process socket limit like ulimit -n.
func fdLimit() uint64 { return 0 }
