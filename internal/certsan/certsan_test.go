package certsan

import (
	"strings"
	"testing"
)

func TestCanonical(t *testing.T) {
	for _, tc := range []struct{ in, want, err string }{
		{"api.example.com", "api.example.com", ""},
		{"API.Example.COM", "api.example.com", ""},
		{" api.example.com", "", "a space or a control character"},
		{"api.example.com\n", "", "a space or a control character"},
		{"api.example.com\r", "", "a space or a control character"},
		{"api.\texample.com", "", "a space or a control character"},
		{"1.2.3", "", "last label"},
		{"300.1.1.1", "", "last label"},
		{"api.example.123", "", "last label"},
		{"api.123.example", "api.123.example", ""},
		{"*.apps.example.com", "*.apps.example.com", ""},
		{"localhost", "localhost", ""},
		{"203.0.113.7", "203.0.113.7", ""},
		{"2001:DB8::1", "2001:db8::1", ""},
		{"[2001:db8::1]", "2001:db8::1", ""},
		{"", "", "an empty name"},
		{"https://api.example.com", "", "is a URL, not a name"},
		{"api.example.com/x", "", "is a URL, not a name"},
		{"api.example.com:6443", "", "has a port"},
		{"bad_name", "", "neither an IP address nor a DNS name"},
		{"*.", "", "neither an IP address nor a DNS name"},
		{"a.*.example.com", "", "neither an IP address nor a DNS name"},
		{"-api.example.com", "", "neither an IP address nor a DNS name"},
		{"fe80::1%eth0", "", "zone"},
		{strings.Repeat("a", 64) + ".example.com", "", "neither an IP address nor a DNS name"},
	} {
		got, err := Canonical(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Canonical(%q) = %q, %v; want an error with %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("Canonical(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestParse(t *testing.T) {
	got, err := Parse([]string{"B.example.com", "a.example.com", "b.example.com"})
	if err != nil || strings.Join(got, ",") != "b.example.com,a.example.com" {
		t.Errorf("Parse = %q, %v; want the names once each, in order", got, err)
	}
	if _, err := Parse([]string{"ok.example.com", "bad_1", "bad_2"}); err == nil || !strings.Contains(err.Error(), "bad_1") || !strings.Contains(err.Error(), "bad_2") {
		t.Errorf("Parse of two bad names: %v; want both named", err)
	}
}

func TestCovers(t *testing.T) {
	names := []string{"api.example.com", "*.apps.example.com", "203.0.113.7"}
	for host, want := range map[string]bool{
		"api.example.com": true, "API.example.com": true, "x.apps.example.com": true,
		"apps.example.com": false, "a.b.apps.example.com": false, "203.0.113.7": true,
		"203.0.113.8": false, "other.example.com": false, "": false,
	} {
		if got := Covers(names, host); got != want {
			t.Errorf("Covers(%q) = %t, want %t", host, got, want)
		}
	}
}

// FuzzCanonical: any input gives a canonical name or an error, never a panic;
// a canonical name is its own canonical form, and has no scheme, port or space.
func FuzzCanonical(f *testing.F) {
	for _, s := range []string{"api.example.com", "*.a.b", "203.0.113.7", "[::1]", "a:1", "https://x", " X.Y ", "fe80::1%eth0", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Canonical(s)
		if err != nil {
			return
		}
		again, err := Canonical(c)
		if err != nil || again != c {
			t.Fatalf("Canonical(%q) = %q, but Canonical(%q) = %q, %v", s, c, c, again, err)
		}
		if strings.ContainsAny(c, " /") || (!IsIP(c) && strings.Contains(c, ":")) {
			t.Fatalf("Canonical(%q) = %q: not a bare host", s, c)
		}
	})
}
