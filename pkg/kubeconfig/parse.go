package kubeconfig

import (
	"bytes"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// parse reads one kubeconfig file (YAML or JSON) into a Config (see parseDoc).
func parse(data []byte) (*Config, error) {
	doc, err := decode(data)
	if err != nil {
		return nil, err
	}
	return parseDoc(doc)
}

// decode parses YAML (or JSON) text into its document node; empty text is an
// empty document.
func decode(data []byte) (*yaml.Node, error) {
	doc := &yaml.Node{}
	if len(bytes.TrimSpace(data)) > 0 {
		if err := yaml.Unmarshal(data, doc); err != nil {
			return nil, fmt.Errorf("not valid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
		}
	}
	return doc, nil
}

// parseDoc reads a kubeconfig document's nodes into a Config. It walks the
// nodes for the fields it needs, so that a wrong shape is reported with its
// line and path (clusters[2].cluster.server), and ignores every other field,
// as kubectl does. Within a file, a name defined twice takes its last
// definition, as kubectl's loader does.
func parseDoc(doc *yaml.Node) (*Config, error) {
	cfg := &Config{Clusters: map[string]*Cluster{}, Contexts: map[string]*Context{}}
	if len(doc.Content) == 0 {
		return cfg, nil
	}
	root := deref(doc.Content[0])
	if isNull(root) {
		return cfg, nil
	}
	if root.Kind != yaml.MappingNode {
		return nil, shapeError(root, "the top level", "a mapping (apiVersion, clusters, contexts, ...)")
	}
	for _, kv := range pairs(root) {
		key, v := kv[0].Value, kv[1]
		var err error
		switch key {
		case "current-context":
			cfg.CurrentContext, err = str(v, key)
		case "clusters":
			err = namedList(v, key, "cluster", func(name string, body *yaml.Node, path string) error {
				c, err := cluster(body, path)
				cfg.Clusters[name] = c
				return err
			})
		case "contexts":
			err = namedList(v, key, "context", func(name string, body *yaml.Node, path string) error {
				c, err := context(body, path)
				cfg.Contexts[name] = c
				return err
			})
		}
		if err != nil {
			return nil, err
		}
	}
	return cfg, nil
}

// namedList walks kubectl's named lists: [{name: N, <inner>: {...}}, ...].
func namedList(list *yaml.Node, path, inner string, each func(name string, body *yaml.Node, path string) error) error {
	list = deref(list)
	if isNull(list) {
		return nil
	}
	if list.Kind != yaml.SequenceNode {
		return shapeError(list, path, "a list")
	}
	for i, item := range list.Content {
		item = deref(item)
		itemPath := fmt.Sprintf("%s[%d]", path, i)
		if isNull(item) {
			item = &yaml.Node{Kind: yaml.MappingNode} // kubectl reads it as an entry named ""
		}
		if item.Kind != yaml.MappingNode {
			return shapeError(item, itemPath, "a mapping with name and "+inner)
		}
		var name string
		body := &yaml.Node{Kind: yaml.MappingNode}
		for _, kv := range pairs(item) {
			var err error
			switch k, v := kv[0].Value, kv[1]; k {
			case "name":
				name, err = str(v, itemPath+".name")
			case inner:
				if !isNull(v) {
					body = v
				}
			}
			if err != nil {
				return err
			}
		}
		if err := each(name, body, itemPath+"."+inner); err != nil {
			return err
		}
	}
	return nil
}

func cluster(m *yaml.Node, path string) (*Cluster, error) {
	c := &Cluster{}
	return c, fields(m, path, func(k string, v *yaml.Node, p string) (err error) {
		switch k {
		case "server":
			c.Server, err = str(v, p)
		case "certificate-authority":
			c.CertificateAuthority, err = str(v, p)
		case "certificate-authority-data":
			c.CertificateAuthorityData, err = str(v, p)
		case "tls-server-name":
			c.TLSServerName, err = str(v, p)
		case "proxy-url":
			c.ProxyURL, err = str(v, p)
		case "insecure-skip-tls-verify":
			c.InsecureSkipTLSVerify, err = boolean(v, p)
		}
		return err
	})
}

func context(m *yaml.Node, path string) (*Context, error) {
	c := &Context{}
	return c, fields(m, path, func(k string, v *yaml.Node, p string) (err error) {
		switch k {
		case "cluster":
			c.Cluster, err = str(v, p)
		case "user":
			c.AuthInfo, err = str(v, p)
		case "namespace":
			c.Namespace, err = str(v, p)
		}
		return err
	})
}

// fields calls each for every key of the mapping m.
func fields(m *yaml.Node, path string, each func(key string, v *yaml.Node, path string) error) error {
	if m = deref(m); m.Kind != yaml.MappingNode {
		return shapeError(m, path, "a mapping")
	}
	for _, kv := range pairs(m) {
		k := kv[0].Value
		if err := each(k, kv[1], path+"."+k); err != nil {
			return err
		}
	}
	return nil
}

// pairs lists the key/value pairs of the mapping m, values with aliases
// resolved. The pairs of merge keys (<<: *anchor, or a list of them, the
// first winning) come first, so that the mapping's own keys override them,
// and a key given twice keeps its last value, as kubectl reads it.
func pairs(m *yaml.Node) [][2]*yaml.Node {
	return mergedPairs(m, map[*yaml.Node][][2]*yaml.Node{})
}

// mergedPairs is pairs, memoized per mapping: a mapping merged many times is
// expanded once (no exponential blow-up), and one merged into itself adds
// nothing (no cycle).
func mergedPairs(m *yaml.Node, memo map[*yaml.Node][][2]*yaml.Node) [][2]*yaml.Node {
	if p, ok := memo[m]; ok {
		return p
	}
	memo[m] = nil
	var out [][2]*yaml.Node
	at := map[string]int{}
	add := func(k, v *yaml.Node) {
		if i, ok := at[k.Value]; ok {
			out[i][1] = v
			return
		}
		at[k.Value] = len(out)
		out = append(out, [2]*yaml.Node{k, v})
	}
	isMerge := func(k *yaml.Node) bool { return k.Value == "<<" && k.ShortTag() == "!!merge" }
	for i := 0; i+1 < len(m.Content); i += 2 {
		if !isMerge(m.Content[i]) {
			continue
		}
		v := deref(m.Content[i+1])
		sources := []*yaml.Node{v}
		if v.Kind == yaml.SequenceNode {
			sources = v.Content
		}
		for s := len(sources) - 1; s >= 0; s-- {
			if src := deref(sources[s]); src.Kind == yaml.MappingNode {
				for _, kv := range mergedPairs(src, memo) {
					add(kv[0], kv[1])
				}
			}
		}
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := m.Content[i]; !isMerge(k) {
			add(k, deref(m.Content[i+1]))
		}
	}
	memo[m] = out
	return out
}

// deref resolves an alias (*anchor) to the node it names.
func deref(v *yaml.Node) *yaml.Node {
	for v.Kind == yaml.AliasNode && v.Alias != nil {
		v = v.Alias
	}
	return v
}

// str reads a scalar as a string (kubectl reads `name: 123` as "123");
// null is "".
func str(v *yaml.Node, path string) (string, error) {
	if v = deref(v); isNull(v) {
		return "", nil
	}
	if v.Kind != yaml.ScalarNode {
		return "", shapeError(v, path, "a string")
	}
	return v.Value, nil
}

func boolean(v *yaml.Node, path string) (bool, error) {
	if v = deref(v); isNull(v) {
		return false, nil
	}
	var b bool
	if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!bool" || v.Decode(&b) != nil {
		return false, shapeError(v, path, "true or false")
	}
	return b, nil
}

func isNull(v *yaml.Node) bool {
	return v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null"
}

func shapeError(v *yaml.Node, path, want string) error {
	got := map[yaml.Kind]string{yaml.MappingNode: "a mapping", yaml.SequenceNode: "a list", yaml.AliasNode: "an alias"}[v.Kind]
	if got == "" {
		got = fmt.Sprintf("%q", v.Value)
	}
	return fmt.Errorf("line %d: %s must be %s, not %s", v.Line, path, want, got)
}
