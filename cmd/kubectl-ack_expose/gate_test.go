package main

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// A story marked "# alone" runs with no other story beside it, whichever
// suite the others belong to (the gate is shared); the others run together.
func TestAloneGate(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{"lonely": "# alone: a test\nexec true\n", "a": "exec true\n", "b": "exec true\n", "c": "exec true\n"} {
		if err := os.WriteFile(filepath.Join(dir, name+".txtar"), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var (
		mu              sync.Mutex
		running, maxRun int
		lonelyBeside    []int // how many others ran while lonely did, at each look
	)
	story := func(name string) func(testscript.T) {
		return func(tt testscript.T) {
			tt.Parallel()
			mu.Lock()
			running++
			maxRun = max(maxRun, running)
			mu.Unlock()
			for range 5 {
				time.Sleep(10 * time.Millisecond)
				if name == "lonely" {
					mu.Lock()
					lonelyBeside = append(lonelyBeside, running-1)
					mu.Unlock()
				}
			}
			mu.Lock()
			running--
			mu.Unlock()
		}
	}
	t.Run("suites", func(t *testing.T) {
		for _, suite := range []string{"one", "two"} {
			t.Run(suite, func(t *testing.T) {
				t.Parallel()
				g := gated(t, dir)
				for _, name := range []string{"a", "lonely", "b", "c"} {
					g.Run(name, story(name))
				}
			})
		}
	})
	for _, n := range lonelyBeside {
		if n != 0 {
			t.Errorf("%d stories ran beside the one marked alone", n)
			break
		}
	}
	if len(lonelyBeside) == 0 {
		t.Error("the story marked alone did not run")
	}
	if maxRun < 2 {
		t.Errorf("at most %d stories ran at once, want the unmarked ones together", maxRun)
	}
}
