package netaddr

import "testing"

func TestIsInvalidDomain(t *testing.T) {
	for name, want := range map[string]bool{
		"invalid":               true,
		"invalid.":              true,
		"no-such-host.invalid":  true,
		"a.b.INVALID":           true,
		"x.invalid.":            true,
		"invalid.example":       false,
		"notinvalid":            false,
		"example.com":           false,
		"localhost":             false,
		"":                      false,
		"invalid.invalid.local": false,
	} {
		if got := IsInvalidDomain(name); got != want {
			t.Errorf("IsInvalidDomain(%q) = %v, want %v", name, got, want)
		}
	}
}
