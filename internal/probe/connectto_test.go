package probe

import "testing"

func TestParseConnectTo(t *testing.T) {
	c, err := ParseConnectTo("47.96.1.10:6443=127.0.0.1:16443, [fd00::1]:6443=[::1]:2000,:443=127.0.0.1:3000")
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		"47.96.1.10:6443": "127.0.0.1:16443",
		"47.96.1.11:6443": "47.96.1.11:6443",
		"47.96.1.10:443":  "127.0.0.1:3000",
		"[FD00::1]:6443":  "[::1]:2000",
		"example.com:443": "127.0.0.1:3000",
	} {
		if got := c.Target(in); got != want {
			t.Errorf("Target(%s) = %s, want %s", in, got, want)
		}
	}
	for _, bad := range []string{
		"47.96.1.10:6443",           // no '='
		"47.96.1.10=127.0.0.1:1",    // no port on the left
		"47.96.1.10:6443=127.0.0.1", // no port on the right
		"47.96.1.10:6443=:80",       // no host on the right
		"47.96.1.10:70000=127.0.0.1:1",
		"47.96.1.10:6443=127.0.0.1:0",
		"fd00::1:6443=127.0.0.1:1", // IPv6 without brackets
		"a:1=b:2,,",                // empty entry
	} {
		if _, err := ParseConnectTo(bad); err == nil {
			t.Errorf("ParseConnectTo(%q): no error", bad)
		}
	}
	// The most specific entry wins, wherever it is: a mapping appended
	// after serve's catch-all (":6443=...") is not shadowed by it.
	c, err = ParseConnectTo(":6443=127.0.0.1:1,:=127.0.0.1:9,47.96.1.10:=127.0.0.1:3,47.96.1.10:6443=127.0.0.1:2,47.96.1.10:6443=127.0.0.1:4")
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		"47.96.1.10:6443": "127.0.0.1:2", // host and port; the first of two
		"47.96.1.10:443":  "127.0.0.1:3", // host only
		"47.96.1.11:6443": "127.0.0.1:1", // port only
		"47.96.1.11:443":  "127.0.0.1:9", // any
	} {
		if got := c.Target(in); got != want {
			t.Errorf("Target(%s) = %s, want %s", in, got, want)
		}
	}
	if c, err := ParseConnectTo(" "); err != nil || c.Len() != 0 {
		t.Errorf("empty value: %v, %d entries", err, c.Len())
	}
}

func FuzzParseConnectTo(f *testing.F) {
	for _, s := range []string{"47.96.1.10:6443=127.0.0.1:16443", "[::1]:1=[::1]:2,a:3=b:4", ":6443=127.0.0.1:1", "=", ",", "a:b=c:d", "x:1=y:65536"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseConnectTo(s)
		if err != nil {
			return
		}
		// Every mapping is to a dialable host:port.
		for _, e := range c.entries {
			if e.to == "" {
				t.Fatalf("%q: empty target", s)
			}
		}
		_ = c.Target("47.96.1.10:6443")
	})
}
