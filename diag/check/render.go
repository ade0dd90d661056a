package check

import (
	"encoding/json"
	"fmt"
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
		rows = append(rows, []string{titles[s.Name], out.Style(status, statusStyles[v.Status]), formatTime(time.Duration(v.Time)), v.Detail})
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

// formatTime formats a measured time for the checklist: "0.05 ms",
// "12.3 ms", "1.20 s"; empty for none.
func formatTime(d time.Duration) string {
	ms := float64(d.Microseconds()) / 1000
	switch {
	case d <= 0:
		return ""
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.2f ms", ms)
	case d < time.Second:
		return fmt.Sprintf("%.1f ms", ms)
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}

// summaryLine is the last JSON line.
type summaryLine struct {
	Type string `json:"type"`
	Diagnosis
	ElapsedMS   Millis `json:"elapsed_ms"`
	Interrupted bool   `json:"interrupted"`
}

// printJSON writes one {"type":"step","step":NAME,…} line per step, then
// the summary.
func printJSON(out *render.Output, r *Result) error {
	for _, s := range r.Steps() {
		b, err := json.Marshal(s.Step)
		if err != nil {
			return fmt.Errorf("encoding JSON: %w", err)
		}
		line := fmt.Appendf(nil, `{"type":"step","step":%q,`, s.Name)
		if err := out.WriteJSON(json.RawMessage(append(line, b[1:]...))); err != nil {
			return err
		}
	}
	return out.WriteJSON(summaryLine{Type: "summary", Diagnosis: r.Diagnosis, ElapsedMS: Millis(r.Elapsed), Interrupted: r.Interrupted})
}
