package shellquote

import (
	"os/exec"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{
		"":                  "''",
		"203.0.113.0/24":    "203.0.113.0/24",
		"c-123_x":           "c-123_x",
		"office VPN":        "'office VPN'",
		"it's":              `'it'\''s'`,
		"$(rm -rf /)":       "'$(rm -rf /)'",
		"a`b`":              "'a`b`'",
		"--comment=x y":     "'--comment=x y'",
		"100%":              "100%",
		"*":                 "'*'",
		"~user":             "'~user'",
		"bureau à Zürich":   "'bureau à Zürich'",
		"back\\slash":       `'back\slash'`,
		"two\nlines":        "'two\nlines'",
		"semi;colon&amp|or": "'semi;colon&amp|or'",
	} {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
	if got := Join("allow", "--comment", "office VPN"); got != "allow --comment 'office VPN'" {
		t.Errorf("Join: %s", got)
	}
}

// FuzzQuote checks with a real shell that the quoted word is read back as
// the original string.
func FuzzQuote(f *testing.F) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		f.Skip("no sh")
	}
	for _, s := range []string{"", "office VPN", "it's", `"quoted" \ $HOME`, "$(id)", "`id`", "a'b'c", "tab\there", "ünïcode ✓", "!event", "*?[x]", "-n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.ContainsRune(s, 0) || !utf8.ValidString(s) {
			t.Skip("an argument cannot hold NUL; comments are UTF-8")
		}
		out, err := exec.Command(sh, "-c", "printf '%s' "+Quote(s)).Output()
		if err != nil {
			t.Fatalf("sh on %s: %v", Quote(s), err)
		}
		if string(out) != s {
			t.Fatalf("Quote(%q) = %s, which the shell reads as %q", s, Quote(s), out)
		}
	})
}
