// Command mutate checks that the tests catch every listed safety rule broken:
// it applies each mutation of a list (a file, a unique piece of its text, the
// text that breaks the rule) one at a time and runs the tests named for it;
// a mutation the tests do not fail on "survived". It reports the kill rate
// and fails when it is under -min, or when a mutation is stale (its text is
// no longer found exactly once, say after a move) or does not compile.
//
// Hand-written because the maintained Go mutation tools (go-gremlins v0.6.0,
// served by the module proxy) mutate operators at random over whole packages:
// they cannot express "remove the PrePaid guard" or "keep the required entry",
// they do not run the CLI stories, and a run over pkg/expose takes hours on
// a small machine. Each mutation here is a deliberate bug with its rule named.
//
// The source tree is never written: each mutant is compiled through `go
// test -overlay`, so an interrupted run leaves nothing behind.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// mutation is one deliberate bug.
type mutation struct {
	Rule    string   // the safety rule it breaks
	File    string   // relative to the module root
	From    string   // text found exactly once in File
	To      string   // its replacement
	Run     []string // packages whose tests must catch it
	Stories []string // testscript stories (both backends) that may catch it
	line    int      // where it starts in the list
}

func main() {
	list := flag.String("list", "hack/mutate/mutations.txt", "the mutations")
	only := flag.String("only", "", "run only the mutations whose rule contains this text")
	minRate := flag.Float64("min", 90, "the lowest kill rate (percent) that passes")
	verbose := flag.Bool("v", false, "print the output of the tests of each survivor and failure")
	flag.Parse()
	ms, err := parse(*list)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mutate:", err)
		os.Exit(2)
	}
	tmp, err := os.MkdirTemp("", "mutate-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "mutate:", err)
		os.Exit(1)
	}
	defer os.RemoveAll(tmp)

	var killed, survived, broken int
	for i, m := range ms {
		if *only != "" && !strings.Contains(m.Rule, *only) {
			continue
		}
		start := time.Now()
		verdict, out := try(m, filepath.Join(tmp, fmt.Sprint(i)))
		switch verdict {
		case "killed":
			killed++
		case "survived":
			survived++
		default:
			broken++
		}
		fmt.Printf("%-8s %5.1fs  %s (%s:%d)\n", strings.ToUpper(verdict), time.Since(start).Seconds(), m.Rule, *list, m.line)
		if verdict != "killed" && (*verbose || verdict != "survived") {
			fmt.Println(indent(out))
		}
	}
	total := killed + survived
	rate := 0.0
	if total > 0 {
		rate = 100 * float64(killed) / float64(total)
	}
	fmt.Printf("\nkilled %d of %d mutations (%.0f%%); %d stale or not compiling\n", killed, total, rate, broken)
	switch {
	case broken > 0:
		fmt.Println("fix the stale mutations: find the rule's code again and update", *list)
		os.Exit(1)
	case total > 0 && rate < *minRate:
		fmt.Printf("the kill rate is under %.0f%%: add a test for each survivor\n", *minRate)
		os.Exit(1)
	}
}

// try applies m through an overlay in dir and runs its tests.
func try(m mutation, dir string) (verdict, output string) {
	src, err := os.ReadFile(m.File)
	if err != nil {
		return "stale", err.Error()
	}
	switch n := strings.Count(string(src), m.From); n {
	case 0:
		return "stale", fmt.Sprintf("%q is no longer in %s", m.From, m.File)
	case 1:
	default:
		return "stale", fmt.Sprintf("%q is in %s %d times: make it unique", m.From, m.File, n)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "stale", err.Error()
	}
	abs, _ := filepath.Abs(m.File)
	mutant := filepath.Join(dir, filepath.Base(m.File))
	overlay := filepath.Join(dir, "overlay.json")
	b, _ := json.Marshal(map[string]map[string]string{"Replace": {abs: mutant}})
	if err := os.WriteFile(mutant, []byte(strings.Replace(string(src), m.From, m.To, 1)), 0o600); err != nil {
		return "stale", err.Error()
	}
	if err := os.WriteFile(overlay, b, 0o600); err != nil {
		return "stale", err.Error()
	}
	pkg := "./" + filepath.Dir(m.File)
	if out, err := gotool("vet", "-overlay", overlay, pkg); err != nil {
		return "invalid", out
	}
	if len(m.Run) > 0 {
		out, err := gotool(append([]string{"test", "-count=1", "-failfast", "-overlay", overlay}, m.Run...)...)
		if err != nil {
			return "killed", out
		}
	}
	if len(m.Stories) > 0 {
		names := make([]string, len(m.Stories))
		for i, s := range m.Stories {
			names[i] = regexp.QuoteMeta(s)
		}
		out, err := gotool("test", "-count=1", "-failfast", "-v", "-overlay", overlay, "./cmd/kubectl-ack_expose",
			"-run", "^TestScripts[^/]*$/^("+strings.Join(names, "|")+")$")
		if err != nil {
			return "killed", out
		}
		for _, s := range m.Stories {
			if !strings.Contains(out, "/"+s+" (") {
				return "stale", fmt.Sprintf("story %s did not run: is it still in testdata/script?", s)
			}
		}
	}
	return "survived", ""
}

func gotool(args ...string) (string, error) {
	cmd := exec.Command("go", args...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// parse reads the list: blocks that start with "== rule", then "key: value"
// lines (file, from, to, run, stories); in from and to, \n and \t stand for
// a newline and a tab. Lines starting with # are comments.
func parse(path string) ([]mutation, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []mutation
	var cur *mutation
	unescape := strings.NewReplacer(`\n`, "\n", `\t`, "\t").Replace
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
			continue
		case strings.HasPrefix(line, "== "):
			out = append(out, mutation{Rule: strings.TrimPrefix(line, "== "), line: n})
			cur = &out[len(out)-1]
			continue
		case cur == nil:
			return nil, fmt.Errorf("%s:%d: %q before the first \"== rule\" line", path, n, line)
		}
		key, value, ok := strings.Cut(line, ":")
		value = strings.TrimSpace(value)
		if !ok {
			return nil, fmt.Errorf("%s:%d: want key: value, got %q", path, n, line)
		}
		switch key {
		case "file":
			cur.File = value
		case "from":
			cur.From = unescape(value)
		case "to":
			cur.To = unescape(value)
		case "run":
			cur.Run = strings.Fields(value)
		case "stories":
			cur.Stories = strings.Fields(value)
		default:
			return nil, fmt.Errorf("%s:%d: unknown key %q (file, from, to, run, stories)", path, n, key)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	for _, m := range out {
		if m.File == "" || m.From == "" || m.From == m.To || len(m.Run)+len(m.Stories) == 0 {
			return nil, fmt.Errorf("%s:%d: %q needs file, from, a different to, and run or stories", path, m.line, m.Rule)
		}
	}
	return out, nil
}

func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > 30 {
		lines = append(lines[:30], "...")
	}
	return "    " + strings.Join(lines, "\n    ")
}
