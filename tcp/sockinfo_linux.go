package tcp

import (
	"fmt"
	"time"

	"golang.org/x/sys/unix"

	"netdiag/diag/render"
)

// tcpInfo reads Linux's TCP_INFO (tcp(7)); the syscall package lacks it.
func tcpInfo(fd uintptr) (*TCPInfo, error) {
	ti, err := unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO)
	if err != nil {
		return nil, fmt.Errorf("TCP_INFO: %w", err)
	}
	return &TCPInfo{
		State:        tcpStateName(ti.State),
		RTT:          render.Seconds(time.Duration(ti.Rtt) * time.Microsecond),
		RTTVar:       render.Seconds(time.Duration(ti.Rttvar) * time.Microsecond),
		SndCwnd:      ti.Snd_cwnd,
		SndMSS:       ti.Snd_mss,
		RcvMSS:       ti.Rcv_mss,
		Retransmits:  ti.Retransmits,
		TotalRetrans: ti.Total_retrans,
		Lost:         ti.Lost,
	}, nil
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
