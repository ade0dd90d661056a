package check

import (
	"time"

	"netdiag/diag/render"
)

// titles are the steps' names in the checklist.
var titles = map[string]string{
	StepLocal:      "local stack",
	StepInterfaces: "interfaces",
	StepGateway:    "gateway",
	StepDNS:        "DNS",
	StepInternet:   "internet",
	StepPathMTU:    "path MTU",
}

// statusStyles color the status column.
var statusStyles = map[Status]render.Style{OK: render.Green, Warn: render.Yellow, Fail: render.Red, Skipped: render.Dim}

// Print writes r: a checklist and the diagnosis, or with JSON one line per
// step and a summary line.
func Print(out *render.Output, r *Result) error {
	if out.JSON() {
		return printJSON(out, r)
	}
	rows := [][]string{}
	for _, s := range r.Steps() {
		v := s.Verdict
		status := string(v.Status)
		if status == "" {
			status = "-"
		}
		rows = append(rows, []string{titles[s.Name], out.Style(status, statusStyles[v.Status]), render.Time(time.Duration(v.Time)), v.Detail})
	}
	if err := out.Table([]string{"STEP", "STATUS", "TIME", "DETAIL"}, rows); err != nil {
		return err
	}
	style := []render.Style{render.Bold}
	if r.Diagnosis.Status == Fail {
		style = append(style, render.Red)
	}
	return out.Printf("\n%s\n", out.Style(r.Diagnosis.Text, style...))
}

// summaryLine is the last JSON line.
type summaryLine struct {
	Type string `json:"type"`
	Diagnosis
	ElapsedMS   render.Millis `json:"elapsed_ms"`
	Interrupted bool          `json:"interrupted"`
}

// stepHead starts a step's JSON line: {"type":"step","step":NAME, then the
// step's own fields.
type stepHead struct {
	Type string `json:"type"`
	Step string `json:"step"`
}

// The JSON lines of the steps: the head, then the step's fields.
type (
	localLine struct {
		stepHead
		*LocalStep
	}
	interfacesLine struct {
		stepHead
		*InterfacesStep
	}
	gatewayLine struct {
		stepHead
		*GatewayStep
	}
	dnsLine struct {
		stepHead
		*DNSStep
	}
	internetLine struct {
		stepHead
		*InternetStep
	}
	pathMTULine struct {
		stepHead
		*PathMTUStep
	}
)

// stepLine returns a step's JSON line.
func stepLine(s StepVerdict) any {
	h := stepHead{Type: "step", Step: s.Name}
	switch st := s.Step.(type) {
	case *LocalStep:
		return localLine{h, st}
	case *InterfacesStep:
		return interfacesLine{h, st}
	case *GatewayStep:
		return gatewayLine{h, st}
	case *DNSStep:
		return dnsLine{h, st}
	case *InternetStep:
		return internetLine{h, st}
	case *PathMTUStep:
		return pathMTULine{h, st}
	}
	return h // not reached: every step has its case
}

// printJSON writes one {"type":"step","step":NAME,…} line per step, then
// the summary.
func printJSON(out *render.Output, r *Result) error {
	for _, s := range r.Steps() {
		if err := out.WriteJSON(stepLine(s)); err != nil {
			return err
		}
	}
	return out.WriteJSON(summaryLine{Type: "summary", Diagnosis: r.Diagnosis, ElapsedMS: render.Millis(r.Elapsed), Interrupted: r.Interrupted})
}
