package ifaces

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Neighbours reads the kernel's neighbour table (ARP and NDP entries of every
// interface) over netlink. It needs no privilege. Where the OS does not let
// netdiag read it, the error wraps ErrNotAvailable.
func Neighbours(ctx context.Context) (NeighbourTable, error) {
	c, err := dialNetlink()
	if err != nil {
		return nil, err
	}
	defer c.Close()
	names := map[int]string{}
	for attempt := 1; ; attempt++ {
		table := NeighbourTable{}
		// struct ndmsg with family AF_UNSPEC: IPv4 and IPv6.
		err = c.dump(ctx, unix.RTM_GETNEIGH, make([]byte, unix.SizeofNdMsg), func(b []byte) error {
			n, ok, err := parseNeighbour(b)
			if ok {
				table = append(table, n)
			}
			return err
		})
		if errors.Is(err, errDumpInterrupted) && attempt < dumpAttempts {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading the neighbour table: %w", err)
		}
		for i := range table {
			n := &table[i]
			if _, ok := names[n.Index]; !ok {
				names[n.Index] = interfaceName(n.Index)
			}
			n.Interface = names[n.Index]
			if n.Address.Is6() && n.Address.IsLinkLocalUnicast() && n.Interface != "" {
				n.Address = n.Address.WithZone(n.Interface)
			}
		}
		return table, nil
	}
}

// interfaceName returns the name of the interface with the given index, or
// "" if it is gone.
func interfaceName(index int) string {
	if ifc, err := net.InterfaceByIndex(index); err == nil {
		return ifc.Name
	}
	return ""
}

// nudStates are the neighbour states in bit order, named as iproute2 names
// them.
var nudStates = []struct {
	bit  uint16
	name string
}{
	{unix.NUD_INCOMPLETE, "INCOMPLETE"}, {unix.NUD_REACHABLE, "REACHABLE"},
	{unix.NUD_STALE, "STALE"}, {unix.NUD_DELAY, "DELAY"}, {unix.NUD_PROBE, "PROBE"},
	{unix.NUD_FAILED, "FAILED"}, {unix.NUD_NOARP, "NOARP"}, {unix.NUD_PERMANENT, "PERMANENT"},
}

// parseNeighbour decodes the payload of an RTM_NEWNEIGH message (struct
// ndmsg and its attributes). ok is false for entries without an IPv4 or IPv6
// address (bridge forwarding entries).
func parseNeighbour(b []byte) (n Neighbour, ok bool, err error) {
	if len(b) < unix.SizeofNdMsg {
		return Neighbour{}, false, fmt.Errorf("short RTM_NEWNEIGH message: %d bytes", len(b))
	}
	family := b[0]
	n.Index = int(int32(binary.NativeEndian.Uint32(b[4:8])))
	state := binary.NativeEndian.Uint16(b[8:10])
	n.Router = b[10]&unix.NTF_ROUTER != 0
	n.Confirmed = -1
	var names []string
	for _, s := range nudStates {
		if state&s.bit != 0 {
			names = append(names, s.name)
		}
	}
	n.State = "NONE"
	if len(names) > 0 {
		n.State = strings.Join(names, ",")
	}
	err = forAttrs(b[unix.SizeofNdMsg:], func(t uint16, val []byte) {
		switch t {
		case unix.NDA_DST:
			n.Address, _ = ipFrom(val)
		case unix.NDA_LLADDR:
			// The link type is unknown here; tunnels' IP-address link
			// layers are not neighbours anyone pings through.
			n.HardwareAddr = hardwareAddr(unix.ARPHRD_ETHER, val)
		case unix.NDA_CACHEINFO:
			// struct nda_cacheinfo: confirmed, used, updated, refcnt, each
			// in clock ticks (USER_HZ, 100 per second) before now.
			if v, ok := u32(val); ok {
				n.Confirmed = time.Duration(v) * 10 * time.Millisecond
			}
		}
	})
	if err != nil {
		return Neighbour{}, false, err
	}
	if (family != unix.AF_INET && family != unix.AF_INET6) || !n.Address.IsValid() {
		return Neighbour{}, false, nil
	}
	return n, true, nil
}
