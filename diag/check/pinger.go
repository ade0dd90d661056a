package check

import (
	"context"
	"net"
	"net/netip"
	"os"
	"time"

	probing "github.com/prometheus-community/pro-bing"
)

// defaultPinger pings with pro-bing directly.
//
// TODO(check): replace with the ping package's probe API once it is on
// main; this adapter is the only ICMP code in check and goes away then.
func defaultPinger(ctx context.Context, addr netip.Addr, count int, interval time.Duration) (Echo, error) {
	p := probing.New("")
	p.SetLogger(probing.NoopLogger{})
	p.SetIPAddr(&net.IPAddr{IP: addr.AsSlice(), Zone: addr.Zone()})
	p.SetPrivileged(os.Geteuid() == 0)
	p.Count, p.Interval = count, interval
	if d, ok := ctx.Deadline(); ok {
		p.Timeout = time.Until(d)
	}
	err := p.RunWithContext(ctx)
	st := p.Statistics()
	echo := Echo{Sent: st.PacketsSent, Received: st.PacketsRecv, RTT: st.AvgRtt}
	if ctx.Err() != nil && err == ctx.Err() {
		err = nil
	}
	return echo, err
}
