package kubeconfig

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	// kubectl's own loader, as the reference: test-only, it is not linked
	// into the plugin (see parse.go).
	"k8s.io/client-go/tools/clientcmd"
)

const ackSample = `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==
    server: https://192.168.0.10:6443
  name: kubernetes
contexts:
- context:
    cluster: kubernetes
    user: "1234567890123456"
  name: 1234567890123456-c3db9c1b3dbc70a2394fb679ba3a5b181
current-context: 1234567890123456-c3db9c1b3dbc70a2394fb679ba3a5b181
kind: Config
preferences: {}
users:
- name: "1234567890123456"
  user:
    client-certificate-data: LS0tCg==
    client-key-data: LS0tCg==
`

var parseSeeds = []string{
	ackSample,
	"",
	"# only a comment\n",
	"null\n",
	`{"apiVersion":"v1","kind":"Config","current-context":"x","contexts":[{"name":"x","context":{"cluster":"k","namespace":"ns"}}],"clusters":[{"name":"k","cluster":{"server":"https://1.2.3.4:6443","insecure-skip-tls-verify":true}}]}`,
	"clusters:\n- name: a\n  cluster:\n    server: https://a\n- name: a\n  cluster:\n    server: https://b\n",
	"base: &base\n  server: https://anchored:6443\n  tls-server-name: anchored\nclusters:\n- name: a\n  cluster:\n    <<: *base\n    server: https://own:6443\n- name: b\n  cluster: *base\n",
	"one: &one {server: https://one, proxy-url: http://one}\ntwo: &two {server: https://two, tls-server-name: two}\nclusters:\n- name: m\n  cluster: {<<: [*one, *two, *one], proxy-url: http://own}\n",
	"clusters:\n- name: 123\n  cluster:\n    server: https://n\n    certificate-authority: ca.crt\n    proxy-url: http://proxy:3128\n",
	"contexts:\n- name: c\n  context: null\n- name: d\n",
	"clusters: []\ncontexts: null\ncurrent-context: \"\"\nunknown: {a: [1, 2]}\n",
	"clusters: 5\n",
	"clusters:\n- cluster: [1]\n  name: x\n",
	"clusters:\n- name: x\n  cluster:\n    insecure-skip-tls-verify: maybe\n",
	"contexts:\n- name: x\n  context:\n    cluster: {a: b}\n",
	"- just\n- a list\n",
	"apiVersion: v1\nclusters: [\n",
}

func TestParseErrorsNameLineAndPath(t *testing.T) {
	for in, want := range map[string]string{
		"clusters: 5\n":                          "line 1: clusters must be a list, not \"5\"",
		"clusters:\n- cluster: [1]\n  name: x\n": "line 2: clusters[0].cluster must be a mapping, not a list",
		"clusters:\n- name: x\n  cluster:\n    insecure-skip-tls-verify: maybe\n": "line 4: clusters[0].cluster.insecure-skip-tls-verify must be true or false, not \"maybe\"",
		"contexts:\n- name: x\n  context:\n    cluster: {a: b}\n":                 "line 4: contexts[0].context.cluster must be a string, not a mapping",
		"- just\n- a list\n":            "line 1: the top level must be a mapping (apiVersion, clusters, contexts, ...), not a list",
		"apiVersion: v1\nclusters: [\n": "not valid YAML: line 2: did not find expected node content",
	} {
		_, err := parse([]byte(in))
		if err == nil || err.Error() != want {
			t.Errorf("parse(%q) = %v, want %q", in, err, want)
		}
	}
}

func TestParseMergeKeysStayLinear(t *testing.T) {
	// Each level merges the previous one twice: expanding naively would take
	// 2^40 steps.
	var b strings.Builder
	b.WriteString("l0: &l0 {server: https://deep:6443}\n")
	for i := 1; i <= 40; i++ {
		fmt.Fprintf(&b, "l%d: &l%d {<<: [*l%d, *l%d]}\n", i, i, i-1, i-1)
	}
	b.WriteString("clusters:\n- name: deep\n  cluster: {<<: *l40}\n")
	cfg, err := parse([]byte(b.String()))
	if err != nil || cfg.Clusters["deep"].Server != "https://deep:6443" {
		t.Fatalf("%v, %v", cfg, err)
	}
}

func TestParseMatchesKubectl(t *testing.T) {
	for _, s := range parseSeeds {
		compareWithClientcmd(t, []byte(s))
	}
}

