package tcp

import (
	"net"
	"syscall"
)

// socketInfo reads what --info shows about c: its addresses, SO_SNDBUF and
// SO_RCVBUF, and TCP_INFO where the OS has it. Whatever cannot be read is
// said in the Error field.
func socketInfo(c net.Conn) *SocketInfo {
	info := &SocketInfo{Local: c.LocalAddr().String(), Remote: c.RemoteAddr().String()}
	sc, ok := c.(syscall.Conn)
	if !ok {
		info.Error = "not a system socket"
		return info
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		info.Error = err.Error()
		return info
	}
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = readSockopts(fd, info) }); err != nil {
		serr = err
	}
	if serr != nil {
		info.Error = serr.Error()
	}
	return info
}
