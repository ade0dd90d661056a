package netaddr

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// Host is a parsed host: either an IP literal (Addr is valid, possibly with
// a zone) or a DNS name (Name is set) that still needs resolving. The zero
// Host is "no host", as in the bare ":9090".
type Host struct {
	Addr netip.Addr // the literal address, if the host was one
	Name string     // the host name, if the host was not a literal
}

// IsZero reports whether h is the empty host.
func (h Host) IsZero() bool { return !h.Addr.IsValid() && h.Name == "" }

// NeedsDNS reports whether h is a name that must be resolved.
func (h Host) NeedsDNS() bool { return h.Name != "" }

// String returns the address or the name.
func (h Host) String() string {
	if h.Addr.IsValid() {
		return h.Addr.String()
	}
	return h.Name
}

// ParseHost parses an IP literal or an RFC 1123 host name. Strings that look
// like numeric addresses but are not strict ones ("127.1", "0x7f.0.0.1") are
// rejected with the address error, never treated as names.
func ParseHost(s string) (Host, error) {
	a, err := ParseAddr(s)
	if err == nil {
		return Host{Addr: a}, nil
	}
	if strings.Contains(s, ":") || looksLikeIPv4(s) {
		return Host{}, err
	}
	if err := ValidHostname(s); err != nil {
		return Host{}, err
	}
	return Host{Name: s}, nil
}