// FuzzParse checks parse against client-go's loader: whatever kubectl reads
// as valid YAML, parse reads the same way. (parse may accept files kubectl
// rejects for fields parse ignores, such as users.)
func FuzzParse(f *testing.F) {
	for _, s := range parseSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		compareWithClientcmd(t, data)
	})
}

func compareWithClientcmd(t *testing.T, data []byte) {
	t.Helper()
	want, werr := clientcmd.Load(data)
	got, err := parse(data)
	if werr != nil {
		return
	}
	if yaml11Scalars(data) {
		// kubectl parses YAML 1.1 (yes/no/on/off are booleans), yaml.v3 YAML 1.2.
		return
	}
	if err != nil && strings.HasPrefix(err.Error(), "not valid YAML") {
		// The two YAML parsers disagree on some malformed input; that is
		// not about kubeconfig semantics.
		return
	}
	if err != nil {
		t.Fatalf("kubectl reads %q, parse fails: %v", data, err)
	}
	if got.CurrentContext != want.CurrentContext {
		t.Errorf("%q: current-context %q, kubectl %q", data, got.CurrentContext, want.CurrentContext)
	}
	if len(got.Clusters) != len(want.Clusters) || len(got.Contexts) != len(want.Contexts) {
		t.Fatalf("%q: %d clusters and %d contexts, kubectl %d and %d", data, len(got.Clusters), len(got.Contexts), len(want.Clusters), len(want.Contexts))
	}
	for name, w := range want.Clusters {
		g := got.Clusters[name]
		if g == nil {
			t.Fatalf("%q: cluster %q missing", data, name)
		}
		ca, err := base64.StdEncoding.DecodeString(g.CertificateAuthorityData)
		if g.Server != w.Server || g.CertificateAuthority != w.CertificateAuthority || g.TLSServerName != w.TLSServerName ||
			g.ProxyURL != w.ProxyURL || g.InsecureSkipTLSVerify != w.InsecureSkipTLSVerify || err != nil || string(ca) != string(w.CertificateAuthorityData) {
			t.Errorf("%q: cluster %q is %+v, kubectl %+v", data, name, g, w)
		}
	}
	for name, w := range want.Contexts {
		g := got.Contexts[name]
		if g == nil || g.Cluster != w.Cluster || g.AuthInfo != w.AuthInfo || g.Namespace != w.Namespace {
			t.Errorf("%q: context %q is %+v, kubectl %+v", data, name, g, w)
		}
	}
}

// yaml11Scalars reports plain scalars that YAML 1.1 and 1.2 read differently.
func yaml11Scalars(data []byte) bool {
	for _, w := range strings.FieldsFunc(strings.ToLower(string(data)), func(r rune) bool {
		return r == ' ' || r == '\n' || r == ':' || r == ',' || r == '[' || r == ']' || r == '{' || r == '}' || r == '-'
	}) {
		switch w {
		case "y", "n", "yes", "no", "on", "off":
			return true
		}
	}
	return false
}

func TestLoadMergesFirstWins(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a")
	b := filepath.Join(dir, "b")
	if err := os.WriteFile(a, []byte("contexts:\n- name: shared\n  context:\n    cluster: from-a\nclusters:\n- name: ca\n  cluster:\n    certificate-authority: rel/ca.crt\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(b, []byte("current-context: shared\ncontexts:\n- name: shared\n  context:\n    cluster: from-b\n- name: only-b\n  context:\n    cluster: x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KUBECONFIG", a+string(os.PathListSeparator)+filepath.Join(dir, "missing")+string(os.PathListSeparator)+b+string(os.PathListSeparator)+a)
	s := NewSource()
	if got := s.Files(); len(got) != 3 {
		t.Errorf("files %v: want a, missing, b (duplicates dropped)", got)
	}
	cfg, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.CurrentContext != "shared" || cfg.Contexts["shared"].Cluster != "from-a" || cfg.Contexts["only-b"] == nil {
		t.Errorf("merged %+v, contexts %v", cfg, cfg.Contexts)
	}
	if got := cfg.Clusters["ca"].CertificateAuthority; got != filepath.Join(dir, "rel", "ca.crt") {
		t.Errorf("relative CA path %q, want it relative to the file", got)
	}
	// --kubeconfig reads that file alone, and it must exist.
	s.ExplicitPath = b
	if cfg, err = s.Load(); err != nil || cfg.Contexts["shared"].Cluster != "from-b" {
		t.Errorf("explicit: %v, %v", cfg, err)
	}
	s.ExplicitPath = filepath.Join(dir, "missing")
	if _, err := s.Load(); err == nil {
		t.Error("a missing --kubeconfig file was accepted")
	}
}
