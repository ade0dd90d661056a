package suggest

import "testing"

func TestClosest(t *testing.T) {
	names := []string{"count", "ports", "quiet", "max-conns", "domain", "https"}
	for name, want := range map[string]string{
		"cout": "count", "port": "ports", "quite": "quiet", "max-con": "max-conns", "domian": "domain", "htps": "https",
		"x": "", "bogus": "", "zz": "", "counting": "",
	} {
		got, ok := Closest(name, names)
		if got != want || ok != (want != "") {
			t.Errorf("Closest(%q) = %q, %v; want %q", name, got, ok, want)
		}
	}
}

func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"a", "", 1}, {"quite", "quiet", 1}, {"kitten", "sitting", 3}, {"abc", "abc", 0}, {"ab", "ba", 1}} {
		if got := Distance(tc.a, tc.b); got != tc.d {
			t.Errorf("Distance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.d)
		}
	}
}
