//go:build unix

package scan

import "syscall"

// fdLimit returns the soft open-file limit (ulimit -n); 0 if unknown. The
// Go runtime has already raised the soft limit to the hard one at start-up
// (since Go 1.19), so this is as high as the process can go without root.
func fdLimit() uint64 {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return 0
	}
	return uint64(rl.Cur)
}
