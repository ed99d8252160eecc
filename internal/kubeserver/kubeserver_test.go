package kubeserver

import "testing"

// Spellings of one server that Go's HTTP client reaches at the same address
// and port: the lockout guard must see them as the server it guards.
func TestSameEndpointSpellings(t *testing.T) {
	const ep = "https://47.96.1.20:6443"
	same := []string{
		"https://47.96.1.20:6443",
		"HTTPS://47.96.1.20:6443/",
		"https://47.96.1.20.:6443",          // trailing dot (a fully qualified name)
		"https://[::ffff:47.96.1.20]:6443",  // IPv4-mapped IPv6
		"https://[::FFFF:2f60:0114]:6443",   // the same, in hex
		"https://47.96.1.20:6443/api",       // a path
		"https://47.96.1.20:6443/api?x=1#f", // a query and a fragment
		"https://user@47.96.1.20:6443",      // user info
		" https://47.96.1.20:6443 ",
		"47.96.1.20:6443", // no scheme: kubectl assumes https
	}
	for _, s := range same {
		if !SameEndpoint(ep, s) {
			t.Errorf("SameEndpoint(%q, %q) = false, want true (keys %q, %q)", ep, s, EndpointKey(ep), EndpointKey(s))
		}
	}
	differ := []string{
		"https://47.96.1.21:6443",
		"https://47.96.1.20:443",
		"https://47.96.1.20",
		"http://47.96.1.20:6443",
		"https://[::1]:6443",
		"",
	}
	for _, s := range differ {
		if SameEndpoint(ep, s) {
			t.Errorf("SameEndpoint(%q, %q) = true, want false", ep, s)
		}
	}
	// Default ports.
	for _, pair := range [][2]string{
		{"https://example.com", "https://EXAMPLE.com.:443/"},
		{"http://example.com", "http://example.com:80"},
		{"example.com", "https://example.com:443"},
	} {
		if !SameEndpoint(pair[0], pair[1]) {
			t.Errorf("SameEndpoint(%q, %q) = false, want true", pair[0], pair[1])
		}
	}
}

func TestEndpointHost(t *testing.T) {
	for in, want := range map[string]string{
		"https://1.2.3.4:6443":          "1.2.3.4",
		"https://1.2.3.4.:6443/api":     "1.2.3.4",
		"https://[::ffff:1.2.3.4]:6443": "1.2.3.4",
		"https://[::1]:6443/x":          "::1",
		"https://Example.COM.":          "example.com",
		"1.2.3.4":                       "1.2.3.4",
		"https://u:p@1.2.3.4:6443?q=1":  "1.2.3.4",
		"https://[2001:DB8::1]:6443/":   "2001:db8::1",
	} {
		if got := EndpointHost(in); got != want {
			t.Errorf("EndpointHost(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzEndpointKey: a key is stable (the key of a key is itself), and two
// URLs with the same key have the same host.
func FuzzEndpointKey(f *testing.F) {
	for _, s := range []string{"https://47.96.1.20:6443", "https://47.96.1.20.:6443", "https://[::ffff:47.96.1.20]:6443",
		"https://47.96.1.20:6443/api", "47.96.1.20", "http://x:80", "https://[::1]", "%zz", "https://a:b:c", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := EndpointKey(s)
		if k2 := EndpointKey(k); k2 != k {
			t.Fatalf("EndpointKey(%q) = %q, but EndpointKey(%q) = %q", s, k, k, k2)
		}
		if s != "" && !SameEndpoint(s, s) {
			t.Fatalf("SameEndpoint(%q, itself) = false", s)
		}
	})
}
