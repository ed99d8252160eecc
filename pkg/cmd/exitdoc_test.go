package cmd

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// docs/output.md's exit code table lists exactly the codes exitCode returns.
func TestExitCodesDocumented(t *testing.T) {
	b, err := os.ReadFile("../../docs/output.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(b), "## Exit codes\n")
	if !ok {
		t.Fatal("docs/output.md has no \"## Exit codes\" section")
	}
	table, _, _ = strings.Cut(table, "\n## ")
	var documented []int
	for _, m := range regexp.MustCompile(`(?m)^\| (\d+) \|`).FindAllStringSubmatch(table, -1) {
		n, _ := strconv.Atoi(m[1])
		documented = append(documented, n)
	}
	want := []int{exitOK, exitError, exitUsage, exitUnsupported, exitConflict, exitNotFound, exitTimeout, exitRefused, exitPolicy, exitInterrupted}
	slices.Sort(documented)
	slices.Sort(want)
	if !slices.Equal(documented, want) {
		t.Errorf("docs/output.md documents exit codes %v; the code has %v (pkg/cmd/exit.go)", documented, want)
	}
}

// Every ACK_EXPOSE_* variable the code reads is in docs/output.md's
// environment table.
func TestEnvironmentDocumented(t *testing.T) {
	b, err := os.ReadFile("../../docs/output.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, _ := strings.Cut(string(b), "## Environment\n")
	table, _, _ = strings.Cut(table, "\n## ")
	used := map[string]bool{}
	for _, dir := range []string{"../../pkg", "../../internal", "../../simulator"} {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return err
			}
			src, err := os.ReadFile(p)
			for _, m := range regexp.MustCompile(`"(ACK_EXPOSE_[A-Z_]+)"`).FindAllSubmatch(src, -1) {
				used[string(m[1])] = true
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(used) == 0 {
		t.Fatal("found no ACK_EXPOSE_ variable in the code")
	}
	for v := range used {
		if !strings.Contains(table, "`"+v+"`") {
			t.Errorf("%s is read by the code but not in docs/output.md's environment table", v)
		}
	}
}
