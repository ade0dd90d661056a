// Package suggest finds the closest of a few names to a mistyped one, for
// "did you mean" hints (flags, service names).
package suggest

import "strings"

// Closest returns the candidate nearest to name: at most one edit (a
// letter added, dropped, changed, or two neighbours swapped) for every
// three letters of name, or a candidate that name begins (for names of
// three letters or more). Ties go to the longer candidate. ok is false when
// none is close.
func Closest(name string, candidates []string) (best string, ok bool) {
	if len(name) < 2 {
		return "", false
	}
	bestDist := max(1, len(name)/3) + 1
	for _, c := range candidates {
		d := Distance(name, c)
		if len(name) >= 3 && strings.HasPrefix(c, name) {
			d = min(d, 1)
		}
		if d < bestDist || d == bestDist && ok && len(c) > len(best) {
			best, bestDist, ok = c, d, true
		}
	}
	return best, ok
}

// Distance is the edit distance between a and b, a swap of two neighbours
// counting as one edit ("quite" is one from "quiet").
func Distance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
