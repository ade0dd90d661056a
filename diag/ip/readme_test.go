package ip_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"netdiag/diag/netaddr"
	"netdiag/internal/testnet"
)

// ipSection returns docs/ip.md, ip's reference page.
func ipSection(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../docs/ip.md")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// registryTable renders the special-purpose registries as docs/ip.md shows
// them.
func registryTable() string {
	cell := map[netaddr.Tri]string{netaddr.True: "yes", netaddr.False: "no", netaddr.NA: "n/a", netaddr.Blank: ""}
	var sb strings.Builder
	sb.WriteString("| block | name | RFC | source | destination | forwardable | globally reachable | reserved-by-protocol |\n")
	sb.WriteString("|---|---|---|---|---|---|---|---|\n")
	for _, b := range netaddr.SpecialBlocks() {
		name := b.Name
		if b.Terminated != "" {
			name += fmt.Sprintf(" (terminated %s)", b.Terminated)
		}
		fmt.Fprintf(&sb, "| `%s` | %s | %s | %s | %s | %s | %s | %s |\n", b.Block, strings.ReplaceAll(name, "|", `\|`), b.RFC,
			cell[b.Source], cell[b.Destination], cell[b.Forwardable], cell[b.GloballyReachable], cell[b.ReservedByProtocol])
	}
	return sb.String()
}

// TestReadmeRegistryTable keeps the docs/ip.md's registry table equal to the
// table in the code; when they differ, the failure prints the table to
// paste.
func TestReadmeRegistryTable(t *testing.T) {
	t.Parallel()
	if want := registryTable(); !strings.Contains(ipSection(t), want) {
		t.Errorf("docs/ip.md's registry table is out of date; it should read:\n%s", want)
	}
}

// TestReadmeListsEveryDifference keeps docs/ip.md's list of differences
// from Python's ipaddress equal to the oracle test's allow-list.
func TestReadmeListsEveryDifference(t *testing.T) {
	t.Parallel()
	sec := ipSection(t)
	i := strings.Index(sec, "\n## Differences from Python's ipaddress")
	if i < 0 {
		t.Fatal(`docs/ip.md has no "## Differences from Python's ipaddress"`)
	}
	sec = sec[i+1:]
	if j := strings.Index(sec[3:], "\n## "); j >= 0 {
		sec = sec[:j+3]
	}
	listed := strings.Count(sec, "\n| `")
	for _, d := range differences {
		if !strings.Contains(sec, "| `"+d.name+"` |") {
			t.Errorf("docs/ip.md does not list difference %q (%s)", d.name, d.why)
		}
	}
	if listed != len(differences) {
		t.Errorf("docs/ip.md lists %d differences, the oracle test allows %d", listed, len(differences))
	}
}

// TestReadmeExamples re-runs every example in docs/ip.md that is a single
// "$ netdiag ip ..." command (no pipes or redirections) and requires the
// output shown.
func TestReadmeExamples(t *testing.T) {
	t.Parallel()
	sec := ipSection(t)
	n := 0
	for _, block := range strings.Split(sec, "```")[1:] {
		block = strings.TrimPrefix(block, "text\n")
		block = strings.TrimPrefix(block, "console\n")
		block = strings.TrimPrefix(block, "\n")
		if !strings.HasPrefix(block, "$ netdiag ip ") {
			continue
		}
		cmd, want, _ := strings.Cut(block, "\n")
		if strings.ContainsAny(cmd, "|<>'\"") {
			continue
		}
		n++
		args := strings.Fields(strings.TrimPrefix(cmd, "$ netdiag "))
		res := testnet.Run(t, 30*time.Second, "", testnet.Binary(t), args...)
		if res.Stdout != want {
			t.Errorf("docs/ip.md example %q is out of date; the output now is:\n%s", cmd, res.Stdout)
		}
	}
	if n < 3 {
		t.Errorf("only %d runnable examples found in docs/ip.md", n)
	}
}
