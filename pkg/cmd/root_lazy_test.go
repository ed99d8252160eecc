package cmd

import (
	"bytes"
	"slices"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// The table of subcommands names every command the full tree has, under the
// name it has there.
func TestSubcommandsTableIsTheTree(t *testing.T) {
	root, _ := NewRootCommand(genericiooptions.NewTestIOStreamsDiscard())
	var got []string
	for _, c := range root.Commands() {
		if c.Name() != "completion" && c.Name() != "help" {
			got = append(got, c.Name())
		}
	}
	var want []string
	for _, sc := range subcommands {
		want = append(want, sc.name)
	}
	slices.Sort(want) // cobra lists commands sorted
	if !slices.Equal(got, want) {
		t.Fatalf("the tree has %v, the table %v", got, want)
	}
}

// Running a command builds that command alone, and it behaves as in the full
// tree: the same help, to the byte; anything else builds every command.
func TestTreeForArgs(t *testing.T) {
	helpOf := func(args []string, full bool) string {
		t.Helper()
		var out bytes.Buffer
		streams := genericiooptions.IOStreams{In: &bytes.Buffer{}, Out: &out, ErrOut: &out}
		root, _ := newRootCommand(streams, args)
		if full {
			root, _ = NewRootCommand(streams)
		}
		root.SetArgs(append(args, "--help"))
		if err := root.Execute(); err != nil {
			t.Fatalf("%v --help: %v", args, err)
		}
		return out.String()
	}
	for _, sc := range subcommands {
		root, _ := newRootCommand(genericiooptions.NewTestIOStreamsDiscard(), []string{sc.name, "--output", "json"})
		if n := len(root.Commands()); n != 1 || root.Commands()[0].Name() != sc.name {
			t.Errorf("%s: the tree has %d commands", sc.name, n)
		}
		args := []string{sc.name}
		if sc.name == "simulator" {
			args = append(args, "fault", "add")
		}
		if lazy, full := helpOf(args, false), helpOf(args, true); lazy != full {
			t.Errorf("%v --help differs with the command alone:\n%s\nfull tree:\n%s", args, lazy, full)
		}
	}
	for _, args := range [][]string{nil, {}, {"--help"}, {"help", "status"}, {"completion", "bash"}, {"__complete", "st"}, {"statu"}} {
		root, _ := newRootCommand(genericiooptions.NewTestIOStreamsDiscard(), args)
		if n := len(root.Commands()); n < len(subcommands)+1 {
			t.Errorf("%q: the tree has %d commands, want all", args, n)
		}
	}
}
