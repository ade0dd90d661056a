package testnet

import (
	"testing"
	"time"
)

// Nft loads an nftables ruleset (nft -f syntax) into namespace ns and fails
// the test if nft refuses it. The rules go with the namespace when the test
// removes it.
func Nft(t testing.TB, ns, rules string) {
	t.Helper()
	RequireTools(t, "nft")
	argv := InNetns(ns, "nft", "-f", "-")
	if r := Run(t, 10*time.Second, rules, argv[0], argv[1:]...); r.Code != 0 {
		t.Fatalf("nft in %s: %s", ns, r.Stderr)
	}
}
