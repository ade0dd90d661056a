package ifaces

import (
	"context"
	"encoding/json"
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
		return runJSON(t, bin, "")
	})
	for _, d := range compareWithIP(res, before, after) {
		t.Error(d)
	}
}

// runJSON runs "netdiag ifaces --json args..." (inside ns unless "") and
// decodes its one line of output.
func runJSON(t *testing.T, bin, ns string, args ...string) *Result {
	t.Helper()
	argv := append([]string{bin, "ifaces", "--json"}, args...)
	if ns != "" {
		argv = testnet.InNetns(ns, argv...)
	}
	r := testnet.Run(t, 20*time.Second, "", argv[0], argv[1:]...)
	if r.Code != 0 {
		t.Fatalf("%s: exit %d\n%s", strings.Join(argv, " "), r.Code, r.Stderr)
	}
	if strings.Count(r.Stdout, "\n") != 1 {
		t.Fatalf("--json printed %d lines, want one object on one line:\n%s", strings.Count(r.Stdout, "\n"), r.Stdout)
	}
	var res Result
	dec := json.NewDecoder(strings.NewReader(r.Stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&res); err != nil {
		t.Fatalf("decoding %s: %v", r.Stdout, err)
	}
	return &res
}