// looksLikeIPv4 reports whether s is made of what inet_aton would read as
// numbers: digits, dots and 0x prefixes, with the last label numeric (a DNS
// name's top-level label is never all-numeric).
func looksLikeIPv4(s string) bool {
	labels := strings.Split(strings.TrimSuffix(s, "."), ".")
	last := labels[len(labels)-1]
	if last == "" {
		return false
	}
	if strings.HasPrefix(last, "0x") || strings.HasPrefix(last, "0X") {
		return true
	}
	for _, c := range last {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// ValidHostname checks s against RFC 1123 host name syntax: dot-separated
// labels of 1-63 letters, digits and hyphens, not starting or ending with a
// hyphen, at most 253 characters, an optional trailing dot.
func ValidHostname(s string) error {
	fail := func(format string, args ...any) error {
		return &ParseError{Kind: "host name", Input: s, Reason: fmt.Sprintf(format, args...)}
	}
	if s == "" {
		return fail("empty")
	}
	name := strings.TrimSuffix(s, ".")
	if len(name) > 253 {
		return fail("longer than 253 characters")
	}
	for _, label := range strings.Split(name, ".") {
		if label == "" {
			return fail("empty label (two dots in a row or a leading dot)")
		}
		if len(label) > 63 {
			return fail("label %q is longer than 63 characters", label)
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return fail("label %q starts or ends with a hyphen", label)
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return fail("label %q has character %q; host names use letters, digits and hyphens", label, c)
			}
		}
	}
	return nil
}

// HostPort is a parsed "host:port". Host may be zero for a bare ":port",
// meaning all local addresses.
type HostPort struct {
	Host Host
	Port Port
}

// String formats hp as "host:port", "[v6%zone]:port" or ":port".
func (hp HostPort) String() string {
	if hp.Host.IsZero() {
		return ":" + hp.Port.String()
	}
	return net.JoinHostPort(hp.Host.String(), hp.Port.String())
}

// ParseHostPort parses "host:port", "[v6]:port", "[fe80::1%eth0]:22" and the
// bare ":port". The port is a number or a service name ("ssh"). An IPv6
// address with a port must be bracketed: "::1:80" is rejected as ambiguous.
func ParseHostPort(s string) (HostPort, error) {
	fail := func(format string, args ...any) error {
		return &ParseError{Kind: "host:port", Input: s, Reason: fmt.Sprintf(format, args...)}
	}
	// wrap rewords an error about one part of s as an error about s.
	wrap := func(part string, err error) error {
		pe := err.(*ParseError)
		return &ParseError{Kind: "host:port", Input: s, Reason: part + ": " + pe.Reason, Note: pe.Note}
	}
	if w := whitespaceProblem(s, "host:port"); w != "" {
		return HostPort{}, fail("%s", w)
	}
	var hostPart, portPart string
	switch {
	case strings.HasPrefix(s, "["):
		end := strings.Index(s, "]")
		if end < 0 {
			return HostPort{}, fail(`missing "]" after the bracketed IPv6 address`)
		}
		hostPart = s[1:end]
		rest := s[end+1:]
		switch {
		case hostPart == "":
			return HostPort{}, fail("empty brackets; write [IPv6 address]:port")
		case rest == "":
			return HostPort{}, fail(`missing ":port" after "]"`)
		case rest[0] != ':':
			return HostPort{}, fail(`expected ":port" after "]", got %q`, rest)
		}
		portPart = rest[1:]
		a, err := ParseAddr(hostPart)
		if err != nil {
			return HostPort{}, wrap(fmt.Sprintf("address %q", hostPart), err)
		}
		if !a.Is6() {
			return HostPort{}, fail("brackets are only for IPv6 addresses; write %s:%s", hostPart, portPart)
		}
	case strings.Count(s, ":") > 1:
		return HostPort{}, fail("%s", unbracketedIPv6(s))
	default:
		i := strings.LastIndex(s, ":")
		if i < 0 {
			return HostPort{}, fail(`missing ":port"`)
		}
		hostPart, portPart = s[:i], s[i+1:]
	}
	if portPart == "" {
		return HostPort{}, fail("empty port after \":\"")
	}
	p, err := ParsePort(portPart)
	if err != nil {
		return HostPort{}, wrap(fmt.Sprintf("port %q", portPart), err)
	}
	if hostPart == "" && !strings.HasPrefix(s, "[") {
		return HostPort{Port: p}, nil
	}
	h, err := ParseHost(hostPart)
	if err != nil {
		return HostPort{}, wrap(fmt.Sprintf("host %q", hostPart), err)
	}
	return HostPort{Host: h, Port: p}, nil
}

// unbracketedIPv6 explains why s, a host:port candidate with several colons
// and no brackets, is rejected, suggesting the bracketed form.
func unbracketedIPv6(s string) string {
	i := strings.LastIndex(s, ":")
	host, port := s[:i], s[i+1:]
	_, wholeErr := ParseAddr(s)
	_, hostErr := ParseAddr(host)
	switch {
	case wholeErr == nil && hostErr == nil && port != "":
		return fmt.Sprintf("ambiguous without brackets: the address %s, or %s port %s? Write [%s]:%s for the port", s, host, port, host, port)
	case wholeErr == nil:
		return fmt.Sprintf("missing port: %s is an IPv6 address; write [%s]:PORT", s, s)
	case hostErr == nil:
		return fmt.Sprintf("an IPv6 address with a port must be bracketed: write [%s]:%s", host, port)
	}
	return "an IPv6 address with a port must be bracketed, as in [::1]:80"
}

// ResolveError is returned by Resolve when a name has no usable address.
type ResolveError struct {
	Host   string
	Family Family
	Err    error
}

// Error says which name could not be resolved and why.
func (e *ResolveError) Error() string {
	fam := ""
	if e.Family != AnyFamily {
		fam = " to an " + e.Family.String() + " address"
	}
	return fmt.Sprintf("cannot resolve %q%s: %v", e.Host, fam, e.Err)
}

// Unwrap returns the underlying resolver error.
func (e *ResolveError) Unwrap() error { return e.Err }

// errNoAddress is the cause when a name resolves but not in the family asked.
var errNoAddress = errors.New("no address of that family")

// Resolve returns the addresses of h in family fam, in resolver order. A
// literal is returned as is (or an error if its family does not match). r nil
// means net.DefaultResolver. IPv4-mapped results are unmapped to IPv4.
func Resolve(ctx context.Context, r *net.Resolver, h Host, fam Family) ([]netip.Addr, error) {
	if h.Addr.IsValid() {
		if !fam.Matches(h.Addr) {
			return nil, &ResolveError{Host: h.Addr.String(), Family: fam, Err: fmt.Errorf("%s is not an %s address", h.Addr, fam)}
		}
		return []netip.Addr{h.Addr}, nil
	}
	if h.Name == "" {
		return nil, &ResolveError{Host: "", Family: fam, Err: errors.New("empty host")}
	}
	if r == nil {
		r = net.DefaultResolver
	}
	network := map[Family]string{AnyFamily: "ip", IPv4: "ip4", IPv6: "ip6"}[fam]
	addrs, err := r.LookupNetIP(ctx, network, h.Name)
	if err != nil {
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
			err = errors.New("no such host")
		}
		return nil, &ResolveError{Host: h.Name, Family: fam, Err: err}
	}
	out := make([]netip.Addr, 0, len(addrs))
	for _, a := range addrs {
		a = a.Unmap()
		if fam.Matches(a) {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		return nil, &ResolveError{Host: h.Name, Family: fam, Err: errNoAddress}
	}
	return out, nil
}
