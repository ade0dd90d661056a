package ifaces

import (
	"context"
	"encoding/json"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"netdiag/internal/testnet"
)

// TestNeighbours fills the namespace's neighbour table with every kind of
// entry — a peer that answered ARP and NDP (REACHABLE), a static entry
// (PERMANENT) and an address nobody answers for (INCOMPLETE or FAILED) —
// and checks Neighbours against "ip -j neigh", field by field.
func TestNeighbours(t *testing.T) {
	testnet.RequireTools(t, "ping")
	tn := buildTestNet(t)
	in := func(argv ...string) testnet.Result {
		a := testnet.InNetns(tn.ns, argv...)
		return testnet.Run(t, 10*time.Second, "", a[0], a[1:]...)
	}
	for _, peer := range []string{"10.77.0.2", "fd77::2"} {
		if r := in("ping", "-c1", "-W2", peer); r.Code != 0 {
			t.Fatalf("ping %s: %s%s", peer, r.Stdout, r.Stderr)
		}
	}
	testnet.MustRun(t, "ip", "-n", tn.ns, "neigh", "add", "10.77.0.9", "lladdr", "02:00:00:00:0a:09", "dev", "veth0", "nud", "permanent")
	in("ping", "-c1", "-W1", "10.77.0.50") // no one has it: ARP stays unanswered

	var table NeighbourTable
	var err error
	start := time.Now()
	inNetns(t, tn.ns, func() { table, err = Neighbours(context.Background()) })
	if err != nil {
		t.Fatal(err)
	}
	var oracle []struct {
		Dst    string   `json:"dst"`
		Dev    string   `json:"dev"`
		LLAddr string   `json:"lladdr"`
		State  []string `json:"state"`
		Router *any     `json:"router"`
	}
	if err := json.Unmarshal([]byte(testnet.MustRun(t, "ip", "-n", tn.ns, "-j", "neigh", "show", "nud", "all")), &oracle); err != nil {
		t.Fatal(err)
	}
	if len(table) != len(oracle) {
		t.Fatalf("%d neighbours, ip neigh shows %d:\n%+v\n%+v", len(table), len(oracle), table, oracle)
	}
	indexes := tn.indexes(t)
	for _, o := range oracle {
		a := netip.MustParseAddr(o.Dst)
		n, ok := table.Neighbour(a, indexes[o.Dev])
		if !ok {
			t.Errorf("neighbour %s (ip neigh) missing", o.Dst)
			continue
		}
		if n.Interface != o.Dev || n.HardwareAddr != o.LLAddr || n.State != strings.Join(o.State, ",") || n.Router != (o.Router != nil) {
			t.Errorf("neighbour %s = %+v; ip neigh: %+v", o.Dst, n, o)
		}
		if a.IsLinkLocalUnicast() && n.Address.Zone() != o.Dev {
			t.Errorf("link-local neighbour %s has zone %q, want %q", n.Address, n.Address.Zone(), o.Dev)
		}
	}
	want := map[string]func(Neighbour) bool{
		"10.77.0.2": func(n Neighbour) bool {
			return n.Resolved() && n.State == "REACHABLE" && n.HardwareAddr == "02:00:00:00:0a:02" &&
				n.Confirmed >= 0 && n.Confirmed < time.Since(start)+5*time.Second
		},
		"fd77::2":   func(n Neighbour) bool { return n.Resolved() && n.HardwareAddr == "02:00:00:00:0a:02" },
		"10.77.0.9": func(n Neighbour) bool { return n.Resolved() && n.State == "PERMANENT" },
		"10.77.0.50": func(n Neighbour) bool {
			return !n.Resolved() && slices.Contains([]string{"INCOMPLETE", "FAILED"}, n.State)
		},
	}
	for a, ok := range want {
		if n, found := table.Neighbour(netip.MustParseAddr(a), 0); !found || !ok(n) {
			t.Errorf("neighbour %s = %+v (found %v): not as expected", a, n, found)
		}
	}
	if _, found := table.Neighbour(netip.MustParseAddr("10.77.0.2"), indexes["dummy0"]); found {
		t.Error("Neighbour matched on the wrong interface index")
	}
}

// FuzzParseNeighbour feeds arbitrary RTM_NEWNEIGH payloads to the parser:
// it must never panic, and what it accepts has an IP address.
func FuzzParseNeighbour(f *testing.F) {
	f.Add([]byte{2, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 1, 8, 0, 1, 0, 10, 77, 0, 2, 10, 0, 2, 0, 2, 0, 0, 0, 10, 2, 0, 0})
	f.Add([]byte{10, 0, 0, 0, 1, 0, 0, 0, 0x80, 0, 0x80, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		n, ok, err := parseNeighbour(b)
		if ok && (err != nil || !n.Address.IsValid()) {
			t.Fatalf("accepted %+v with error %v", n, err)
		}
	})
}
