package netaddr

import "strings"

// IsInvalidDomain reports whether name is "invalid" or a name under it
// ("no-such-host.invalid", "x.INVALID."). RFC 6761 section 6.4 reserves that
// domain and asks resolver libraries to answer "no such name" at once,
// without sending a query, so a caller can fail such names locally: fast, and
// the same on every network.
func IsInvalidDomain(name string) bool {
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	return name == "invalid" || strings.HasSuffix(name, ".invalid")
}
