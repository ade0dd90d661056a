package ifaces

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"netdiag/internal/testnet"
)

// gatherBetweenSnapshots takes an iproute2 snapshot, runs gather, takes
// another, and retries (other tests add and remove interfaces on this
// machine) until nothing changed in between. ns is the namespace to look
// into ("" for the test's own).
func gatherBetweenSnapshots(t *testing.T, ns string, gather func() *Result) (res *Result, before, after ipSnapshot) {
	t.Helper()
	for attempt := 1; attempt <= 10; attempt++ {
		before = takeIPSnapshot(t, ns)
		res = gather()
		after = takeIPSnapshot(t, ns)
		if before.stable(after) {
			return res, before, after
		}
		t.Logf("attempt %d: interfaces changed while comparing; retrying", attempt)
	}
	t.Fatalf("interfaces kept changing during 10 attempts; cannot compare with ip")
	return nil, before, after
}

// TestOracleGather compares Gather with ip -j addr / -s link / route on
// this machine: same interfaces, flags, MTU, MAC, link type, state,
// addresses with prefix lengths, scopes, broadcast, flags and lifetimes,
// counters (between two ip snapshots) and the same default gateways.
func TestOracleGather(t *testing.T) {
	testnet.RequireTools(t, "ip")
	res, before, after := gatherBetweenSnapshots(t, "", func() *Result {
		res, err := Gather(context.Background(), Options{})
		if err != nil {
			t.Fatal(err)
		}
		return res
	})
	if len(res.Interfaces) == 0 {
		t.Fatal("no interfaces at all; there is always a loopback")
	}
	for _, d := range compareWithIP(res, before, after) {
		t.Error(d)
	}
}

// TestOracleBinary does the same through the netdiag binary's --json output.
func TestOracleBinary(t *testing.T) {
	testnet.RequireTools(t, "ip")
	bin := testnet.Binary(t)
	res, before, after := gatherBetweenSnapshots(t, "", func() *Result {
		return runJSON(t, "", []string{bin})
	})
	for _, d := range compareWithIP(res, before, after) {
		t.Error(d)
	}
}

// runIfaces runs cmd ("netdiag" or a wrapper ending in it) with "ifaces"
// and args, inside namespace ns unless it is "".
func runIfaces(t *testing.T, ns string, cmd []string, args ...string) testnet.Result {
	t.Helper()
	argv := append(append(slices.Clone(cmd), "ifaces"), args...)
	if ns != "" {
		argv = testnet.InNetns(ns, argv...)
	}
	return testnet.Run(t, 20*time.Second, "", argv[0], argv[1:]...)
}

// runJSON runs "netdiag ifaces --json args..." and decodes its one line of
// output, requiring exit 0 and no unknown fields.
func runJSON(t *testing.T, ns string, cmd []string, args ...string) *Result {
	t.Helper()
	r := runIfaces(t, ns, cmd, append([]string{"--json"}, args...)...)
	if r.Code != 0 {
		t.Fatalf("ifaces --json %v: exit %d\n%s", args, r.Code, r.Stderr)
	}
	return decodeJSON(t, r.Stdout)
}

func decodeJSON(t *testing.T, out string) *Result {
	t.Helper()
	if strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, "\n") {
		t.Fatalf("--json printed %d lines, want one object on one line:\n%s", strings.Count(out, "\n"), out)
	}
	var line struct {
		Type string `json:"type"`
		Result
	}
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&line); err != nil {
		t.Fatalf("decoding %s: %v", out, err)
	}
	if line.Type != "ifaces" {
		t.Fatalf(`--json line's type is %q, want "ifaces": %s`, line.Type, out)
	}
	return &line.Result
}

// TestGatherCancelled checks that a cancelled context stops Gather before
// it waits on the kernel.
func TestGatherCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if res, err := Gather(ctx, Options{}); !errors.Is(err, context.Canceled) || res != nil {
		t.Errorf("Gather with a cancelled context = %v, %v; want context.Canceled", res, err)
	}
	if _, err := DefaultRoutes(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("DefaultRoutes with a cancelled context: %v", err)
	}
}
