package scan

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// progressBar draws a one-line progress bar on a terminal (stderr): ports
// done, open so far, probe rate and time left. It appears only once the
// scan has run for showAfter and looks like it will take over a second in
// all, so quick scans never flash one.
type progressBar struct {
	w     io.Writer
	shown bool
}

// showAfter is how long a scan runs before a bar may appear.
const showAfter = 200 * time.Millisecond

const barWidth = 24

// update redraws the bar for p.
func (b *progressBar) update(p Progress) {
	if p.Total == 0 || p.Elapsed < showAfter || (!b.shown && p.Elapsed+p.ETA() < time.Second) {
		return
	}
	b.shown = true
	frac := float64(p.Done) / float64(p.Total)
	fill := int(frac * barWidth)
	eta := "ETA --"
	if d := p.ETA(); d > 0 {
		eta = "ETA " + d.Round(time.Second).String()
	}
	fmt.Fprintf(b.w, "\r[%s%s] %3.0f%%  %s/%s ports  %s open  %s/s  %s\x1b[K",
		strings.Repeat("#", fill), strings.Repeat(".", barWidth-fill), frac*100,
		group(p.Done), group(p.Total), group(p.Open), group(uint64(p.Rate)), eta)
}

// clear erases the bar, if one is shown, so other output can go there.
func (b *progressBar) clear() {
	if b.shown {
		fmt.Fprint(b.w, "\r\x1b[K")
		b.shown = false
	}
}
