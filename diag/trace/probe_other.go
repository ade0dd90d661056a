//go:build !linux

package trace

import (
	"errors"
	"net/netip"
)

// errLinuxOnly is why UDP and TCP probes are refused outside Linux: they
// read ICMP errors from the socket's error queue (IP_RECVERR).
var errLinuxOnly = errors.New("UDP and TCP probes work on Linux only (they read ICMP errors from the socket's error queue); use ICMP probes")

func newUDPProber(Options, netip.Addr, func(reply)) (prober, error) { return nil, errLinuxOnly }

func newTCPProber(Options, netip.Addr, func(reply)) (prober, error) { return nil, errLinuxOnly }
