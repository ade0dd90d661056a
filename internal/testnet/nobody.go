package testnet

import (
	"os"
	"path/filepath"
	"testing"
)

// PublicDir returns a directory every user may read and enter, removed
// when the test ends: for files a test run as nobody must read.
func PublicDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "netdiag-public-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// PublicBinary returns a copy of the netdiag binary (Binary) that every
// user may run, for tests that drop privileges (AsNobody).
func PublicBinary(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(Binary(t))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(PublicDir(t), "netdiag")
	if err := os.WriteFile(p, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// AsNobody returns the argv that runs argv as user and group 65534
// (nobody) with no other groups, through setpriv(1).
func AsNobody(argv ...string) []string {
	return append([]string{"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"}, argv...)
}
