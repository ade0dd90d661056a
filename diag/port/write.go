package port

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"netdiag/diag/netaddr"
	"netdiag/diag/render"
	"netdiag/diag/sockets"
)

// ianaLabels are the IANA range names as the table shows them.
var ianaLabels = map[netaddr.PortClass]string{
	netaddr.IANASystem:  "system",
	netaddr.IANAUser:    "user (registered)",
	netaddr.IANADynamic: "dynamic (private)",
}

// portLine is a PortInfo as a JSON line: {"type":"port", then its fields}.
type portLine struct {
	Type string `json:"type"`
	PortInfo
}

// write prints rep: one JSON object per port, or a table and a summary.
func write(o *render.Output, opt Options, rep Report) error {
	if o.JSON() {
		for _, p := range rep.Ports {
			if err := o.WriteJSON(portLine{"port", p}); err != nil {
				return err
			}
		}
		return nil
	}
	var header []string
	var rows [][]string
	if opt.Local {
		header, rows = localTable(o, opt, rep)
	} else {
		header, rows = infoTable(rep)
	}
	if len(rows) > 0 {
		if err := o.Table(header, rows); err != nil {
			return err
		}
	}
	for _, line := range summary(opt, rep) {
		if err := o.Println(line); err != nil {
			return err
		}
	}
	return nil
}

// infoTable is the table without --local: classes and service names.
func infoTable(rep Report) ([]string, [][]string) {
	sctp := slices.ContainsFunc(rep.Ports, func(p PortInfo) bool { return names(p, "sctp") != "-" })
	header := []string{"PORT", "CLASS", "IANA RANGE", "TCP", "UDP"}
	if sctp {
		header = append(header, "SCTP")
	}
	rows := make([][]string, 0, len(rep.Ports))
	for _, p := range rep.Ports {
		row := []string{p.Port.String(), string(p.Class), ianaLabels[p.IANARange], names(p, "tcp"), names(p, "udp")}
		if sctp {
			row = append(row, names(p, "sctp"))
		}
		rows = append(rows, row)
	}
	return header, rows
}

// names formats p's service names on proto: "http (www)", or "-".
func names(p PortInfo, proto string) string {
	var out []string
	for _, s := range p.Services {
		if s.Proto != proto {
			continue
		}
		if len(s.Aliases) > 0 {
			out = append(out, s.Name+" ("+strings.Join(s.Aliases, ", ")+")")
		} else {
			out = append(out, s.Name)
		}
	}
	if len(out) == 0 {
		return "-"
	}
	return strings.Join(out, ", ")
}

// localTable is the table with --local: one line per socket holding a
// port, or one "free" line.
func localTable(o *render.Output, opt Options, rep Report) ([]string, [][]string) {
	header := []string{"PORT", "SERVICE", "STATUS", "PROTO", "LOCAL ADDRESS", "STATE", "PID", "PROCESS"}
	var rows [][]string
	for _, p := range rep.Ports {
		service := "-"
		if len(p.Services) > 0 {
			service = p.Services[0].Name
		}
		if !p.Local.InUse {
			status := "free"
			if opt.Proto != "" {
				status += " on " + opt.Proto
			}
			rows = append(rows, []string{p.Port.String(), service, o.Style(status, render.Green)})
			continue
		}
		for i, s := range p.Local.Sockets {
			row := []string{"", "", "", s.Proto, s.Local.String(), s.State, "?", "?"}
			if i == 0 {
				row[0], row[1], row[2] = p.Port.String(), service, o.Style("in use", render.Yellow)
			}
			if s.PID != 0 {
				row[6], row[7] = strconv.Itoa(s.PID), s.Process
				if n := len(s.Owners) - 1; n > 0 {
					row[7] += fmt.Sprintf(" (+%d more)", n)
				}
			}
			rows = append(rows, row)
		}
	}
	return header, rows
}

// summary returns the lines printed under the table.
func summary(opt Options, rep Report) []string {
	var lines []string
	switch {
	case opt.Local && (rep.Asked > 1 || rep.Trimmed):
		line := fmt.Sprintf("%s: %d in use, %d free", render.Plural(rep.Asked, "port"), rep.InUse, rep.Asked-rep.InUse)
		if opt.Proto != "" {
			line += " on " + opt.Proto
		}
		if rep.Trimmed {
			line += "; long lists show only the ports in use (--all shows every port)"
		}
		lines = append(lines, line)
	case rep.Trimmed:
		lines = append(lines, fmt.Sprintf("%s asked; long lists show only the %d with a service name (--all shows every port)",
			render.Plural(rep.Asked, "port"), len(rep.Ports)))
	}
	if opt.Local && slices.ContainsFunc(rep.Ports, func(p PortInfo) bool {
		return slices.ContainsFunc(p.Local.Sockets, func(s sockets.Socket) bool { return s.PID == 0 })
	}) {
		if rep.Root {
			lines = append(lines, "?: no process here holds the socket: the kernel does (NFS, WireGuard), or a process in another PID namespace or container")
		} else {
			lines = append(lines, "?: the process is not visible here: another user's (run as root to see it), or in another PID namespace or container")
		}
	}
	return lines
}
