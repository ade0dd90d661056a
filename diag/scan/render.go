package scan

import (
	"fmt"
	"strings"
	"time"

	"netdiag/diag/netaddr"
	"netdiag/diag/render"
)

// Printer renders a scan for people (a table per host) or scripts (JSON
// lines). Its methods match Events, so a scan streams into it; Finish
// prints what is left and the summary.
type Printer struct {
	out     *render.Output
	banner  bool // show the banner column
	all     bool // show closed/filtered counts and ports
	printed map[*HostResult]bool
}

// NewPrinter returns a Printer writing to out; banner and all mirror
// Options.Banner and Options.All.
func NewPrinter(out *render.Output, banner, all bool) *Printer {
	return &Printer{out: out, banner: banner, all: all, printed: map[*HostResult]bool{}}
}

// portLine is a JSON port line.
type portLine struct {
	Type   string `json:"type"` // "port"
	Target string `json:"target"`
	Name   string `json:"name,omitempty"`
	portFields
}

// hostLine is a JSON host line.
type hostLine struct {
	Type string `json:"type"` // "host"
	*HostResult
}

// summaryLine is the JSON summary line.
type summaryLine struct {
	Type string `json:"type"` // "summary"
	resultFields
}

// Open is Events.OnOpen: in JSON mode each open port is a line at once;
// tables wait for the host to finish, to print its ports in order.
func (p *Printer) Open(h *HostResult, pr PortResult) {
	if p.out.JSON() {
		p.out.WriteJSON(portLine{Type: "port", Target: h.Target, Name: h.Name, portFields: pr.fields()})
	}
}

// Host is Events.OnHost: it prints a finished host that has open ports (or
// any host with --all).
func (p *Printer) Host(h *HostResult) {
	if p.printed[h] || (h.Counts.Open == 0 && !p.all) {
		return
	}
	p.printed[h] = true
	if p.out.JSON() {
		for _, pr := range h.Ports {
			if pr.State != Open { // open ports went out as they were found
				p.out.WriteJSON(portLine{Type: "port", Target: h.Target, Name: h.Name, portFields: pr.fields()})
			}
		}
		p.out.WriteJSON(hostLine{Type: "host", HostResult: h})
		return
	}
	p.out.Println(p.heading(h))
	if len(h.Ports) > 0 {
		p.out.Table(p.header(), p.rows(h))
	}
	if p.all {
		var hidden []string
		for s := Closed; s < numStates; s++ {
			if !h.Listed(s) {
				hidden = append(hidden, fmt.Sprintf("%s %s", group(h.Counts.Of(s)), s))
			}
		}
		if len(hidden) > 0 {
			p.out.Printf("Not shown: %s ports\n", strings.Join(hidden, ", "))
		}
	}
	p.out.Println()
}

// Finish prints the hosts an interrupted scan left unfinished, then the
// summary. It returns the first write error of the whole rendering.
func (p *Printer) Finish(res Result) error {
	for _, h := range res.Hosts {
		p.Host(h)
	}
	if p.out.JSON() {
		p.out.WriteJSON(summaryLine{Type: "summary", resultFields: res.fields()})
		return p.out.Err()
	}
	for _, line := range p.summary(res) {
		p.out.Println(line)
	}
	return p.out.Err()
}

func (p *Printer) heading(h *HostResult) string {
	s := p.out.Style(h.Addr.String(), render.Bold)
	if h.Name != "" {
		s += " (" + h.Name + ")"
	} else if h.Target != h.Addr.String() {
		s += " (" + h.Target + ")"
	}
	if p.all {
		s += fmt.Sprintf(": %s open, %s closed, %s filtered", group(h.Counts.Open), group(h.Counts.Closed), group(h.Counts.Filtered))
		if h.Counts.Failed > 0 {
			s += fmt.Sprintf(", %s error", group(h.Counts.Failed))
		}
	}
	if !h.Done {
		s += "  " + p.out.Style("(interrupted: incomplete)", render.Yellow)
	}
	if len(h.OtherAddrs) > 0 {
		s += "\nOther addresses for " + h.Name + " (not scanned): " + strings.Join(netaddr.Strings(h.OtherAddrs), ", ")
	}
	return s
}

