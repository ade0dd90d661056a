package ifaces

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"golang.org/x/sys/unix"
)

// dumpAttempts bounds the retries when the kernel reports that a dump was
// interrupted by a concurrent change (an interface or address coming or
// going while netdiag reads).
const dumpAttempts = 3

// gather reads links (with IFLA_STATS64 counters), addresses and routes from
// the kernel over one NETLINK_ROUTE socket.
func gather(ctx context.Context) (*Result, error) {
	c, err := dialNetlink()
	if err != nil {
		return nil, err
	}
	defer c.Close()
	for attempt := 1; ; attempt++ {
		res, err := gatherOnce(ctx, c)
		if errors.Is(err, errDumpInterrupted) && attempt < dumpAttempts {
			continue
		}
		return res, err
	}
}

func gatherOnce(ctx context.Context, c *nlConn) (*Result, error) {
	var links []linkInfo
	// struct ifinfomsg, struct ifaddrmsg and struct rtmsg with family
	// AF_UNSPEC: every family.
	err := c.dump(ctx, unix.RTM_GETLINK, make([]byte, unix.SizeofIfInfomsg), func(b []byte) error {
		l, err := parseLink(b)
		links = append(links, l)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reading interfaces: %w", err)
	}
	slices.SortFunc(links, func(a, b linkInfo) int { return a.Index - b.Index })
	res := &Result{Interfaces: make([]Interface, len(links)), DefaultRoutes: []Route{}}
	byIndex := make(map[int]*Interface, len(links))
	for i, l := range links {
		res.Interfaces[i] = l.Interface
		byIndex[l.Index] = &res.Interfaces[i]
	}
	for i, l := range links {
		if m := byIndex[l.masterIndex]; m != nil && l.masterIndex != 0 {
			res.Interfaces[i].Master = m.Name
		}
	}

	err = c.dump(ctx, unix.RTM_GETADDR, make([]byte, unix.SizeofIfAddrmsg), func(b []byte) error {
		index, a, ok, err := parseAddr(b)
		if err != nil || !ok {
			return err
		}
		ifc := byIndex[index]
		if ifc == nil {
			return nil // the interface appeared after the link dump
		}
		if a.Label == ifc.Name {
			a.Label = ""
		}
		ifc.Addresses = append(ifc.Addresses, a)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading addresses: %w", err)
	}

	// Ask for unicast routes of the main table only; kernels that filter
	// dumps (strict checking, Linux 4.20+) then skip the local table's
	// routes, and parseRoute filters again for older ones.
	rtm := make([]byte, unix.SizeofRtMsg)
	rtm[4], rtm[7] = unix.RT_TABLE_MAIN, unix.RTN_UNICAST
	err = c.dump(ctx, unix.RTM_GETROUTE, rtm, func(b []byte) error {
		routes, err := parseRoute(b)
		for _, r := range routes {
			if ifc := byIndex[r.Index]; ifc != nil {
				r.Interface = ifc.Name
			}
			res.DefaultRoutes = append(res.DefaultRoutes, r)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reading routes: %w", err)
	}
	return res, nil
}
