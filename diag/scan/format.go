package scan

import "strconv"

// group formats n with thousands separators: 65535 → "65,535".
func group(n uint64) string {
	s := strconv.FormatUint(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// plural formats n and the noun's singular or plural form: "1 port",
// "65,535 ports".
func plural(n uint64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return group(n) + " " + many
}
