// Package yamlfmt writes YAML the way kubectl does: two-space indents, list
// items at their key's indent.
package yamlfmt

import (
	"bytes"

	"go.yaml.in/yaml/v3"
)

// Marshal renders v (a value, or a *yaml.Node) in kubectl's style.
func Marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	enc.CompactSeqIndent()
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
