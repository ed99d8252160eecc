package kubeconfig

import "testing"

// Run again from the context it made, the kubeconfig command names the same
// context: a suffix it gave is never given twice.
func TestContextNameNeverSuffixedTwice(t *testing.T) {
	for _, tc := range []struct {
		from, server, suffix, want string
	}{
		{"prod", "https://47.96.1.20:6443", "-public", "prod-public"},
		{"prod-public", "https://47.96.1.20:6443", "-public", "prod-public"},
		{"prod-public", "https://192.168.1.10:6443", "-private", "prod-private"},
		{"prod", "https://47.96.1.20:6443", "-api.example.com", "prod-api.example.com"},
		{"prod-api.example.com", "https://api.example.com:6443", "-api.example.com", "prod-api.example.com"},
		{"prod-api.example.com", "https://api.example.com:6443", "-ops.example.com", "prod-ops.example.com"},
		{"prod-api.example.com", "https://api.example.com:6443", "-public", "prod-public"},
		{"prod-public", "https://47.96.1.20:6443", "-api.example.com", "prod-api.example.com"},
		// A context made with --server-name whose server is now an address
		// (repointed by hand): the suffix asked for is still not given twice.
		{"prod-api.example.com", "https://47.96.1.20:6443", "-api.example.com", "prod-api.example.com"},
		// A name that merely ends like an address is kept.
		{"prod-47.96.1.20", "https://47.96.1.20:6443", "-public", "prod-47.96.1.20-public"},
		{"-public", "https://47.96.1.20:6443", "-public", "-public-public"},
	} {
		got, explicit := contextName(ContextSpec{From: Context{Name: tc.from, Server: tc.server}, Suffix: tc.suffix})
		if got != tc.want || explicit {
			t.Errorf("from %s (%s) with %s: %q, want %q", tc.from, tc.server, tc.suffix, got, tc.want)
		}
	}
	if got, explicit := contextName(ContextSpec{Name: "mine-public", From: Context{Name: "prod"}, Suffix: "-public"}); got != "mine-public" || !explicit {
		t.Errorf("--name: %q", got)
	}
}
