package ifaces

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"

	"golang.org/x/sys/unix"
)

// inNetns runs fn on an OS thread moved into namespace ns. The thread is
// never returned to the scheduler: it ends with its goroutine.
func inNetns(t *testing.T, ns string, fn func()) {
	t.Helper()
	f, err := os.Open(filepath.Join("/var/run/netns", ns))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	done := make(chan error)
	go func() {
		runtime.LockOSThread() // no Unlock: the thread dies with the goroutine
		if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
			done <- err
			return
		}
		fn()
		done <- nil
	}()
	if err := <-done; err != nil {
		t.Fatalf("setns %s: %v", ns, err)
	}
}

// TestStdMatchesNetlink checks the portable gatherer (what darwin and
// windows use) against the netlink one inside the namespace: same
// interfaces, indexes, MTUs, hardware addresses, portable flags and
// addresses. Where the portable API has less, it must say so (nil counters,
// nil routes, no lifetimes) rather than invent values.
func TestStdMatchesNetlink(t *testing.T) {
	tn := buildTestNet(t)
	var std, nl *Result
	var stdErr, nlErr error
	inNetns(t, tn.ns, func() {
		std, stdErr = gatherStd(context.Background())
		nl, nlErr = gather(context.Background())
	})
	if stdErr != nil || nlErr != nil {
		t.Fatal(stdErr, nlErr)
	}
	if std.DefaultRoutes != nil {
		t.Errorf("portable default routes %v, want nil (not available)", std.DefaultRoutes)
	}
	if len(std.Interfaces) != len(nl.Interfaces) {
		t.Fatalf("portable: %d interfaces, netlink: %d", len(std.Interfaces), len(nl.Interfaces))
	}
	portable := []string{"UP", "BROADCAST", "LOOPBACK", "POINTOPOINT", "RUNNING", "MULTICAST"}
	for i, s := range std.Interfaces {
		n := nl.Interfaces[i]
		wantFlags := slices.DeleteFunc(slices.Clone(n.Flags), func(f string) bool { return !slices.Contains(portable, f) })
		wantMAC := n.HardwareAddr
		if wantMAC == "00:00:00:00:00:00" {
			wantMAC = "" // Go reports an all-zero address as none
		}
		if s.Index != n.Index || s.Name != n.Name || s.MTU != n.MTU || s.HardwareAddr != wantMAC ||
			!slices.Equal(s.Flags, wantFlags) || s.AdminUp != n.AdminUp || s.Carrier != n.Carrier || s.Counters != nil {
			t.Errorf("portable %+v\nnetlink  %+v", s, n)
		}
		if len(s.Addresses) != len(n.Addresses) {
			t.Errorf("%s: portable addresses %v, netlink %v", s.Name, s.Addresses, n.Addresses)
			continue
		}
		for k, sa := range s.Addresses {
			na := n.Addresses[k]
			// The portable API has no peer and no broadcast: a broadcast
			// is computed for IPv4 on broadcast interfaces.
			wantBrd := !na.Peer.IsValid() && na.Address.Is4() && slices.Contains(n.Flags, "BROADCAST") && na.PrefixLen < 31
			if sa.Address != na.Address || sa.PrefixLen != na.PrefixLen || sa.Family != na.Family ||
				sa.Scope != na.Scope || sa.ULA != na.ULA || sa.Broadcast.IsValid() != wantBrd ||
				(na.Broadcast.IsValid() && sa.Broadcast != na.Broadcast) || sa.ValidLifetime != nil {
				t.Errorf("%s: portable %+v\nnetlink %+v", s.Name, sa, na)
			}
		}
	}
	// And both really looked into the namespace.
	if last := std.Interfaces[len(std.Interfaces)-1]; last.Name != "veth2" {
		t.Errorf("the last interface is %s, want the namespace's veth2", last.Name)
	}
}