func (p *Printer) header() []string {
	hdr := []string{"PORT", "STATE", "SERVICE"}
	if p.all {
		hdr = append(hdr, "REASON")
	}
	if p.banner {
		hdr = append(hdr, "BANNER")
	}
	return hdr
}

// tableBannerLen is how much of a banner the table shows.
const tableBannerLen = 60

func (p *Printer) rows(h *HostResult) [][]string {
	rows := make([][]string, 0, len(h.Ports))
	for _, pr := range h.Ports {
		row := []string{pr.Port.String() + "/tcp", p.out.Style(pr.State.String(), stateStyle[pr.State]), orDash(pr.Service)}
		if p.all {
			row = append(row, pr.Reason)
		}
		if p.banner {
			row = append(row, truncate(pr.Banner, tableBannerLen))
		}
		rows = append(rows, row)
	}
	return rows
}

var stateStyle = [numStates]render.Style{Open: render.Green, Closed: render.Dim, Filtered: render.Yellow, Failed: render.Red}

// summary is the closing lines of a table-mode scan.
func (p *Printer) summary(res Result) []string {
	c := res.Counts
	line := fmt.Sprintf("Scanned %s × %s in %s (%s probes/s): %s open, %s closed, %s filtered",
		plural(res.HostsScanned, "host", "hosts"), plural(uint64(res.Ports.Len()), "port", "ports"), seconds(res.Elapsed), group(uint64(render.PerSecond(res.Probes, res.Elapsed))),
		p.out.Style(group(c.Open), render.Bold), group(c.Closed), group(c.Filtered))
	if c.Failed > 0 {
		line += ", " + p.out.Style(group(c.Failed)+" error", render.Red)
	}
	lines := []string{line + "."}
	if res.Interrupted {
		lines = append(lines, p.out.Style(fmt.Sprintf("Interrupted: %s of %s ports have their answer; the rest were not scanned.",
			group(c.Total()), group(satMul(res.HostsScanned, uint64(res.Ports.Len())))), render.Yellow))
	}
	limit := "no open-file limit"
	if res.FDLimit > 0 {
		limit = "ulimit -n " + group(res.FDLimit)
	}
	tuning := fmt.Sprintf("Concurrency up to %s (%s), %s retries", group(uint64(res.Concurrency)), limit, group(res.Retries))
	if res.Backoffs > 0 {
		tuning += fmt.Sprintf("; slowed down %s for lost answers (window down to %d", plural(uint64(res.Backoffs), "time", "times"), res.MinWindow)
		if res.RateCap > 0 {
			tuning += fmt.Sprintf(", rate settled at %s/s", group(uint64(res.RateCap)))
		}
		tuning += ")"
	}
	lines = append(lines, tuning+".")
	return append(lines, Diagnosis(res)...)
}

// Diagnosis says in words why a scan retried or slowed down, when it did:
// answers that were late (the timeout is too short for the path) apart
// from answers that were lost (and whether the loss followed the rate).
func Diagnosis(res Result) []string {
	var lines []string
	if res.Late > 0 {
		s := fmt.Sprintf("%s came after the attempt had stopped waiting (the slowest in %s): the timeout %s is shorter than the round trip here, or this machine was too busy to look in time. They count as answers, not losses",
			plural(res.Late, "answer", "answers"), render.Time(res.LateMax), render.Time(res.Timeout))
		if res.Waited > 0 {
			s += fmt.Sprintf("; the last attempts waited up to %s", render.Time(res.Waited))
		}
		lines = append(lines, s+".")
	}
	if res.LossFloor >= 0.005 {
		lines = append(lines, fmt.Sprintf("About %.0f%% of first attempts were lost at any rate (a lossy path, not congestion): they were retried, and the scan did not slow down for them.", 100*res.LossFloor))
	}
	return lines
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// truncate cuts s to n characters, ending in "…" when cut.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// seconds formats d as "0.412 s" or "12.3 s".
func seconds(d time.Duration) string {
	if d < 10*time.Second {
		return fmt.Sprintf("%.3f s", d.Seconds())
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}
