package kubeconfig

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"

	"go.yaml.in/yaml/v3"

	"github.com/ack-expose/ack-expose/internal/atomicfile"
	"github.com/ack-expose/ack-expose/internal/yamlfmt"
)

// File is one kubeconfig file, edited as YAML nodes so that comments, key
// order and every entry the edit does not touch survive.
type File struct {
	Path string
	doc  *yaml.Node
}

// loadFile reads a kubeconfig file for editing, and says whether it exists: a
// missing file is an empty config. Its errors are KindInvalid and name the file.
func loadFile(path string) (f *File, exists bool, err error) {
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, false, invalid(path, err)
	}
	exists = err == nil
	f = &File{Path: path}
	if f.doc, err = decode(data); err != nil {
		return nil, exists, invalid(path, err)
	}
	if f.doc.Kind == 0 {
		f.doc = &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode}}}
		root := f.root()
		setScalar(root, "apiVersion", "v1")
		setScalar(root, "kind", "Config")
	}
	if f.root().Kind != yaml.MappingNode {
		return nil, exists, invalid(path, shapeError(f.root(), "the top level", "a mapping (apiVersion, clusters, contexts, ...)"))
	}
	return f, exists, nil
}

// Config reads the file as it stands, the way kubectl would.
func (f *File) Config() (*Config, error) {
	cfg, err := parseDoc(f.doc)
	if err != nil {
		return nil, invalid(f.Path, err)
	}
	return cfg, nil
}

func (f *File) root() *yaml.Node { return f.doc.Content[0] }

// Bytes renders the file in kubectl's style (2 spaces, compact sequences).
func (f *File) Bytes() ([]byte, error) {
	return yamlfmt.Marshal(f.doc)
}

// Save writes the file atomically, mode 0600 (it holds credentials).
func (f *File) Save() error {
	data, err := f.Bytes()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(f.Path), 0o700); err != nil {
		return err
	}
	return atomicfile.WriteFile(f.Path, data, 0o600)
}

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
// comments and quoting survive.
func setScalar(m *yaml.Node, key, value string) {
	if v := mapValue(m, key); v != nil && v.Kind == yaml.ScalarNode {
		v.Value, v.Tag = value, "!!str"
		return
	}
	setValue(m, key, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value})
}

// list returns the sequence under key (clusters, contexts, users), creating it.
func (f *File) list(key string) *yaml.Node {
	seq := mapValue(f.root(), key)
	if seq == nil || seq.Kind != yaml.SequenceNode {
		seq = &yaml.Node{Kind: yaml.SequenceNode}
		setValue(f.root(), key, seq)
	}
	return seq
}

// entry finds the item named name in a list, with its inner mapping (the
// value of the "cluster" or "context" key).
func (f *File) entry(list, inner, name string) (item, body *yaml.Node) {
	for _, it := range f.list(list).Content {
		if n := mapValue(it, "name"); n != nil && n.Value == name {
			return it, mapValue(it, inner)
		}
	}
	return nil, nil
}

// upsert sets the inner mapping of the item named name to body, adding the
// item at the end if there is none. It reports whether anything changed.
func (f *File) upsert(list, inner, name string, body *yaml.Node) bool {
	item, old := f.entry(list, inner, name)
	if item != nil && old != nil && sameYAML(old, body) {
		return false
	}
	if item == nil {
		item = &yaml.Node{Kind: yaml.MappingNode}
		f.list(list).Content = append(f.list(list).Content, item)
		setValue(item, inner, body)
		setScalar(item, "name", name)
		return true
	}
	setValue(item, inner, body)
	return true
}

// UpsertCluster adds or updates a cluster entry. fields are the cluster's
// keys (server, certificate-authority-data, ...) in the order to write them.
func (f *File) UpsertCluster(name string, fields []KV) bool {
	return f.upsert("clusters", "cluster", name, mapping(fields))
}

// UpsertContext adds or updates a context.
func (f *File) UpsertContext(name, cluster, user, namespace string) bool {
	fields := []KV{{"cluster", cluster}, {"user", user}}
	if namespace != "" {
		fields = append(fields, KV{"namespace", namespace})
	}
	return f.upsert("contexts", "context", name, mapping(fields))
}

// SetCurrentContext makes name current; it reports whether that changed.
func (f *File) SetCurrentContext(name string) bool {
	if v := mapValue(f.root(), "current-context"); v != nil && v.Value == name {
		return false
	}
	setScalar(f.root(), "current-context", name)
	return true
}

// SetServer points a cluster entry at a new server, keeping the rest of it.
func (f *File) SetServer(cluster, server string) bool {
	_, body := f.entry("clusters", "cluster", cluster)
	if body == nil {
		return false
	}
	if s := mapValue(body, "server"); s != nil && s.Value == server {
		return false
	}
	setScalar(body, "server", server)
	return true
}

// KV is a key and a value, in order.
type KV struct{ Key, Value string }

func mapping(fields []KV) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode}
	for _, kv := range fields {
		if kv.Value == "" {
			continue
		}
		v := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: kv.Value}
		if kv.Value == "true" || kv.Value == "false" {
			v.Tag = "!!bool"
		}
		setValue(m, kv.Key, v)
	}
	return m
}

// sameYAML compares two nodes by the data they hold, not their layout.
func sameYAML(a, b *yaml.Node) bool {
	var x, y any
	if a.Decode(&x) != nil || b.Decode(&y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}
