package render

import (
	"fmt"
	"strconv"
	"time"
)

// Millis is a duration that JSON writes as a number of milliseconds, for
// the fields named *_ms ("rtt_ms": 0.052341).
type Millis time.Duration

// Seconds is a duration that JSON writes as a number of seconds, for the
// fields named *_s ("duration_s": 1.5).
type Seconds time.Duration

// MarshalJSON writes the duration in milliseconds (see appendDuration).
func (m Millis) MarshalJSON() ([]byte, error) {
	return appendDuration(nil, time.Duration(m), time.Millisecond), nil
}

// MarshalJSON writes the duration in seconds (see appendDuration).
func (s Seconds) MarshalJSON() ([]byte, error) {
	return appendDuration(nil, time.Duration(s), time.Second), nil
}

// appendDuration appends d counted in units of unit, a power of ten
// nanoseconds, as a JSON number: exact to the nanosecond, written in
// decimal without trailing zeros and without float rounding
// (1500*time.Microsecond in milliseconds is 1.5, 34567ns is 0.034567).
func appendDuration(b []byte, d, unit time.Duration) []byte {
	n := uint64(d)
	if d < 0 {
		b = append(b, '-')
		n = -n // the magnitude, also for math.MinInt64
	}
	u := uint64(unit)
	b = strconv.AppendUint(b, n/u, 10)
	frac := n % u
	if frac == 0 {
		return b
	}
	digits := 0 // of a unit: 6 for milliseconds, 9 for seconds
	for x := u; x > 1; x /= 10 {
		digits++
	}
	for frac%10 == 0 {
		frac /= 10
		digits--
	}
	b = append(b, '.')
	for range digits {
		b = append(b, '0')
	}
	for i := len(b) - 1; frac > 0; i-- {
		b[i] = byte('0' + frac%10)
		frac /= 10
	}
	return b
}

// Time formats a measured time for people: "0.05 ms", "12.3 ms", "1.20 s";
// empty for none.
func Time(d time.Duration) string {
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
