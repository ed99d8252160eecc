package cmd

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/ack-expose/ack-expose/pkg/errdefs"
	"github.com/ack-expose/ack-expose/simulator"
)

// Answering n at the lockout prompt is a short "aborted" (exit 7), after the
// warning shown once; y goes ahead.
func TestPromptAnswer(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv(EnvBackend, "simulator")
	t.Setenv(EnvSimulatorState, filepath.Join(home, "sim.json"))
	t.Setenv("KUBECONFIG", filepath.Join(home, "kubeconfig"))
	if code := Execute(genericiooptions.NewTestIOStreamsDiscard(), []string{"simulator", "init", "--modify-cluster-time", "0s", "--eip-transition-time", "0s"}); code != 0 {
		t.Fatalf("simulator init: exit %d", code)
	}
	w := simulator.DemoWorld()
	var pro string
	for _, c := range w.Clusters {
		if c.Name == "demo-pro" {
			pro = simulator.ContextName(w.AccountID, c.ID)
		}
	}
	old := isTerminal
	isTerminal = func(*os.File) bool { return true }
	t.Cleanup(func() { isTerminal = old })

	run := func(answer string, args ...string) (int, string) {
		t.Helper()
		in, err := os.CreateTemp(t.TempDir(), "stdin")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := in.WriteString(answer); err != nil {
			t.Fatal(err)
		}
		if _, err := in.Seek(0, 0); err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		var out, errOut bytes.Buffer
		code := Execute(genericiooptions.IOStreams{In: in, Out: &out, ErrOut: &errOut}, args)
		return code, errOut.String()
	}
	for _, args := range [][]string{
		{"disassociate", "--context", pro},
		{"allow", "203.0.113.0/24", "--confirm-timeout", "5s"}, // admits the simulated client, 203.0.113.10
	} {
		code, stderr := run("n\n", args...)
		if code != exitRefused || !strings.HasSuffix(stderr, "Proceed? [y/N]: error: aborted\n") || strings.Count(stderr, "Warning:") != 1 {
			t.Errorf("%v, answering n: exit %d, stderr:\n%s\nwant exit 7, the warning once, then \"error: aborted\"", args, code, stderr)
		}
		code, stderr = run("y\n", args...)
		if code != 0 {
			t.Errorf("%v, answering y: exit %d, stderr:\n%s", args, code, stderr)
		}
	}
}

// Ctrl-C while the question waits for an answer abandons it: the refusal
// that follows is an interruption (exit 130), not "aborted".
func TestPromptInterrupted(t *testing.T) {
	old := isTerminal
	isTerminal = func(*os.File) bool { return true }
	t.Cleanup(func() { isTerminal = old })
	r, w, err := os.Pipe() // nobody ever answers
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close(); _ = w.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var errOut bytes.Buffer
	p := prompt{ctx: ctx}
	if askConfirm(genericiooptions.IOStreams{In: r, Out: io.Discard, ErrOut: &errOut}, false, &p, "this cuts you off") {
		t.Fatal("an unanswered question was taken as yes")
	}
	err = afterPrompt(&p, errdefs.Errorf(errdefs.KindRefused, "refused"))
	if !p.interrupted || p.declined || exitCode(err) != exitInterrupted {
		t.Errorf("interrupted %v declined %v, exit %d (%v), want 130", p.interrupted, p.declined, exitCode(err), err)
	}
}
