// Package shellquote quotes words for a POSIX shell, so that a command the
// plugin prints for the user to copy (a restore command carrying an entry's
// comment, say) runs with exactly the arguments it names.
package shellquote

import "strings"

// safe reports whether r needs no quoting in any position of a word.
func safe(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
		strings.ContainsRune("@%+=:,./_-", r)
}

// Quote returns s as one shell word: unchanged when every character is
// safe (letters, digits, @%+=:,./_-), else in single quotes, where a single
// quote of s is written as the four characters quote, backslash, quote,
// quote. The empty string is a pair of single quotes.
func Quote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool { return !safe(r) }) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Join quotes each word and joins them with spaces.
func Join(words ...string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = Quote(w)
	}
	return strings.Join(q, " ")
}
