package render

import (
	"encoding/json"
	"math"
	"strconv"
	"testing"
	"time"
)

func TestDurationJSON(t *testing.T) {
	for _, tc := range []struct {
		d        time.Duration
		ms, secs string
	}{
		{0, "0", "0"},
		{time.Nanosecond, "0.000001", "0.000000001"},
		{34567 * time.Nanosecond, "0.034567", "0.000034567"},
		{1500 * time.Microsecond, "1.5", "0.0015"},
		{time.Second, "1000", "1"},
		{90*time.Second + 5*time.Millisecond, "90005", "90.005"},
		{-2500 * time.Microsecond, "-2.5", "-0.0025"},
		{math.MaxInt64, "9223372036854.775807", "9223372036.854775807"},
		{math.MinInt64, "-9223372036854.775808", "-9223372036.854775808"},
	} {
		b, err := json.Marshal(struct {
			M Millis  `json:"m"`
			S Seconds `json:"s"`
		}{Millis(tc.d), Seconds(tc.d)})
		if err != nil {
			t.Fatal(err)
		}
		if want := `{"m":` + tc.ms + `,"s":` + tc.secs + `}`; string(b) != want {
			t.Errorf("%d ns: %s, want %s", int64(tc.d), b, want)
		}
	}
}

// The exact decimal reads back as the float64 nearest to the duration (the
// correctly rounded quotient; d.Seconds() can be one bit off).
func TestDurationJSONParsesAsFloat(t *testing.T) {
	for d := time.Duration(1); d < 50*time.Second; d = d*7 + 3 {
		for _, u := range []struct {
			b    func() ([]byte, error)
			unit time.Duration
		}{{Seconds(d).MarshalJSON, time.Second}, {Millis(d).MarshalJSON, time.Millisecond}} {
			b, _ := u.b()
			f, err := strconv.ParseFloat(string(b), 64)
			if want := float64(d) / float64(u.unit); err != nil || f != want {
				t.Fatalf("%d ns in %v: %s parses to %v (%v), want %v", int64(d), u.unit, b, f, err, want)
			}
		}
	}
}

func TestTime(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "", 43 * time.Microsecond: "0.04 ms", 9990 * time.Microsecond: "9.99 ms",
		12345 * time.Microsecond: "12.3 ms", 1234 * time.Millisecond: "1.23 s",
	} {
		if got := Time(d); got != want {
			t.Errorf("Time(%v) = %q, want %q", d, got, want)
		}
	}
}
