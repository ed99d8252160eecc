// Package plural writes counts for people: "1 entry", "2 entries",
// "1 of 1 cluster", "1 of 3 clusters". Every count the plugin prints goes
// through it, so that no message says "1 entries".
package plural

import "fmt"

// Word is one (n == 1) or many (any other n, 0 included).
func Word(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// N is n followed by the noun that agrees with it: N(1, "entry", "entries")
// is "1 entry", N(0, ...) "0 entries".
func N(n int, one, many string) string {
	return fmt.Sprintf("%d %s", n, Word(n, one, many))
}

// Of is "k of n" followed by the noun that agrees with n: "1 of 1 cluster",
// "1 of 3 clusters".
func Of(k, n int, one, many string) string {
	return fmt.Sprintf("%d of %s", k, N(n, one, many))
}
