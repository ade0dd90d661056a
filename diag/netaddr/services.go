package netaddr

import "slices"

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

// LookupService returns the port that name (or one of its aliases) has on
// proto. Names are matched exactly; the table's names are lower case.
func LookupService(name, proto string) (Port, bool) {
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
