package cmd

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/ack-expose/ack-expose/simulator"
)

func statusCallerWorld(t *testing.T) (state string, run func(args ...string) (int, string)) {
	t.Helper()
	home := t.TempDir()
	state = filepath.Join(home, "simulator.json")
	t.Setenv("HOME", home)
	t.Setenv("KUBECONFIG", filepath.Join(home, "kubeconfig"))
	t.Setenv(EnvSimulatorState, state)
	t.Setenv(EnvBackend, "simulator")
	for _, k := range []string{"ACK_EXPOSE_CONNECT_TO", "ACK_EXPOSE_HOSTS", "HTTPS_PROXY", "https_proxy"} {
		t.Setenv(k, "")
	}
	run = func(args ...string) (int, string) {
		var out, errOut bytes.Buffer
		code := Execute(genericiooptions.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, args)
		return code, out.String() + errOut.String()
	}
	if code, out := run("simulator", "init", "--kubeconfig", filepath.Join(home, "kubeconfig")); code != 0 {
		t.Fatalf("simulator init: %d %s", code, out)
	}
	return state, run
}

// status -o json asks STS while it reads the cluster; when the read fails,
// the error is reported at once: not after a slow STS answer.
func TestStatusJSONFailsWithoutWaitingForSTS(t *testing.T) {
	state, run := statusCallerWorld(t)
	if err := simulator.New(state).Update(func(s *simulator.State) error {
		s.Faults = append(s.Faults,
			simulator.Fault{Action: "GetCallerIdentity", Delay: simulator.Duration(3 * time.Second)},
			simulator.Fault{Action: "DescribeClusterDetail", Code: "ErrorClusterNotFound", HTTPStatus: 404})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	code, out := run("status", "-o", "json")
	if took := time.Since(start); code == 0 || took > 2*time.Second {
		t.Fatalf("exit %d after %v, want a failure at once; output:\n%s", code, took, out)
	}
	if !strings.Contains(out, "ErrorClusterNotFound") {
		t.Fatalf("output:\n%s", out)
	}
	// The STS call given up on may still be carried out, as the cloud
	// would: let it land before the directory is removed.
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if calls(t, state)["GetCallerIdentity"] > 0 {
			break
		}
	}
}
