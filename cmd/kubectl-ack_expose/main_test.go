package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/ack-expose/ack-expose/pkg/cmd"
	"github.com/ack-expose/ack-expose/simulator"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"kubectl-ack_expose": func() {
			os.Exit(cmd.Execute(genericiooptions.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}, os.Args[1:]))
		},
	})
}

// TestScriptsSimulator runs every story in testdata/script with the in-process
// simulator backend.
func TestScriptsSimulator(t *testing.T) {
	testscript.Run(t, scriptParams(t, "simulator"))
}

var update = os.Getenv("UPDATE_SCRIPTS") != ""

func scriptParams(t *testing.T, backendName string) testscript.Params {
	return testscript.Params{
		Dir:                 filepath.Join("..", "..", "testdata", "script"),
		UpdateScripts:       update,
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			home := filepath.Join(env.WorkDir, "home")
			state := filepath.Join(home, ".ack-expose", "simulator.json")
			env.Setenv("HOME", home)
			env.Setenv("KUBECONFIG", filepath.Join(home, ".ack-expose", "kubeconfig"))
			env.Setenv("ACK_EXPOSE_SIMULATOR_STATE", state)
			env.Setenv("ACK_EXPOSE_BACKEND", backendName)
			env.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
			env.Setenv("BACKEND", backendName)
			for _, k := range []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN",
				"ALIBABA_CLOUD_PROFILE", "ALIBABA_CLOUD_REGION_ID", "ALIBABA_CLOUD_ROLE_ARN", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
				"ALIBABA_CLOUD_OIDC_TOKEN_FILE", "ACK_EXPOSE_CS_ENDPOINT", "ACK_EXPOSE_VPC_ENDPOINT"} {
				env.Setenv(k, "")
			}
			if setup := backendSetup[backendName]; setup != nil {
				return setup(env, state)
			}
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exits":     cmdExits,
			"sim":       cmdSim,
			"interrupt": cmdInterrupt,
		},
	}
}

// backendSetup prepares a script's environment for a backend (see aliyun_test.go).
var backendSetup = map[string]func(env *testscript.Env, state string) error{}

// exits N prog args...: run prog, which must exit with status N; its output
// is kept for stdout/stderr like exec's.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits CODE program [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: bad code %q", args[0])
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		got = exitErr.ExitCode()
	} else if err != nil {
		ts.Fatalf("exits: %v", err)
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", args[1], got, want)
	}
}

// sim edits or checks the simulator state file, as a test fixture:
//
//	sim fault ACTION CODE HTTPSTATUS COUNT [MESSAGE...]
//	sim timing modifyCluster|eipTransition|apiLatency DURATION
//	sim calls ACTION COUNT      (assert; COUNT may be ">=N")
//	sim reset-calls
//	sim eip-status ALLOCATIONID STATUS   (assert)
//	sim eips COUNT              (assert the number of EIPs)
func cmdSim(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 0 {
		ts.Fatalf("usage: sim fault|timing|calls|reset-calls|eip-status|eips ...")
	}
	e := simulator.New(ts.Getenv("ACK_EXPOSE_SIMULATOR_STATE"))
	switch args[0] {
	case "fault":
		if len(args) < 5 {
			ts.Fatalf("usage: sim fault ACTION CODE HTTPSTATUS COUNT [MESSAGE...]")
		}
		status, _ := strconv.Atoi(args[3])
		n, _ := strconv.Atoi(args[4])
		msg := strings.Join(args[5:], " ")
		if msg == "" {
			msg = "simulated " + args[2]
		}
		ts.Check(e.Update(func(s *simulator.State) error {
			s.Faults = append(s.Faults, simulator.Fault{Action: args[1], Code: args[2], HTTPStatus: status, Message: msg, Remaining: n})
			return nil
		}))
	case "timing":
		if len(args) != 3 {
			ts.Fatalf("usage: sim timing NAME DURATION")
		}
		d, err := time.ParseDuration(args[2])
		ts.Check(err)
		ts.Check(e.Update(func(s *simulator.State) error {
			switch args[1] {
			case "modifyCluster":
				s.Timing.ModifyCluster = simulator.Duration(d)
			case "eipTransition":
				s.Timing.EIPTransition = simulator.Duration(d)
			case "apiLatency":
				s.Timing.APILatency = simulator.Duration(d)
			default:
				return fmt.Errorf("unknown timing %q", args[1])
			}
			return nil
		}))
	case "calls":
		if len(args) != 3 {
			ts.Fatalf("usage: sim calls ACTION COUNT")
		}
		ts.Check(e.View(func(s *simulator.State) error {
			got := s.Calls[args[1]]
			ok := false
			if rest, found := strings.CutPrefix(args[2], ">="); found {
				n, _ := strconv.Atoi(rest)
				ok = got >= n
			} else if rest, found := strings.CutPrefix(args[2], "<="); found {
				n, _ := strconv.Atoi(rest)
				ok = got <= n
			} else {
				n, _ := strconv.Atoi(args[2])
				ok = got == n
			}
			if ok == neg {
				return fmt.Errorf("calls of %s: %d, want %s%s", args[1], got, map[bool]string{true: "not ", false: ""}[neg], args[2])
			}
			return nil
		}))
	case "reset-calls":
		ts.Check(e.Update(func(s *simulator.State) error { s.Calls = map[string]int{}; return nil }))
	case "eip-status":
		if len(args) != 3 {
			ts.Fatalf("usage: sim eip-status ALLOCATIONID STATUS")
		}
		ts.Check(e.View(func(s *simulator.State) error {
			status := "absent"
			for _, x := range s.EIPs {
				if x.AllocationID == args[1] {
					status = x.Status
				}
			}
			if (status == args[2]) == neg {
				return fmt.Errorf("EIP %s is %s, want %s", args[1], status, args[2])
			}
			return nil
		}))
	case "eips":
		ts.Check(e.View(func(s *simulator.State) error {
			if got := strconv.Itoa(len(s.EIPs)); (got == args[1]) == neg {
				return fmt.Errorf("%s EIPs, want %s", got, args[1])
			}
			return nil
		}))
	default:
		ts.Fatalf("sim: unknown subcommand %q", args[0])
	}
}

