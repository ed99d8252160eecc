package expose

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The layers of the design (docs/development.md), as imports: the lifecycle is
// backend-agnostic and file-agnostic, the kubeconfig package depends on
// nothing of it, and internal/ and the simulator are plumbing and an engine
// that import nothing from pkg/.
func TestLayers(t *testing.T) {
	const mod = "github.com/ack-expose/ack-expose/"
	layers := map[string][]string{
		".": {mod + "pkg/kubeconfig", mod + "pkg/cmd", mod + "pkg/backend/", mod + "simulator", mod + "internal/atomicfile",
			mod + "internal/journal", mod + "internal/probe", "github.com/spf13/", "k8s.io/", "net/http", "os/exec"},
		"../kubeconfig": {mod + "pkg/expose", mod + "pkg/backend", mod + "pkg/cmd", "github.com/spf13/"},
		"../backend":    {mod + "pkg/expose", mod + "pkg/kubeconfig", mod + "pkg/cmd", "github.com/spf13/", "k8s.io/"},
	}
	for _, root := range []string{"../../internal", "../../simulator"} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || !d.IsDir() || d.Name() == "testdata" {
				return err
			}
			layers[path] = []string{mod + "pkg/"}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for dir, banned := range layers {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		if len(files) == 0 && !strings.HasPrefix(dir, "../../") {
			t.Fatalf("%s: no Go files", dir)
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
