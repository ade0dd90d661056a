package tcp

import (
	"errors"
	"fmt"
	"time"

	"golang.org/x/sys/unix"
)

// readSockopts reads SO_SNDBUF, SO_RCVBUF and TCP_INFO (tcp(7)).
func readSockopts(fd uintptr, info *SocketInfo) error {
	var errs []error
	var err error
	if info.SndBuf, err = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_SNDBUF); err != nil {
		errs = append(errs, fmt.Errorf("SO_SNDBUF: %w", err))
	}
	if info.RcvBuf, err = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF); err != nil {
		errs = append(errs, fmt.Errorf("SO_RCVBUF: %w", err))
	}
	ti, err := unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO)
	if err != nil {
		return errors.Join(append(errs, fmt.Errorf("TCP_INFO: %w", err))...)
	}
	info.TCP = &TCPInfo{
		State:        tcpStateName(ti.State),
		RTT:          Seconds(time.Duration(ti.Rtt) * time.Microsecond),
		RTTVar:       Seconds(time.Duration(ti.Rttvar) * time.Microsecond),
		SndCwnd:      ti.Snd_cwnd,
		SndMSS:       ti.Snd_mss,
		RcvMSS:       ti.Rcv_mss,
		Retransmits:  ti.Retransmits,
		TotalRetrans: ti.Total_retrans,
		Lost:         ti.Lost,
	}
	return errors.Join(errs...)
}

// tcpStateName names a TCP state as ss(8) does (include/net/tcp_states.h).
func tcpStateName(s uint8) string {
	names := []string{1: "ESTAB", "SYN-SENT", "SYN-RECV", "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT",
		"UNCONN", "CLOSE-WAIT", "LAST-ACK", "LISTEN", "CLOSING"}
	if int(s) < len(names) && names[s] != "" {
		return names[s]
	}
	return fmt.Sprintf("state %d", s)
}
