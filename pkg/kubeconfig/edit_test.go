package kubeconfig

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const sample = `# top comment
apiVersion: v1
clusters:
- cluster:
    server: https://47.96.1.20:6443 # public
  name: kubernetes
contexts:
- context:
    cluster: kubernetes
    user: "1234"
  name: ctx
current-context: ctx
kind: Config
users:
- name: "1234"
  user:
    token: t
`

func write(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRoundTripKeepsTheFile(t *testing.T) {
	f, err := loadTestFile(write(t, sample))
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	// yaml.v3 normalises the space before an inline comment; nothing else moves.
	if want := strings.Replace(sample, "6443 # public", "6443 # public", 1); string(b) != want {
		t.Errorf("round trip changed the file:\n%s", b)
	}
}

func TestUpsertIsIdempotent(t *testing.T) {
	p := write(t, sample)
	f, _ := loadTestFile(p)
	fields := []KV{{"server", "https://1.2.3.4:6443"}, {"certificate-authority-data", "Q0E="}}
	if !f.UpsertCluster("ctx-public", fields) || !f.UpsertContext("ctx-public", "ctx-public", "1234", "") {
		t.Fatal("first upsert reported no change")
	}
	if f.UpsertCluster("ctx-public", fields) || f.UpsertContext("ctx-public", "ctx-public", "1234", "") {
		t.Error("second upsert reported a change")
	}
	if !f.SetCurrentContext("ctx-public") || f.SetCurrentContext("ctx-public") {
		t.Error("SetCurrentContext change reporting")
	}
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(p)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	b, _ := os.ReadFile(p)
	for _, want := range []string{"# top comment", "# public", "name: ctx-public", "server: https://1.2.3.4:6443", "current-context: ctx-public"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("saved file lacks %q:\n%s", want, b)
		}
	}
	// Exactly one context, ctx, uses the cluster entry "kubernetes".
	if cfg, err := f.Config(); err != nil || contextUsing(cfg, "kubernetes", "") != "ctx" || contextUsing(cfg, "kubernetes", "ctx") != "" {
		t.Errorf("contexts using kubernetes: %v %v", cfg, err)
	}
}

func TestSetServerAndEmptyFile(t *testing.T) {
	f, err := loadTestFile(filepath.Join(t.TempDir(), "new"))
	if err != nil {
		t.Fatal(err)
	}
	if f.SetServer("nope", "https://x") {
		t.Error("SetServer on a missing entry reported a change")
	}
	f.UpsertCluster("c", []KV{{"server", "https://a:6443"}, {"insecure-skip-tls-verify", "true"}})
	if !f.SetServer("c", "https://b:6443") || f.SetServer("c", "https://b:6443") {
		t.Error("SetServer change reporting")
	}
	if cfg, err := f.Config(); err != nil || len(cfg.Clusters) != 1 || cfg.Clusters["c"] == nil || cfg.Clusters["c"].Server != "https://b:6443" {
		t.Errorf("cluster servers: %v %v", cfg, err)
	}
	b, _ := f.Bytes()
	if !strings.Contains(string(b), "apiVersion: v1") || !strings.Contains(string(b), "insecure-skip-tls-verify: true") {
		t.Errorf("new file:\n%s", b)
	}
	if _, err := loadTestFile(write(t, "- just\n- a list\n")); err == nil {
		t.Error("a top-level list was accepted")
	}
}

func TestRepointAcrossFiles(t *testing.T) {
	a := write(t, sample)
	b := write(t, strings.ReplaceAll(sample, "ctx", "other"))
	s := NewSource()
	s.Precedence = []string{a, b}
	uses, err := s.Repoint("https://47.96.1.20:6443/", "https://47.96.1.21:6443")
	if err != nil || len(uses) != 2 {
		t.Fatalf("Repoint = %v, %v", uses, err)
	}
	for _, p := range []string{a, b} {
		data, _ := os.ReadFile(p)
		if !strings.Contains(string(data), "server: https://47.96.1.21:6443 # public") {
			t.Errorf("%s not repointed:\n%s", p, data)
		}
	}
	if left, _ := s.ClustersAt("https://47.96.1.20:6443"); len(left) != 0 {
		t.Errorf("entries still on the old endpoint: %v", left)
	}
}

func loadTestFile(path string) (*File, error) {
	f, _, err := loadFile(path)
	return f, err
}
