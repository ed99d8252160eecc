package cmd

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/ack-expose/ack-expose/simulator"
)

// Every command that changes things refuses a context named after one
// cluster whose server reaches another (exit 4), before any change: one
// table over every mutating command, on the simulator backend.
func TestMutatingCommandsRefuseMismatch(t *testing.T) {
	home := t.TempDir()
	state := filepath.Join(home, "simulator.json")
	t.Setenv("HOME", home)
	t.Setenv("KUBECONFIG", filepath.Join(home, "kubeconfig"))
	t.Setenv(EnvSimulatorState, state)
	t.Setenv(EnvBackend, "simulator")
	for _, k := range []string{"ACK_EXPOSE_CONNECT_TO", "ACK_EXPOSE_HOSTS", "HTTPS_PROXY", "https_proxy"} {
		t.Setenv(k, "")
	}
	run := func(args ...string) (int, string) {
		var out, errOut bytes.Buffer
		code := Execute(genericiooptions.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, args)
		return code, out.String() + errOut.String()
	}
	if code, out := run("simulator", "init", "--kubeconfig", filepath.Join(home, "kubeconfig")); code != 0 {
		t.Fatalf("simulator init: %d %s", code, out)
	}
	w := simulator.DemoWorld()
	var pro, basic *simulator.Cluster
	for i := range w.Clusters {
		switch w.Clusters[i].Name {
		case "demo-pro":
			pro = &w.Clusters[i]
		case "demo-basic":
			basic = &w.Clusters[i]
		}
	}
	// Named after demo-pro, reaching demo-basic (as a merged KUBECONFIG or
	// --server can make it).
	mismatch := []string{"--context", simulator.ContextName(w.AccountID, pro.ID), "--server", basic.IntranetEndpoint}
	for _, args := range [][]string{
		{"associate", "--eip", "47.96.1.10", "--yes"},
		{"associate", "--allocate", "--allow", "198.51.100.1", "--yes"},
		{"change", "--eip", "47.96.1.10", "--yes"},
		{"disassociate", "--release", "--yes"},
		{"allow", "198.51.100.1", "--yes"},
		{"allow", "198.51.100.0/24", "--for", "1h", "--yes"},
		{"allow", "--only", "198.51.100.1", "--yes"},
		{"allow", "--anyone", "--yes"},
		{"revoke", "198.51.100.1", "--yes"},
		{"revoke", "--expired", "--yes"},
		{"kubeconfig"},
		{"cleanup"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			before := calls(t, state)
			code, out := run(append(args, mismatch...)...)
			if code != exitConflict || !strings.Contains(out, "kubectl with this context reaches demo-basic, not demo-pro") {
				t.Errorf("exit %d, want %d (conflict) naming the mismatch; output:\n%s", code, exitConflict, out)
			}
			for action, n := range calls(t, state) {
				// Reads (Describe*, GetCallerIdentity) may come first; no write may.
				if n != before[action] && !strings.HasPrefix(action, "Describe") && !strings.HasPrefix(action, "Get") {
					t.Errorf("%s called on a mismatched context", action)
				}
			}
		})
	}
}

func calls(t *testing.T, state string) map[string]int {
	t.Helper()
	out := map[string]int{}
	if err := simulator.New(state).View(func(s *simulator.State) error {
		for k, v := range s.Calls {
			out[k] = v
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}
