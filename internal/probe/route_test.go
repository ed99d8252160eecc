package probe

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReach(t *testing.T) {
	hosts := filepath.Join(t.TempDir(), "hosts")
	if err := os.WriteFile(hosts, []byte("# the stories' DNS\n47.96.1.20 api.pro.example API.Both.example.\n::ffff:47.96.1.21 mapped.example\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvHosts, hosts)
	res, err := NewResolver()
	if err != nil {
		t.Fatal(err)
	}
	ct, err := ParseConnectTo("47.96.1.20:6443=127.0.0.1:16443,:6443=127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	n := &Network{Resolver: res, ConnectTo: ct}
	for _, tc := range []struct{ server, endpoints, note, err string }{
		{"https://api.pro.example:6443", "https://47.96.1.20:6443", "resolves to 47.96.1.20", ""},
		{"https://api.both.example:6443", "https://47.96.1.20:6443", "resolves to 47.96.1.20", ""},
		{"https://mapped.example", "https://47.96.1.21:443", "resolves to 47.96.1.21", ""},
		{"https://127.0.0.1:16443", "https://47.96.1.20:6443", "a tunnel to 47.96.1.20:6443 by ACK_EXPOSE_CONNECT_TO", ""},
		{"https://47.96.1.20:6443", "", "", ""}, // an address is itself
		{"https://127.0.0.1:1", "", "", ""},     // the target of a catch-all entry fronts no one endpoint
		{"https://api.nowhere.example:6443", "", "", "api.nowhere.example does not resolve from this machine (api.nowhere.example is not in the ACK_EXPOSE_HOSTS file)"},
	} {
		r := n.Reach(context.Background(), tc.server)
		if got := strings.Join(r.Endpoints, ","); got != tc.endpoints || r.Note != tc.note || r.Err != tc.err {
			t.Errorf("Reach(%s) = %+v, want endpoints %q note %q err %q", tc.server, r, tc.endpoints, tc.note, tc.err)
		}
	}
}

// FuzzReadHosts: a hosts file never panics the reader, and every name it
// returns is lower case without a trailing dot.
func FuzzReadHosts(f *testing.F) {
	for _, s := range []string{"47.96.1.20 api.pro.example\n", "# c\n\n::1 a b c # d\n", "notanip x\n", "1.2.3.4\n", "1.2.3.4 A.B.\n"} {
		f.Add(s)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, s string) {
		p := filepath.Join(dir, "hosts")
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		hosts, err := ReadHosts(p)
		if err != nil {
			return
		}
		for name := range hosts {
			if name != strings.ToLower(name) || strings.HasSuffix(name, ".") {
				t.Errorf("name %q not normalised", name)
			}
		}
	})
}
