package netaddr

import (
	"slices"

	"netdiag/internal/suggest"
)

//go:generate go run gen_services.go -in services.txt -out services_table.go

// Service is one entry of the services table: a name for a port on a
// transport protocol, as in /etc/services.
type Service struct {
	Name    string   `json:"name"`
	Port    Port     `json:"port"`
	Proto   string   `json:"proto"` // "tcp", "udp" or "sctp"
	Aliases []string `json:"aliases,omitempty"`
}

// ServicesByPort returns the table's entries for port p on every protocol,
// tcp first.
func ServicesByPort(p Port) []Service {
	i, _ := slices.BinarySearchFunc(servicesByPort, p, func(s Service, p Port) int { return int(s.Port) - int(p) })
	j := i
	for j < len(servicesByPort) && servicesByPort[j].Port == p {
		j++
	}
	return servicesByPort[i:j]
}

// ServiceName returns the name of port p on proto ("tcp" or "udp"), or "".
func ServiceName(p Port, proto string) string {
	for _, s := range ServicesByPort(p) {
		if s.Proto == proto {
			return s.Name
		}
	}
	return ""
}

// commonNames are names people use for services that the services table
// knows by another name ("dns" for "domain"); LookupService takes them too.
var commonNames = map[string]string{
	"dns": "domain", "dot": "domain-s", "smb": "microsoft-ds", "cifs": "microsoft-ds",
	"rdp": "ms-wbt-server", "mssql": "ms-sql-s", "postgres": "postgresql", "pg": "postgresql",
	"smtps": "submissions", "imap": "imap2", "dhcp": "bootps", "http-proxy": "http-alt",
}

// LookupService returns the port that name (or one of its aliases, or a
// common name such as "dns") has on proto. Names are matched exactly; the
// table's names are lower case.
func LookupService(name, proto string) (Port, bool) {
	if n, ok := commonNames[name]; ok {
		name = n
	}
	for _, s := range servicesByPort {
		if s.Proto != proto {
			continue
		}
		if s.Name == name || slices.Contains(s.Aliases, name) {
			return s.Port, true
		}
	}
	return 0, false
}

// NamedPorts returns, in ascending order, every port that has a name on
// proto in the table.
func NamedPorts(proto string) []Port {
	var out []Port
	for _, s := range servicesByPort {
		if s.Proto == proto && (len(out) == 0 || out[len(out)-1] != s.Port) {
			out = append(out, s.Port)
		}
	}
	return out
}

// SuggestService returns the service name closest to a mistyped one
// ("htps": "https"), or "" when none is close.
func SuggestService(name string) string {
	names := make([]string, 0, len(servicesByPort)+len(commonNames))
	for _, s := range servicesByPort {
		names = append(names, s.Name)
	}
	for n := range commonNames {
		names = append(names, n)
	}
	slices.Sort(names)
	best, _ := suggest.Closest(name, names)
	return best
}
