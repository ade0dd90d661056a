package port

import (
	"strings"
	"testing"

	"netdiag/diag/netaddr"
	"netdiag/diag/sockets"
)

// TestSummaryUnseenOwner: a socket whose process is not visible is
// explained by who looked: "run as root to see it" only for a user who is
// not root.
func TestSummaryUnseenOwner(t *testing.T) {
	opt := Options{Local: true, Lists: []netaddr.PortList{netaddr.NewPortList(netaddr.PortRange{First: 2049, Last: 2049})}}
	info := Describe(2049)
	info.Local = &LocalUse{InUse: true, Sockets: []sockets.Socket{{Proto: "tcp"}}}
	for root, want := range map[bool]string{false: "run as root to see it", true: "the kernel does (NFS, WireGuard)"} {
		lines := strings.Join(summary(opt, Report{Ports: []PortInfo{info}, Asked: 1, InUse: 1, Root: root}), "\n")
		if !strings.Contains(lines, want) || root && strings.Contains(lines, "run as root") {
			t.Errorf("root %v: %q, want %q", root, lines, want)
		}
	}
}
