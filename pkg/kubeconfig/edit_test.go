package kubeconfig

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/ack-expose/ack-expose/pkg/errdefs"
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

func cluster(server string) *clientcmdapi.Cluster {
	c := clientcmdapi.NewCluster()
	c.Server, c.CertificateAuthorityData = server, []byte("CA")
	return c
}

func TestRoundTripKeepsTheFile(t *testing.T) {
	f, err := readFile(write(t, sample))
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.check()
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != sample {
		t.Errorf("round trip changed the file:\n%s", b)
	}
}

func TestEditsAreIdempotentAndKeepTheMode(t *testing.T) {
	p := write(t, sample)
	f, _ := readFile(p)
	ctx := &clientcmdapi.Context{Cluster: "ctx-public", AuthInfo: "1234"}
	if !f.setCluster("ctx-public", cluster("https://1.2.3.4:6443")) || !f.setContext("ctx-public", ctx) {
		t.Fatal("first edit reported no change")
	}
	if f.setCluster("ctx-public", cluster("https://1.2.3.4:6443")) || f.setContext("ctx-public", ctx) {
		t.Error("second edit reported a change")
	}
	if !f.setCurrentContext("ctx-public") || f.setCurrentContext("ctx-public") {
		t.Error("SetCurrentContext change reporting")
	}
	if err := f.save(); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want the file's 0644 kept", st.Mode().Perm())
	}
	b, _ := os.ReadFile(p)
	for _, want := range []string{"# top comment", "# public", "name: ctx-public", "server: https://1.2.3.4:6443", "current-context: ctx-public", "certificate-authority-data: Q0E="} {
		if !strings.Contains(string(b), want) {
			t.Errorf("saved file lacks %q:\n%s", want, b)
		}
	}
	// A new file is 0600: it holds credentials.
	n, err := readFile(filepath.Join(t.TempDir(), "new"))
	if err != nil {
		t.Fatal(err)
	}
	n.setCluster("c", cluster("https://a:6443"))
	if err := n.save(); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(n.Path); st.Mode().Perm() != 0o600 {
		t.Errorf("new file mode %v, want 0600", st.Mode().Perm())
	}
}

func TestSaveWritesThroughSymlinks(t *testing.T) {
	target := write(t, sample)
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(target, link); err != nil {
		t.Skip("no symlinks here:", err)
	}
	f, _ := readFile(link)
	f.setServer("kubernetes", "https://5.6.7.8:6443")
	if err := f.save(); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the symlink was replaced by a file")
	}
	if b, _ := os.ReadFile(target); !strings.Contains(string(b), "server: https://5.6.7.8:6443 # public") {
		t.Errorf("target not rewritten:\n%s", b)
	}
}

// The editor reads what clientcmd reads and rejects what it rejects: on the
// same input, readFile fails exactly when clientcmd.Load does, and an edited
// file is read by clientcmd as the edit meant.
var editorSeeds = []string{
	sample,
	"",
	"# only a comment\n",
	"null\n",
	`{"apiVersion":"v1","kind":"Config","current-context":"x","contexts":[{"name":"x","context":{"cluster":"k","namespace":"ns"}}],"clusters":[{"name":"k","cluster":{"server":"https://1.2.3.4:6443","insecure-skip-tls-verify":true}}]}`,
	// a cluster name defined twice: kubectl rejects the file.
	"clusters:\n- name: a\n  cluster:\n    server: https://a\n- name: a\n  cluster:\n    server: https://b\n",
	"contexts:\n- name: c\n  context: {cluster: a}\n- name: c\n  context: {cluster: b}\n",
	"base: &base\n  server: https://anchored:6443\nclusters:\n- name: a\n  cluster:\n    <<: *base\n    server: https://own:6443\n- name: b\n  cluster: *base\n",
	"clusters:\n- &one\n  name: kubernetes\n  cluster: {server: https://one}\n",
	"clusters:\n- name: 123\n  cluster:\n    server: https://n\n    certificate-authority: ca.crt\n",
	"clusters: 5\n",
	"clusters:\n- cluster: [1]\n  name: x\n",
	"clusters:\n- name: x\n  cluster:\n    insecure-skip-tls-verify: maybe\n",
	"- just\n- a list\n",
	"apiVersion: v1\nclusters: [\n",
}

func TestEditorMatchesClientcmd(t *testing.T) {
	for _, s := range editorSeeds {
		checkAgainstClientcmd(t, []byte(s))
	}
	// The cluster name defined twice, named: the error says what kubectl says.
	_, err := readFile(write(t, editorSeeds[5]))
	if errdefs.KindOf(err) != errdefs.KindInvalid || !strings.Contains(err.Error(), `duplicate name "a"`) {
		t.Errorf("a cluster defined twice: %v", err)
	}
}

func FuzzEdit(f *testing.F) {
	for _, s := range editorSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkAgainstClientcmd(t, data)
	})
}

