package kubeconfig

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strconv"

	"go.yaml.in/yaml/v3"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/ack-expose/ack-expose/internal/atomicfile"
	"github.com/ack-expose/ack-expose/internal/yamlfmt"
	"github.com/ack-expose/ack-expose/pkg/errdefs"
)

// editFile is one kubeconfig file being edited: its YAML nodes, so that comments,
// key order and every entry the edit does not touch survive, and, beside
// them, the config clientcmd reads from it with the edits applied. Save
// writes the nodes only if clientcmd reads them as exactly that config.
type editFile struct {
	Path string
	doc  *yaml.Node
	want *clientcmdapi.Config
	// exists says whether the file was there; mode is its permissions.
	exists bool
	mode   fs.FileMode
}

// readFile reads a kubeconfig file for editing. clientcmd must accept it:
// what kubectl rejects (a name defined twice in a list, a wrong type), the
// editor rejects too, naming the file (KindInvalid). A missing file is an
// empty config.
func readFile(path string) (*editFile, error) {
	f := &editFile{Path: path, mode: 0o600}
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, invalidFile(path, err)
	default:
		f.exists = true
		if st, err := os.Stat(path); err == nil {
			f.mode = st.Mode().Perm()
		}
	}
	if f.want, err = clientcmd.Load(data); err != nil {
		return nil, invalidFile(path, err)
	}
	f.doc = &yaml.Node{}
	if len(bytes.TrimSpace(data)) > 0 {
		if err := yaml.Unmarshal(data, f.doc); err != nil {
			return nil, invalidFile(path, err)
		}
	}
	if f.doc.Kind == 0 || len(f.doc.Content) == 0 || isNull(f.doc.Content[0]) {
		f.doc = &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode}}}
		setScalar(f.root(), "apiVersion", "v1")
		setScalar(f.root(), "kind", "Config")
	}
	if f.root().Kind != yaml.MappingNode {
		return nil, invalidFile(path, errors.New("the top level is not a mapping"))
	}
	return f, nil
}

// config is the file's config as clientcmd reads it, with the edits so far.
func (f *editFile) config() *clientcmdapi.Config { return f.want }

func (f *editFile) root() *yaml.Node { return f.doc.Content[0] }

// bytes renders the file in kubectl's style (2 spaces, compact sequences).
func (f *editFile) bytes() ([]byte, error) { return yamlfmt.Marshal(f.doc) }

// check renders the file and makes sure clientcmd reads it as the config the
// edits meant: anything else (an anchor, a merge key or a duplicate the node
// edits could not see) would change the file's meaning, so it is an error.
func (f *editFile) check() ([]byte, error) {
	data, err := f.bytes()
	if err != nil {
		return nil, err
	}
	got, err := clientcmd.Load(data)
	if err != nil {
		return nil, fmt.Errorf("editing kubeconfig %s would make a file kubectl rejects (%v); nothing was written", f.Path, err)
	}
	a, err1 := clientcmd.Write(*got)
	b, err2 := clientcmd.Write(*f.want)
	if err := errors.Join(err1, err2); err != nil {
		return nil, err
	}
	if !bytes.Equal(a, b) {
		return nil, &errdefs.Error{Kind: errdefs.KindInvalid, Msg: fmt.Sprintf("cannot edit kubeconfig %s without changing entries it did not mean to (YAML anchors or merge keys?); nothing was written", f.Path),
			Hint: "Edit the file by hand, or use `kubectl config set-cluster/set-context`."}
	}
	return data, nil
}

// save writes the file atomically, checked (see check), through symlinks to
// their target, keeping its mode (0600 for a new file: it holds credentials).
func (f *editFile) save() error {
	data, err := f.check()
	if err != nil {
		return err
	}
	target, err := resolveLinks(f.Path)
	if err != nil {
		return err
	}
	if err := writable(target); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
		return err
	}
	return atomicfile.WriteFile(target, data, f.mode)
}

// ResolveLinks follows path's symlinks to the file they name, even when that
// file does not exist yet, as kubectl's writes do.
func ResolveLinks(path string) (string, error) { return resolveLinks(path) }

func resolveLinks(path string) (string, error) { return atomicfile.ResolveLinks(path) }

// writableFile reports, as kubectl's permission error would, whether path (after
// its symlinks) can be rewritten: the file opened for writing, and a new file
// made beside it for the atomic replacement. Nothing is changed. The error is
// KindInvalid and names the file.
func writableFile(path string) error {
	target, err := resolveLinks(path)
	if err != nil {
		return err
	}
	if err := writable(target); err != nil {
		return err
	}
	if dir := filepath.Dir(path); dir != filepath.Dir(target) {
		// kubectl's lock goes beside the path, not its target.
		return newFileIn(dir, path)
	}
	return nil
}

func writable(target string) error {
	if f, err := os.OpenFile(target, os.O_WRONLY, 0); err == nil {
		_ = f.Close()
	} else if !errors.Is(err, fs.ErrNotExist) {
		return &errdefs.Error{Kind: errdefs.KindInvalid, Msg: "cannot write kubeconfig " + target, Err: err,
			Hint: "Make it writable (chmod u+w " + target + "), or point --kubeconfig / KUBECONFIG at a file you can write."}
	}
	return newFileIn(filepath.Dir(target), target)
}