// interrupt MARKER CODE prog args...: start prog, send it SIGINT once its
// stderr shows MARKER, and require exit status CODE. Its output is saved in
// $WORK/interrupt.stdout and $WORK/interrupt.stderr.
func cmdInterrupt(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 3 {
		ts.Fatalf("usage: interrupt MARKER CODE program [args...]")
	}
	want, _ := strconv.Atoi(args[1])
	// testscript's commands live in a directory on the script's PATH.
	path := ""
	for _, dir := range filepath.SplitList(ts.Getenv("PATH")) {
		if p := filepath.Join(dir, args[2]); fileExists(p) {
			path = p
			break
		}
	}
	if path == "" {
		ts.Fatalf("interrupt: %s not found", args[2])
	}
	c := exec.Command(path, args[3:]...)
	c.Dir = ts.Getenv("WORK")
	var env []string
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); ts.Getenv(k) == "" {
			env = append(env, kv)
		}
	}
	for _, k := range []string{"HOME", "KUBECONFIG", "ACK_EXPOSE_SIMULATOR_STATE", "ACK_EXPOSE_BACKEND", "PATH",
		"ALIBABA_CLOUD_ECS_METADATA_DISABLED", "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
		"ALIBABA_CLOUD_REGION_ID", "ACK_EXPOSE_CS_ENDPOINT", "ACK_EXPOSE_VPC_ENDPOINT"} {
		env = append(env, k+"="+ts.Getenv(k))
	}
	c.Env = env
	var stdout, stderr bytes.Buffer
	c.Stdout = &stdout
	c.Stderr = &syncWriter{buf: &stderr}
	ts.Check(c.Start())
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(c.Stderr.(*syncWriter).String(), args[0]) {
		if time.Now().After(deadline) {
			_ = c.Process.Kill()
			ts.Fatalf("interrupt: %q never appeared on stderr: %s", args[0], c.Stderr.(*syncWriter).String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	ts.Check(c.Process.Signal(syscall.SIGINT))
	err := c.Wait()
	got := 0
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		got = exitErr.ExitCode()
	}
	work := ts.Getenv("WORK")
	ts.Check(os.WriteFile(filepath.Join(work, "interrupt.stdout"), stdout.Bytes(), 0o600))
	ts.Check(os.WriteFile(filepath.Join(work, "interrupt.stderr"), []byte(c.Stderr.(*syncWriter).String()), 0o600))
	if got != want {
		ts.Fatalf("interrupted %s exited %d, want %d; stderr:\n%s", args[2], got, want, c.Stderr.(*syncWriter).String())
	}
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }
