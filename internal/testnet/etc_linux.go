package testnet

import (
	"os"
	"path/filepath"
	"testing"
)

// NetnsEtc writes files (name → content: "hosts", "resolv.conf") to
// /etc/netns/NS, which "ip netns exec NS" mounts over the files of /etc of
// the same names, and removes them when the test ends. A resolv.conf
// naming an address inside the test's namespaces keeps every lookup there.
func NetnsEtc(t testing.TB, ns string, files map[string]string) {
	t.Helper()
	dir := filepath.Join("/etc/netns", ns)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
