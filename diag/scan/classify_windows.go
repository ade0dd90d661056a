package scan

import (
	"syscall"

	"golang.org/x/sys/windows"
)

// classifyErrno maps a Winsock connect error to an outcome; false for
// errors that say nothing about the port.
func classifyErrno(e syscall.Errno) (outcome, bool) {
	switch e {
	case windows.WSAECONNREFUSED:
		return closedBy(ReasonConnRefused), true
	case windows.WSAEHOSTUNREACH:
		return filteredBy(ReasonHostUnreach), true
	case windows.WSAENETUNREACH:
		return filteredBy(ReasonNetUnreach), true
	case windows.WSAEACCES:
		return filteredBy(ReasonAdminProhibited), true
	case windows.WSAETIMEDOUT:
		return outcome{kind: timedOut}, true
	case windows.WSAEMFILE, windows.WSAENOBUFS, windows.WSAEADDRNOTAVAIL, windows.WSAEWOULDBLOCK:
		return outcome{kind: shortage}, true
	}
	return outcome{}, false
}