// newFileIn checks that dir takes a new file (the atomic replacement of
// path, or kubectl's lock beside it), leaving nothing behind.
func newFileIn(dir, path string) error {
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".check-*")
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil // the directory is created on save
		}
		return &errdefs.Error{Kind: errdefs.KindInvalid, Msg: "cannot write kubeconfig " + path + ": its directory " + dir + " does not take new files", Err: err,
			Hint: "The file is replaced atomically through a new file beside it, under kubectl's lock (" + filepath.Base(path) + ".lock): make " + dir + " writable, or move the kubeconfig."}
	}
	_ = tmp.Close()
	_ = os.Remove(tmp.Name())
	return nil
}

// setCluster adds or replaces the cluster entry name; it reports whether the
// file changes.
func (f *editFile) setCluster(name string, c *clientcmdapi.Cluster) bool {
	if old := f.want.Clusters[name]; old != nil && sameCluster(old, c) {
		return false
	}
	f.want.Clusters[name] = c.DeepCopy()
	f.want.Clusters[name].LocationOfOrigin = ""
	f.upsert("clusters", "cluster", name, clusterNode(c))
	return true
}

// setContext adds or replaces the context name; it reports whether the file changes.
func (f *editFile) setContext(name string, c *clientcmdapi.Context) bool {
	if old := f.want.Contexts[name]; old != nil && old.Cluster == c.Cluster && old.AuthInfo == c.AuthInfo && old.Namespace == c.Namespace {
		return false
	}
	nc := clientcmdapi.NewContext()
	nc.Cluster, nc.AuthInfo, nc.Namespace = c.Cluster, c.AuthInfo, c.Namespace
	f.want.Contexts[name] = nc
	fields := []kv{{"cluster", c.Cluster}, {"user", c.AuthInfo}, {"namespace", c.Namespace}}
	f.upsert("contexts", "context", name, mapping(fields))
	return true
}

// setCurrentContext makes name current; it reports whether that changed.
func (f *editFile) setCurrentContext(name string) bool {
	if f.want.CurrentContext == name {
		return false
	}
	f.want.CurrentContext = name
	setScalar(f.root(), "current-context", name)
	return true
}

// setServer points the cluster entry name at server, keeping the rest of it;
// it reports whether that changed.
func (f *editFile) setServer(name, server string) bool {
	c := f.want.Clusters[name]
	if c == nil || c.Server == server {
		return false
	}
	c.Server = server
	_, body := f.entry("clusters", "cluster", name)
	if body == nil || body.Kind != yaml.MappingNode {
		body = &yaml.Node{Kind: yaml.MappingNode}
		f.upsert("clusters", "cluster", name, body)
	}
	setScalar(body, "server", server)
	return true
}

func sameCluster(a, b *clientcmdapi.Cluster) bool {
	x, y := *a, *b
	x.LocationOfOrigin, y.LocationOfOrigin = "", ""
	x.Extensions, y.Extensions = nil, nil
	return reflect.DeepEqual(x, y) && len(a.Extensions) == 0 && len(b.Extensions) == 0
}

// clusterNode is a cluster entry's body in kubectl's field names.
func clusterNode(c *clientcmdapi.Cluster) *yaml.Node {
	fields := []kv{{"server", c.Server}}
	if len(c.CertificateAuthorityData) > 0 {
		fields = append(fields, kv{"certificate-authority-data", base64.StdEncoding.EncodeToString(c.CertificateAuthorityData)})
	}
	fields = append(fields, kv{"certificate-authority", c.CertificateAuthority}, kv{"tls-server-name", c.TLSServerName}, kv{"proxy-url", c.ProxyURL})
	m := mapping(fields)
	for _, b := range []struct {
		key string
		on  bool
	}{{"insecure-skip-tls-verify", c.InsecureSkipTLSVerify}, {"disable-compression", c.DisableCompression}} {
		if b.on {
			setValue(m, b.key, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(true)})
		}
	}
	return m
}

func isNull(v *yaml.Node) bool { return v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null" }

func mapValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func setValue(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
}

// setScalar sets a string value, in place when there is one, so that its
// comments survive.
func setScalar(m *yaml.Node, key, value string) {
	if v := mapValue(m, key); v != nil && v.Kind == yaml.ScalarNode {
		v.Value, v.Tag, v.Style = value, "!!str", 0
		return
	}
	setValue(m, key, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value})
}

// list returns the sequence under key (clusters, contexts, users), creating it.
func (f *editFile) list(key string) *yaml.Node {
	seq := mapValue(f.root(), key)
	if seq == nil || seq.Kind != yaml.SequenceNode {
		seq = &yaml.Node{Kind: yaml.SequenceNode}
		setValue(f.root(), key, seq)
	}
	return seq
}

// entry finds the item named name in a list, with its inner mapping (the
// value of the "cluster" or "context" key).
func (f *editFile) entry(list, inner, name string) (item, body *yaml.Node) {
	for _, it := range f.list(list).Content {
		if it.Kind != yaml.MappingNode {
			continue
		}
		if n := mapValue(it, "name"); n != nil && n.Kind == yaml.ScalarNode && n.Value == name {
			return it, mapValue(it, inner)
		}
	}
	return nil, nil
}

// upsert sets the inner mapping of the item named name to body, adding the
// item at the end if there is none.
func (f *editFile) upsert(list, inner, name string, body *yaml.Node) {
	item, _ := f.entry(list, inner, name)
	if item == nil {
		item = &yaml.Node{Kind: yaml.MappingNode}
		f.list(list).Content = append(f.list(list).Content, item)
		setValue(item, inner, body)
		setScalar(item, "name", name)
		return
	}
	setValue(item, inner, body)
}

// kv is a key and a value, in order.
type kv struct{ key, value string }

func mapping(fields []kv) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode}
	for _, f := range fields {
		if f.value != "" {
			setValue(m, f.key, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: f.value})
		}
	}
	return m
}
