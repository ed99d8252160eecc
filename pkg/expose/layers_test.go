package expose

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The layers of DESIGN.md, as imports: the lifecycle is backend-agnostic and
// file-agnostic, and the kubeconfig package depends on nothing of it.
func TestLayers(t *testing.T) {
	const mod = "github.com/ack-expose/ack-expose/"
	for dir, banned := range map[string][]string{
		".": {mod + "pkg/kubeconfig", mod + "pkg/cmd", mod + "pkg/backend/", mod + "simulator", mod + "internal/atomicfile",
			mod + "internal/journal", mod + "internal/probe", "github.com/spf13/", "k8s.io/", "net/http", "os/exec"},
		"../kubeconfig": {mod + "pkg/expose", mod + "pkg/backend", mod + "pkg/cmd", "github.com/spf13/"},
		"../backend":    {mod + "pkg/expose", mod + "pkg/kubeconfig", mod + "pkg/cmd", "github.com/spf13/", "k8s.io/"},
	} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: %v", dir, err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			ast, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range ast.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				for _, b := range banned {
					if path == b || strings.HasPrefix(path, b) && (strings.HasSuffix(b, "/") || strings.HasPrefix(path, b+"/")) {
						t.Errorf("%s imports %s", f, path)
					}
				}
			}
		}
	}
}
