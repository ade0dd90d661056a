package check

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"strings"
	"time"

	"netdiag/diag/ping"
)

// defaultPinger pings with the ping package's Probe. Each echo request may
// wait for its reply until ctx's deadline, so a slow answer still counts.
func defaultPinger(ctx context.Context, addr netip.Addr, count int, interval time.Duration) (Echo, error) {
	opt := ping.ProbeOptions{Count: count, Interval: interval}
	if d, ok := ctx.Deadline(); ok {
		opt.Timeout = max(time.Until(d), time.Millisecond)
	}
	st, err := ping.Probe(ctx, addr, opt)
	var perr *ping.PermissionError
	if errors.As(err, &perr) {
		return Echo{}, fmt.Errorf("%w: %v", fs.ErrPermission, err)
	}
	echo := Echo{Sent: st.Sent, Received: st.Received, RTT: st.RTTAvg}
	if e := st.LastError; e != nil {
		echo.Unreachable, echo.From = e.Message, e.From
		if e.ICMPType < 0 {
			// A local error ("sendto: network is unreachable"): the
			// system call's name means nothing to the reader.
			echo.Unreachable = e.Message[strings.LastIndex(e.Message, ": ")+1:]
			echo.Unreachable = strings.TrimSpace(echo.Unreachable)
		}
	}
	return echo, err
}
