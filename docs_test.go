package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"netdiag/internal/testnet"
)

// docFiles are the Markdown files whose examples and links are checked.
func docFiles(t *testing.T) []string {
	t.Helper()
	files := []string{"README.md"}
	for _, pattern := range []string{"README.*.md", "CONTRIBUTING.md", "docs/*.md", "bench/README.md"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	return files
}

// example is one "$ command" of a console block and the output it shows.
type example struct {
	file    string
	line    int
	command string
	output  string
	fuzzy   bool // "console fuzzy": numbers may differ (times, counters, ports)
}

// examples returns the examples of a Markdown file: every fenced block whose
// info string is "console" (or "console fuzzy") holds commands, each on a
// line starting with "$ ", followed by their output.
func examples(file, text string) []example {
	var out []example
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		info, ok := strings.CutPrefix(lines[i], "```")
		if !ok || !strings.HasPrefix(info, "console") {
			continue
		}
		fuzzy := strings.Contains(info, "fuzzy")
		var cur *example
		for i++; i < len(lines) && lines[i] != "```"; i++ {
			if cmd, ok := strings.CutPrefix(lines[i], "$ "); ok {
				out = append(out, example{file: file, line: i + 1, command: cmd, fuzzy: fuzzy})
				cur = &out[len(out)-1]
				continue
			}
			if cur != nil {
				cur.output += lines[i] + "\n"
			}
		}
	}
	return out
}

// number matches what changes from run to run in fuzzy examples: numbers,
// with their decimals and units of time.
var number = regexp.MustCompile(`[0-9][0-9.,:]*(µs|us|ms|s\b)?`)

// canon prepares output for comparison: trailing blanks go, and in fuzzy
// mode every number is one placeholder.
func canon(s string, fuzzy bool) string {
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		l = strings.TrimRight(l, " ")
		if fuzzy {
			l = number.ReplaceAllString(l, "N")
			l = strings.Join(strings.Fields(l), " ")
		}
		lines = append(lines, l)
	}
	return strings.Join(lines, "\n")
}

// TestDocExamples runs every console example of the docs and compares its
// output with what the docs show. The commands run in bash, with the test's
// netdiag first on PATH, inside a namespace of the test's own (loopback
// only), so an example can never send traffic anywhere else.
func TestDocExamples(t *testing.T) {
	testnet.RequireTools(t, "bash", "ip")
	bin := testnet.Binary(t)
	dir := t.TempDir()
	if err := os.Symlink(bin, filepath.Join(dir, "netdiag")); err != nil {
		t.Fatal(err)
	}
	ns := testnet.Netns(t, "docs")
	n := 0
	for _, file := range docFiles(t) {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, ex := range examples(file, string(b)) {
			n++
			if !strings.HasPrefix(ex.command, "netdiag ") && !strings.Contains(ex.command, "| netdiag ") {
				t.Errorf("%s:%d: %q: an example runs netdiag", ex.file, ex.line, ex.command)
				continue
			}
			argv := testnet.InNetns(ns, "env", "PATH="+dir+":"+os.Getenv("PATH"), "NO_COLOR=1", "TZ=UTC", "bash", "-c", ex.command+" 2>&1")
			cmd := exec.Command(argv[0], argv[1:]...)
			cmd.Dir = t.TempDir()
			done := make(chan struct{})
			var got []byte
			go func() { got, _ = cmd.CombinedOutput(); close(done) }()
			select {
			case <-done:
			case <-time.After(60 * time.Second):
				cmd.Process.Kill()
				<-done
				t.Errorf("%s:%d: %q still running after 60s", ex.file, ex.line, ex.command)
				continue
			}
			if want, have := canon(ex.output, ex.fuzzy), canon(string(got), ex.fuzzy); want != have {
				t.Errorf("%s:%d: %s\nthe docs show:\n%s\nit prints:\n%s", ex.file, ex.line, ex.command, ex.output, got)
			}
		}
	}
	t.Logf("%d examples", n)
}

// link matches a Markdown link's target.
var link = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// TestDocLinks fails on a relative link in the docs that points to no file,
// or to a heading the file does not have.
func TestDocLinks(t *testing.T) {
	for _, file := range docFiles(t) {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		inFence := false
		for i, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "```") {
				inFence = !inFence
			}
			if inFence {
				continue
			}
			for _, m := range link.FindAllStringSubmatch(l, -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				path, anchor, _ := strings.Cut(target, "#")
				dest := file
				if path != "" {
					dest = filepath.Join(filepath.Dir(file), path)
					if _, err := os.Stat(dest); err != nil {
						t.Errorf("%s:%d: link to %s: no such file", file, i+1, target)
						continue
					}
				}
				if anchor != "" && strings.HasSuffix(dest, ".md") && !hasAnchor(t, dest, anchor) {
					t.Errorf("%s:%d: link to %s: %s has no heading #%s", file, i+1, target, dest, anchor)
				}
			}
		}
	}
}

// hasAnchor reports whether a Markdown file has a heading whose GitHub
// anchor is anchor.
func hasAnchor(t *testing.T, file, anchor string) bool {
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	inFence := false
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "```") {
			inFence = !inFence
		}
		h, ok := strings.CutPrefix(strings.TrimLeft(l, "#"), " ")
		if inFence || !ok || !strings.HasPrefix(l, "#") {
			continue
		}
		slug := slugify(h)
		if k := seen[slug]; k > 0 {
			slug = fmt.Sprintf("%s-%d", slug, k)
		}
		seen[slugify(h)]++
		if slug == anchor {
			return true
		}
	}
	return false
}

// slugify is GitHub's heading anchor: lower case, punctuation dropped,
// spaces as hyphens.
func slugify(h string) string {
	var sb strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(h)) {
		switch {
		case r == ' ':
			sb.WriteRune('-')
		case r == '-' || r == '_' || 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || r > 127:
			sb.WriteRune(r)
		}
	}
	return sb.String()
}
