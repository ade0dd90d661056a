package ifaces

import (
	"testing"

	"golang.org/x/sys/unix"
)

// FuzzParseMessages feeds arbitrary datagrams to the netlink parsers: they
// must return an error, never panic, and what they accept must be sane.
// The seeds in testdata/fuzz are real kernel messages (links with stats64,
// IPv4/IPv6 addresses with a peer, label and lifetimes, default routes).
func FuzzParseMessages(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		msgs, err := parseMessages(b)
		if err != nil {
			return
		}
		for _, m := range msgs {
			switch m.typ {
			case unix.RTM_NEWLINK:
				l, err := parseLink(m.data)
				if err == nil && (l.Flags == nil || l.Addresses == nil || l.AltNames == nil) {
					t.Errorf("parseLink left nil slices: %+v", l)
				}
			case unix.RTM_NEWADDR:
				_, a, ok, err := parseAddr(m.data)
				if err == nil && ok && (!a.Address.IsValid() || a.PrefixLen > a.Address.BitLen() || a.Family != familyOf(a.Address)) {
					t.Errorf("parseAddr accepted %+v", a)
				}
			case unix.RTM_NEWROUTE:
				routes, err := parseRoute(m.data)
				for _, r := range routes {
					if err == nil && r.Family != "ipv4" && r.Family != "ipv6" {
						t.Errorf("parseRoute accepted %+v", r)
					}
				}
			}
		}
	})
}
