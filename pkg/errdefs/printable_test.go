package errdefs

import "testing"

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"plain text, ünïcode":             "plain text, ünïcode",
		"\x1b]0;pwned\a\x1b[2Jevil\nFAKE": `\x1b]0;pwned\a\x1b[2Jevil\nFAKE`,
		"a\nFAKE: ok":                     `a\nFAKE: ok`,
		"a\u2028b\u2029c\u202ed":          `a\u2028b\u2029c\u202ed`,
	} {
		if got := Printable(in); got != want {
			t.Errorf("Printable(%q) = %q, want %q", in, got, want)
		}
	}
}
