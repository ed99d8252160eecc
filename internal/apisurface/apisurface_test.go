package apisurface

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/api.txt from the packages under pkg/")

// The public surface of the module (every package under pkg/, which a Go
// program embedding the plugin's logic imports) is testdata/api.txt: a
// change to it fails here until the golden file is regenerated, so it shows
// as a diff in review. Regenerate: make api (docs/maintainers.md).
func TestAPI(t *testing.T) {
	got, err := Walk(filepath.Join("..", "..", "pkg"), "github.com/ack-expose/ack-expose/pkg")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) == 0 {
		t.Fatal("no exported identifier found under pkg/")
	}
	golden := filepath.Join("testdata", "api.txt")
	text := strings.Join(got, "\n") + "\n"
	if *update || os.Getenv("UPDATE_API") != "" {
		if err := os.WriteFile(golden, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (create it: make api)", err)
	}
	old := strings.Split(strings.TrimSuffix(string(want), "\n"), "\n")
	var diff []string
	for _, l := range old {
		if !slices.Contains(got, l) {
			diff = append(diff, "- "+l)
		}
	}
	for _, l := range got {
		if !slices.Contains(old, l) {
			diff = append(diff, "+ "+l)
		}
	}
	if len(diff) > 0 || text != string(want) {
		t.Errorf("the exported API under pkg/ differs from %s (- gone, + new):\n%s\nIf the change is deliberate, regenerate the golden file: make api",
			golden, strings.Join(diff, "\n"))
	}
}
