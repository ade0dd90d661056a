package netaddr

import (
	"strings"
	"testing"
)

// TestCommonServiceNames: the names people use that /etc/services spells
// otherwise, and a suggestion for a mistyped name.
func TestCommonServiceNames(t *testing.T) {
	for name, want := range map[string]Port{"dns": 53, "DNS": 53, "https": 443, "smb": 445, "rdp": 3389, "postgres": 5432, "dot": 853} {
		if p, err := ParsePort(name); err != nil || p != want {
			t.Errorf("ParsePort(%q) = %v, %v; want %d", name, p, err, want)
		}
	}
	for name, hint := range map[string]string{"htps": `did you mean "https"?`, "domian": `did you mean "domain"?`, "nosuchthing": "known service name"} {
		_, err := ParsePort(name)
		if err == nil || !strings.HasSuffix(err.Error(), hint) {
			t.Errorf("ParsePort(%q): %v, want it to end with %q", name, err, hint)
		}
	}
}
