package kubeconfig

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"

	"go.yaml.in/yaml/v3"

	"github.com/ack-expose/ack-expose/internal/atomicfile"
)

// File is one kubeconfig file, edited as YAML nodes so that comments, key
// order and every entry the edit does not touch survive.
type File struct {
	Path string
	doc  *yaml.Node
}

// LoadFile reads a kubeconfig file for editing. A missing file is an empty config.
func LoadFile(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	f := &File{Path: path, doc: &yaml.Node{}}
	if len(bytes.TrimSpace(data)) > 0 {
		if err := yaml.Unmarshal(data, f.doc); err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
	}
	if f.doc.Kind == 0 {
		f.doc = &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode}}}
		root := f.root()
		setScalar(root, "apiVersion", "v1")
		setScalar(root, "kind", "Config")
	}
	if f.root().Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: the top level is not a mapping", path)
	}
	return f, nil
}

func (f *File) root() *yaml.Node { return f.doc.Content[0] }

// Bytes renders the file in kubectl's style (2 spaces, compact sequences).
func (f *File) Bytes() ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	enc.CompactSeqIndent()
	if err := enc.Encode(f.doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
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

// HasContext reports whether the file defines a context.
func (f *File) HasContext(name string) bool {
	it, _ := f.entry("contexts", "context", name)
	return it != nil
}

// HasCluster reports whether the file defines a cluster entry.
func (f *File) HasCluster(name string) bool {
	it, _ := f.entry("clusters", "cluster", name)
	return it != nil
}

// ContextsUsingCluster lists the contexts of the file whose cluster is name.
func (f *File) ContextsUsingCluster(name string) []string {
	var out []string
	for _, it := range f.list("contexts").Content {
		if c := mapValue(it, "context"); c != nil {
			if cl := mapValue(c, "cluster"); cl != nil && cl.Value == name {
				if n := mapValue(it, "name"); n != nil {
					out = append(out, n.Value)
				}
			}
		}
	}
	return out
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

// ClusterServers returns each cluster entry's name and server, in file order.
func (f *File) ClusterServers() []KV {
	var out []KV
	for _, it := range f.list("clusters").Content {
		n, c := mapValue(it, "name"), mapValue(it, "cluster")
		if n == nil || c == nil {
			continue
		}
		if s := mapValue(c, "server"); s != nil {
			out = append(out, KV{n.Value, s.Value})
		}
	}
	return out
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
