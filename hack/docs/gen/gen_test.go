package gen

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// The committed reference is what the commands say: a flag's help changed
// without `make docs` fails here, naming the page and the fix.
func TestReferenceUpToDate(t *testing.T) {
	const dir = "../../../docs/reference"
	if os.Getenv("UPDATE_DOCS") != "" {
		if err := Write(dir); err != nil {
			t.Fatal(err)
		}
	}
	pages, err := Render()
	if err != nil {
		t.Fatal(err)
	}
	var stale []string
	for name, want := range pages {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !bytes.Equal(got, want) {
			stale = append(stale, name)
		}
	}
	for _, sub := range []string{dir, filepath.Join(dir, "man")} {
		files, _ := filepath.Glob(filepath.Join(sub, "kubectl_ack-expose*"))
		for _, f := range files {
			rel, _ := filepath.Rel(dir, f)
			if _, ok := pages[rel]; !ok {
				stale = append(stale, rel+" (no such command)")
			}
		}
	}
	sort.Strings(stale)
	if len(stale) > 0 {
		t.Errorf("docs/reference is stale (the commands' help changed): %v\nrun `make docs` and commit docs/reference", stale)
	}
}
