// Package suggest finds the known name that a mistyped one most likely
// meant, for the "did you mean" of every message that refuses a name: roles,
// Console roles, policy keys and bridge configuration keys.
//
// The rules, in order:
//
//  1. An empty name, one longer than MaxLen bytes, or one that is not UTF-8
//     has no suggestion, so that a huge value costs nothing to refuse.
//  2. Names are compared in lower case, by Levenshtein distance counted in
//     runes; a known name within distance 2 is a candidate ("Admin" →
//     "admin" at 0, "agnet" → "agent" at 2, "clockskew" → "clock_skew" at 1).
//  3. The closest candidate wins, the first in the given order on a tie.
package suggest

import (
	"strings"
	"unicode/utf8"
)

// MaxLen bounds the input that is compared by edit distance.
const MaxLen = 64

// Closest returns the one of the n known names (name(i) for i in [0, n))
// that s most likely meant, or "" when none is within distance 2.
func Closest(s string, n int, name func(int) string) string {
	if s == "" || len(s) > MaxLen || !utf8.ValidString(s) {
		return ""
	}
	lower := strings.ToLower(s)
	best, bestDist := "", 3
	for i := range n {
		if d := distance(lower, strings.ToLower(name(i)), bestDist); d < bestDist {
			best, bestDist = name(i), d
		}
	}
	return best
}

// Among is Closest over a list of names.
func Among(s string, names ...string) string {
	return Closest(s, len(names), func(i int) string { return names[i] })
}

// distance returns the Levenshtein distance between a and b, counted in
// runes, or limit when it is limit or more. Both are short (MaxLen and a
// known name), so the whole table is computed.
func distance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return min(prev[len(rb)], limit)
}
