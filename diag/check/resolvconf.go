package check

import (
	"bufio"
	"bytes"
	"fmt"
	"net/netip"
	"strings"

	"netdiag/diag/netaddr"
)

// maxNameservers is how many nameserver lines the C library uses (MAXNS in
// glibc and musl); later ones are ignored.
const maxNameservers = 3

// resolvConf is what the DNS step takes from resolv.conf(5): the resolvers,
// and notes on lines the C library would not use.
type resolvConf struct {
	servers []netip.AddrPort
	notes   []string
	// fallback is set when there was no nameserver line and servers holds
	// the C library's default, 127.0.0.1.
	fallback bool
}

// parseResolvConf reads the nameserver lines of a resolv.conf: keyword
// "nameserver" at the start of the line, blanks, an IPv4 or IPv6 address (with a zone for a
// link-local one); lines starting with "#" or ";" are comments. Every
// server listens on port 53. Invalid addresses and servers beyond the
// third are skipped with a note.
func parseResolvConf(data []byte) resolvConf {
	var rc resolvConf
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, len(data)+1)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		fields := strings.Fields(line)
		if len(fields) == 0 || fields[0] != "nameserver" {
			continue
		}
		if line[0] != 'n' {
			rc.notes = append(rc.notes, fmt.Sprintf("line %d: ignored: the C library reads nameserver lines only without leading blanks", n))
			continue
		}
		if len(fields) < 2 {
			rc.notes = append(rc.notes, fmt.Sprintf("line %d: nameserver without an address", n))
			continue
		}
		a, err := netaddr.ParseAddr(fields[1])
		switch {
		case err != nil:
			rc.notes = append(rc.notes, fmt.Sprintf("line %d: %v", n, err))
		case len(rc.servers) == maxNameservers:
			rc.notes = append(rc.notes, fmt.Sprintf("line %d: nameserver %s ignored: the C library uses only the first %d", n, a, maxNameservers))
		default:
			rc.servers = append(rc.servers, netip.AddrPortFrom(a, 53))
		}
	}
	return rc
}