func checkAgainstClientcmd(t *testing.T, data []byte) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	_, kerr := clientcmd.Load(data)
	f, err := readFile(p)
	if kerr != nil {
		if err == nil {
			t.Fatalf("clientcmd rejects %q (%v), the editor reads it", data, kerr)
		}
		return
	}
	if err != nil {
		// The editor may be stricter (yaml.v3 is YAML 1.2), never laxer.
		return
	}
	f.setCluster("added", cluster("https://9.9.9.9:6443"))
	f.setContext("added", &clientcmdapi.Context{Cluster: "added", AuthInfo: "u"})
	f.setServer("kubernetes", "https://8.8.8.8:6443")
	f.setCurrentContext("added")
	out, err := f.check()
	if err != nil {
		return // refused: the file is left alone
	}
	got, err := clientcmd.Load(out)
	if err != nil {
		t.Fatalf("edited %q into %q, which clientcmd rejects: %v", data, out, err)
	}
	if got.Clusters["added"] == nil || got.Clusters["added"].Server != "https://9.9.9.9:6443" || got.CurrentContext != "added" ||
		got.Contexts["added"] == nil || got.Contexts["added"].AuthInfo != "u" {
		t.Fatalf("edited %q into %q: the edits are not there", data, out)
	}
}

func TestLockIsKubectls(t *testing.T) {
	p := write(t, sample)
	if err := os.WriteFile(p+".lock", nil, 0); err != nil {
		t.Fatal(err)
	}
	_, err := lockFiles([]string{p}, 30*time.Millisecond)
	if errdefs.KindOf(err) != errdefs.KindConflict || !strings.Contains(err.Error(), p+".lock") {
		t.Fatalf("held lock: %v", err)
	}
	if err := os.Remove(p + ".lock"); err != nil {
		t.Fatal(err)
	}
	unlock, err := lockFiles([]string{p, p}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p + ".lock"); err != nil {
		t.Errorf("no lock file while held: %v", err)
	}
	unlock(true)
	if _, err := os.Stat(p + ".lock"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("lock file left behind: %v", err)
	}
}

func TestRepointAcrossFiles(t *testing.T) {
	a := write(t, sample)
	b := write(t, strings.ReplaceAll(sample, "ctx", "other"))
	s := NewSource()
	s.Rules.Precedence = []string{a, b}
	uses, err := s.Repoint("https://47.96.1.20:6443/", "https://47.96.1.21:6443")
	if err != nil || len(uses) != 2 {
		t.Fatalf("Repoint = %v, %v", uses, err)
	}
	for _, p := range []string{a, b} {
		data, _ := os.ReadFile(p)
		if !strings.Contains(string(data), "server: https://47.96.1.21:6443 # public") {
			t.Errorf("%s not repointed:\n%s", p, data)
		}
		if _, err := os.Stat(p + ".lock"); err == nil {
			t.Errorf("lock left on %s", p)
		}
	}
	if left, _ := s.ClustersAt("https://47.96.1.20:6443"); len(left) != 0 {
		t.Errorf("entries still on the old endpoint: %v", left)
	}
}

func TestAddContextNeverOverwritesAnotherCluster(t *testing.T) {
	p := write(t, sample+`- name: other
  user: {token: o}
`)
	f, _ := readFile(p)
	f.setCluster("elsewhere", cluster("https://10.0.0.1:6443"))
	f.setContext("taken", &clientcmdapi.Context{Cluster: "elsewhere", AuthInfo: "other"})
	if err := f.save(); err != nil {
		t.Fatal(err)
	}
	s := NewSource()
	s.Rules.ExplicitPath = p
	from := Context{Name: "ctx", Server: "https://47.96.1.20:6443", User: "1234"}
	endpoints := []string{"https://47.96.1.20:6443", "https://192.168.0.1:6443"}
	for _, name := range []string{"taken", "ctx"} {
		before, _ := os.ReadFile(p)
		_, err := s.AddContext(ContextSpec{From: from, Name: name, Server: "https://192.168.0.1:6443", Endpoints: endpoints})
		if errdefs.KindOf(err) != errdefs.KindConflict {
			t.Errorf("--name %s: %v, want a conflict", name, err)
		}
		if after, _ := os.ReadFile(p); string(after) != string(before) {
			t.Errorf("--name %s changed the file", name)
		}
	}
	res, err := s.AddContext(ContextSpec{From: from, Suffix: "-private", Server: "https://192.168.0.1:6443", Endpoints: endpoints})
	if err != nil || res.Context != "ctx-private" || !res.Changed {
		t.Fatalf("add: %+v, %v", res, err)
	}
	// On the derived context: the base name, nothing to do.
	again := Context{Name: "ctx-private", Server: "https://192.168.0.1:6443", User: "1234"}
	res, err = s.AddContext(ContextSpec{From: again, Suffix: "-private", Server: "https://192.168.0.1:6443", Endpoints: endpoints})
	if err != nil || res.Context != "ctx-private" || res.Changed {
		t.Fatalf("again: %+v, %v", res, err)
	}
}

// An edit the YAML nodes cannot make without touching another entry (an
// anchor shared by two clusters) is refused, and the file left alone.
func TestEditRefusesToChangeWhatItDidNotMean(t *testing.T) {
	in := "clusters:\n- name: a\n  cluster: &c {server: https://one}\n- name: b\n  cluster: *c\n"
	p := write(t, in)
	f, err := readFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !f.setServer("a", "https://two") {
		t.Fatal("SetServer reported no change")
	}
	if err := f.save(); errdefs.KindOf(err) != errdefs.KindInvalid || !strings.Contains(err.Error(), "without changing entries it did not mean to") {
		t.Errorf("Save = %v, want a refusal", err)
	}
	if b, _ := os.ReadFile(p); string(b) != in {
		t.Errorf("the file changed:\n%s", b)
	}
}
