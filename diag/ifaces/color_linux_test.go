package ifaces

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"netdiag/internal/testnet"
)

// TestHighlight runs netdiag on a pseudo-terminal (script(1)) inside the
// namespace: the primary global addresses of veth0, which holds both
// default routes, are the only ones in bold green; NO_COLOR or a pipe turns
// every escape sequence off.
func TestHighlight(t *testing.T) {
	tn := buildTestNet(t)
	bin := testnet.Binary(t)
	testnet.RequireTools(t, "script")
	onTTY := func(env string, args string) string {
		cmd := env + " " + bin + " ifaces " + args
		r := testnet.Run(t, 20*time.Second, "", "ip", "netns", "exec", tn.ns, "script", "-qec", cmd, "/dev/null")
		if r.Code != 0 {
			t.Fatalf("script -c %q: exit %d: %s%s", cmd, r.Code, r.Stdout, r.Stderr)
		}
		return r.Stdout
	}
	highlighted := regexp.MustCompile(`\x1b\[1;32m([^\x1b]*)\x1b\[0m`)
	for _, args := range []string{"", "--brief"} {
		out := onTTY("env -u NO_COLOR", args)
		var got []string
		for _, m := range highlighted.FindAllStringSubmatch(out, -1) {
			got = append(got, m[1])
		}
		if strings.Join(got, " ") != "10.77.0.1/24 fd77::1/64" {
			t.Errorf("ifaces %s on a terminal highlights %q, want 10.77.0.1/24 and fd77::1/64:\n%s", args, got, out)
		}
		if out := onTTY("env NO_COLOR=1", args); strings.Contains(out, "\x1b") {
			t.Errorf("NO_COLOR=1 ifaces %s still prints escape sequences:\n%q", args, out)
		}
	}
	if r := runIfaces(t, tn.ns, []string{bin}); strings.Contains(r.Stdout, "\x1b") {
		t.Errorf("escape sequences into a pipe:\n%q", r.Stdout)
	}
}
