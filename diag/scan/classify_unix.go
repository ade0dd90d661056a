//go:build unix

package scan

import "syscall"

// classifyErrno maps a connect errno to an outcome; false for errors that
// say nothing about the port.
func classifyErrno(e syscall.Errno) (outcome, bool) {
	switch e {
	case syscall.ECONNREFUSED:
		return closedBy(ReasonConnRefused), true
	case syscall.EHOSTUNREACH:
		return filteredBy(ReasonHostUnreach), true
	case syscall.ENETUNREACH:
		return filteredBy(ReasonNetUnreach), true
	case syscall.EACCES:
		return filteredBy(ReasonAdminProhibited), true
	case syscall.EPERM:
		return filteredBy(ReasonLocalFirewall), true
	case syscall.ENOPROTOOPT:
		return filteredBy(ReasonProtoUnreach), true
	case syscall.EHOSTDOWN:
		return filteredBy(ReasonHostDown), true
	case syscall.ETIMEDOUT:
		return outcome{kind: timedOut}, true
	case syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM,
		syscall.EADDRNOTAVAIL, syscall.EAGAIN, syscall.EINTR:
		return outcome{kind: shortage}, true
	}
	return outcome{}, false
}
