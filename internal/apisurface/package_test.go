package apisurface

import (
	"slices"
	"strings"
	"testing"
)

// One line per exported identifier, with its signature and without
// parameter names; nothing unexported.
func TestPackageLines(t *testing.T) {
	got, err := Package("testdata/fixture", "example.com/fixture")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"const Limit = 300",
		"const ModeA Mode",
		"const ModeB Mode",
		"var ErrGone error",
		"type Mode int",
		"type Thing struct",
		"type Thing struct, Name string",
		"type Thing struct, embedded context.Context",
		"func NewThing(string) *Thing",
		"method (*Thing) Rename(string, string) error",
		"type Doer interface, unexported methods",
		"type Doer interface",
		"type Doer interface, Do(context.Context, int) (string, error)",
		"type Alias = Thing",
		"func Map[T any]([]T, func(T) T) []T",
	}
	for i := range want {
		want[i] = "pkg example.com/fixture, " + want[i]
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
