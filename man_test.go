package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"netdiag/internal/manpage"
	"netdiag/internal/testnet"
)

var update = flag.Bool("update", false, "rewrite docs/man from the command tree")

// TestManPages checks that docs/man holds exactly the pages generated from
// the command tree (go test -run TestManPages -update rewrites them), and
// that mandoc -T lint and groff -ww find nothing to warn about.
func TestManPages(t *testing.T) {
	testnet.RequireTools(t, "mandoc", "groff")
	var buf bytes.Buffer
	pages := manpage.Pages(newApp(&buf, &buf))
	dir := filepath.Join("docs", "man")
	var want []string
	for _, p := range pages {
		want = append(want, p.Name)
		file := filepath.Join(dir, p.Name)
		if *update {
			if err := os.WriteFile(file, p.Text, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := os.ReadFile(file)
		if err != nil || !bytes.Equal(got, p.Text) {
			t.Errorf("%s is stale or missing (%v): run go test -run TestManPages -update", file, err)
			continue
		}
		for _, argv := range [][]string{{"mandoc", "-T", "lint", "-W", "warning", file}, {"groff", "-man", "-ww", "-z", "-Tutf8", file}} {
			res := testnet.Run(t, 30*time.Second, "", argv[0], argv[1:]...)
			if res.Code != 0 || res.Stdout+res.Stderr != "" {
				t.Errorf("%s: exit %d\n%s%s", strings.Join(argv, " "), res.Code, res.Stdout, res.Stderr)
			}
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !slices.Contains(want, e.Name()) {
			t.Errorf("%s: no command has this page any more; remove it", filepath.Join(dir, e.Name()))
		}
	}
	// netdiag man prints the same pages.
	stdout, stderr, code := runApp(t, "man", "tcp", "server")
	if code != 0 || stdout != string(pages[slices.IndexFunc(pages, func(p manpage.Page) bool { return p.Name == "netdiag-tcp-server.1" })].Text) {
		t.Errorf("netdiag man tcp server: code %d, stderr %q", code, stderr)
	}
	if _, stderr, code := runApp(t, "man", "nosuch"); code != 2 || !strings.Contains(stderr, `no page for "nosuch"`) {
		t.Errorf("netdiag man nosuch: code %d, stderr %q", code, stderr)
	}
}
