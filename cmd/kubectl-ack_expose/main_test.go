package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/ack-expose/ack-expose/pkg/backend"
	"github.com/ack-expose/ack-expose/pkg/cmd"
	"github.com/ack-expose/ack-expose/pkg/expose"
	"github.com/ack-expose/ack-expose/pkg/kubeconfig"
	"github.com/ack-expose/ack-expose/simulator"
)

func TestMain(m *testing.M) {
	simulator.VerifyReads = true // every story's reads prove they changed nothing
	testscript.Main(storyParallel{m}, map[string]func(){
		"kubectl-ack_expose": func() {
			fastWaits()
			os.Exit(cmd.Execute(genericiooptions.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}, os.Args[1:]))
		},
	})
}

// storyParallel runs the stories 3 per CPU unless -parallel says otherwise
// (STORY_PARALLEL=N overrides): much of a story's time is spent waiting on
// simulated rollouts and API latency, not on a CPU; the stories whose outcome
// hung on the CPU keeping up with a short timing now use a knob or an await
// instead (docs/development.md).
type storyParallel struct{ m *testing.M }

func (p storyParallel) Run() int {
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" })
	if n, err := strconv.Atoi(os.Getenv("STORY_PARALLEL")); err == nil && n > 0 {
		_ = flag.Set("test.parallel", strconv.Itoa(n))
	} else if !explicit {
		_ = flag.Set("test.parallel", strconv.Itoa(3*runtime.GOMAXPROCS(0)))
	}
	return p.m.Run()
}

// envFastWaits is the harness's test knob: set in every story, it shortens
// the waits a story sits through that no simulator timing controls (the
// pause before the first poll of a task and between polls, the backoff of a
// retried call, the pace of commit confirmed's checks, and commit
// confirmed's window and settle time, whose messages still say the real
// durations), each by ten. It is read here, by the test binary acting as the
// plugin, never by the plugin. A story can turn it off with
// `env ACK_EXPOSE_TEST_FAST_WAITS=`.
const envFastWaits = "ACK_EXPOSE_TEST_FAST_WAITS"

// envLockWait, a duration, replaces how long a kubeconfig edit waits for a
// held lock (kubeconfig.DefaultLockWait, 5 s): a story that sits through a
// held lock sets it short, one whose many processes queue for the lock on a
// loaded machine sets it long. Unset: the real wait. Read like envFastWaits.
const envLockWait = "ACK_EXPOSE_TEST_LOCK_WAIT"

func fastWaits() {
	if v := os.Getenv(envLockWait); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s=%q: %v\n", envLockWait, v, err)
			os.Exit(2)
		}
		kubeconfig.DefaultLockWait = d
	}
	if os.Getenv(envFastWaits) == "" {
		return
	}
	p := expose.DefaultPoll
	p.Initial, p.Max = p.Initial/10, p.Max/10
	expose.DefaultPoll = p
	c := expose.ConfirmPoll
	c.Initial, c.Max, c.DeadlineScale = c.Initial/10, c.Max/10, 0.1
	expose.ConfirmPoll = c
	r := backend.DefaultRetry
	r.Initial, r.Max = r.Initial/10, r.Max/10
	backend.DefaultRetry = r
}

// TestScriptsSimulator runs every story in testdata/script with the in-process
// simulator backend.
func TestScriptsSimulator(t *testing.T) {
	runStories(t, scriptParams(t, "simulator"))
}

// storyGate lets the stories of both suites run side by side, and a story
// marked "# alone" by itself (see runStories).
var storyGate sync.RWMutex

// runStories runs the stories in parallel (see storyParallel), except that a
// story with a line "# alone: REASON" runs by itself: one whose timing
// (a lock wait, a timeout of a few hundred milliseconds) other stories' CPU
// use could upset. Both suites (TestScriptsSimulator, TestScriptsAliyun) are
// parallel tests, so their stories share one pool of -parallel slots and
// one gate: the second suite does not wait for the first to end.
func runStories(t *testing.T, p testscript.Params) {
	t.Parallel()
	testscript.RunT(gated(t, p.Dir), p)
}

// gated is a suite's T for runStories: its stories pass storyGate.
func gated(t *testing.T, dir string) gatedT { return gatedT{T: t, gate: &storyGate, dir: dir} }

type gatedT struct {
	*testing.T
	gate  *sync.RWMutex
	dir   string
	alone bool
	held  *bool
}

func (t gatedT) Run(name string, f func(testscript.T)) {
	t.T.Run(name, func(tt *testing.T) {
		b, _ := os.ReadFile(filepath.Join(t.dir, name+".txtar"))
		alone := regexp.MustCompile(`(?m)^# alone: `).Match(b)
		g := gatedT{T: tt, gate: t.gate, dir: t.dir, alone: alone, held: new(bool)}
		defer g.release()
		f(g)
	})
}

// Parallel lets the story run beside the others, or alone.
func (t gatedT) Parallel() {
	t.T.Parallel()
	if t.alone {
		t.gate.Lock()
	} else {
		t.gate.RLock()
	}
	*t.held = true
}

func (t gatedT) release() {
	if !*t.held {
		return
	}
	if t.alone {
		t.gate.Unlock()
	} else {
		t.gate.RUnlock()
	}
}

func (t gatedT) Verbose() bool { return testing.Verbose() }

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
			env.Setenv(envFastWaits, "1")
			exportDemoNames(env)
			for _, k := range []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN",
				"ALIBABA_CLOUD_PROFILE", "ALIBABA_CLOUD_REGION_ID", "ALIBABA_CLOUD_ROLE_ARN", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
				"ALIBABA_CLOUD_OIDC_TOKEN_FILE", "ACK_EXPOSE_CS_ENDPOINT", "ACK_EXPOSE_VPC_ENDPOINT", "ACK_EXPOSE_CONNECT_TO", "ACK_EXPOSE_SLB_ENDPOINT",
				"ACK_EXPOSE_STS_ENDPOINT", "ALIBABA_CLOUD_CONFIG_FILE", "ALIBABA_CLOUD_CREDENTIALS_FILE", "ALIBABA_CLOUD_CREDENTIALS_URI",
				"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy", "ACK_EXPOSE_HOSTS"} {
				env.Setenv(k, "")
			}
			if setup := backendSetup[backendName]; setup != nil {
				return setup(env, state)
			}
			return nil
		},
		Cmds: scriptCmds,
		Condition: func(cond string) (bool, error) {
			if name, ok := strings.CutPrefix(cond, "backend:"); ok {
				return name == backendName, nil
			}
			if cond == "root" {
				return os.Geteuid() == 0, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
	}
}

// scriptCmds are the commands stories have beyond testscript's own.
var scriptCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"exits":      cmdExits,
	"sim":        cmdSim,
	"interrupt":  cmdInterrupt,
	"race":       cmdRace,
	"startserve": cmdStartServe,
	// kubeconfig_test.go
	"unprivileged": cmdUnprivileged,
	"parallel":     cmdParallel,
	// names_test.go
	"resolve":      cmdResolve,
	"kubectlproxy": cmdKubectlProxy,
	"tunnelof":     cmdTunnelOf,
}

// exportDemoNames gives stories the demo world's names, so they read as
// documentation: $ACCOUNT_ID, and for each cluster demo-NAME, $NAME_ID (its
// cluster ID) and $NAME_CTX (its ACK-style context), e.g. $PRO_ID, $BASIC_CTX.
func exportDemoNames(env *testscript.Env) {
	w := simulator.DemoWorld()
	env.Setenv("ACCOUNT_ID", w.AccountID)
	for _, c := range w.Clusters {
		name := strings.ToUpper(strings.ReplaceAll(strings.TrimPrefix(c.Name, "demo-"), "-", "_"))
		env.Setenv(name+"_ID", c.ID)
		env.Setenv(name+"_CTX", simulator.ContextName(w.AccountID, c.ID))
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
//	sim fault [-delay D] [-drop] [-state S] [-after N] ACTION CODE|- HTTPSTATUS COUNT [MESSAGE...]
//	                            (CODE - : no error, only the delay or the drop)
//	sim timing modifyCluster|eipTransition|apiLatency|eipLag DURATION
//	sim calls ACTION COUNT      (assert; COUNT may be ">=N")
//	sim await-call ACTION [N]   (wait, up to 20 s, until ACTION was called N times, 1 by default:
//	                            a background command has reached that point)
//	sim reset-calls
//	sim order ACTION1 ACTION2   (assert: the last ACTION1 call precedes the first ACTION2 call)
//	sim entry ACLNAME CIDR COMMENT
//	sim listener LBID PORT STATUS TYPE ACLID   (ACLID - keeps the listener's)
//	sim eip-status ALLOCATIONID STATUS   (assert)
//	sim eips COUNT              (assert the number of EIPs)
//	sim cert-omits-eip CLUSTERNAME   (the cluster's certificate leaves its EIP out)
//	sim client-address ADDRESS       (the address the simulated user connects from)
//	sim finish-tasks                 (the tasks in progress end now)
//	sim acls NAME COUNT         (assert how many ACLs are named NAME)
//	sim unused COUNT            (assert the number of EIPs ack-expose allocated that are not InUse nor Releasing)
//	sim marked-eip ID IP REGION CLUSTERID [PrePaid|fresh]   (an Available EIP ack-expose marked, allocated by another machine, long ago or now)
//	sim delete-cluster CLUSTERNAME   (the cluster is deleted in the cloud)
func cmdSim(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 0 {
		ts.Fatalf("usage: sim fault|timing|calls|reset-calls|eip-status|eips ...")
	}
	e := simulator.New(ts.Getenv("ACK_EXPOSE_SIMULATOR_STATE"))
	switch args[0] {
	case "fault":
		var f simulator.Fault
		for len(args) > 2 && strings.HasPrefix(args[1], "-") {
			switch args[1] {
			case "-delay":
				d, err := time.ParseDuration(args[2])
				ts.Check(err)
				f.Delay = simulator.Duration(d)
				args = append(args[:1], args[3:]...)
			case "-state":
				f.ClusterState = args[2]
				args = append(args[:1], args[3:]...)
			case "-after":
				f.After = atoi(ts, "-after", args[2])
				args = append(args[:1], args[3:]...)
			case "-drop":
				f.Drop = true
				args = append(args[:1], args[2:]...)
			default:
				ts.Fatalf("sim fault: unknown option %s", args[1])
			}
		}
		if len(args) < 5 {
			ts.Fatalf("usage: sim fault [-delay D] [-drop] [-state S] [-after N] ACTION CODE|- HTTPSTATUS COUNT [MESSAGE...]")
		}
		status := atoi(ts, "HTTPSTATUS", args[3])
		n := atoi(ts, "COUNT", args[4])
		msg := strings.Join(args[5:], " ")
		if msg == "" {
			msg = "simulated " + args[2]
		}
		f.Action, f.Code, f.HTTPStatus, f.Message, f.Remaining = args[1], args[2], status, msg, n
		if f.Code == "-" {
			f.Code, f.Message = "", ""
		}
		ts.Check(e.Update(func(s *simulator.State) error {
			s.Faults = append(s.Faults, f)
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
			case "eipLag":
				s.Timing.EIPLag = simulator.Duration(d)
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
				n := atoi(ts, "COUNT", rest)
				ok = got >= n
			} else if rest, found := strings.CutPrefix(args[2], "<="); found {
				n := atoi(ts, "COUNT", rest)
				ok = got <= n
			} else {
				n := atoi(ts, "COUNT", args[2])
				ok = got == n
			}
			if ok == neg {
				return fmt.Errorf("calls of %s: %d, want %s%s", args[1], got, map[bool]string{true: "not ", false: ""}[neg], args[2])
			}
			return nil
		}))
	case "await-call":
		awaitCall(ts, e, neg, args[1:])
	case "reset-calls":
		ts.Check(e.Update(func(s *simulator.State) error { s.Calls, s.CallLog = map[string]int{}, nil; return nil }))
	case "order":
		// sim order A B: the last call of A came before the first call of B (call log).
		if len(args) != 3 {
			ts.Fatalf("usage: sim order ACTION1 ACTION2")
		}
		ts.Check(e.View(func(s *simulator.State) error {
			lastA, firstB := -1, -1
			for i, c := range s.CallLog {
				if c.Action == args[1] {
					lastA = i
				}
				if c.Action == args[2] && firstB < 0 {
					firstB = i
				}
			}
			if ok := lastA >= 0 && firstB >= 0 && lastA < firstB; ok == neg {
				return fmt.Errorf("call log: last %s at %d, first %s at %d; want %s before", args[1], lastA, args[2], firstB, args[1])
			}
			return nil
		}))
	case "entry":
		// sim entry ACLNAME CIDR COMMENT: set (or add) an entry of an ACL, as a fixture.
		if len(args) != 4 {
			ts.Fatalf("usage: sim entry ACLNAME CIDR COMMENT")
		}
		ts.Check(e.Update(func(s *simulator.State) error {
			for i := range s.ACLs {
				a := &s.ACLs[i]
				if a.Name != args[1] {
					continue
				}
				for j := range a.Entries {
					if a.Entries[j].Entry == args[2] {
						a.Entries[j].Comment = args[3]
						return nil
					}
				}
				a.Entries = append(a.Entries, simulator.ACLEntry{Entry: args[2], Comment: args[3]})
				return nil
			}
			return fmt.Errorf("no ACL named %s", args[1])
		}))
	case "listener":
		// sim listener LBID PORT STATUS TYPE ACLID: set a listener's access control.
		if len(args) != 6 {
			ts.Fatalf("usage: sim listener LBID PORT STATUS TYPE ACLID")
		}
		port := atoi(ts, "PORT", args[2])
		ts.Check(e.Update(func(s *simulator.State) error {
			for i := range s.LoadBalancers {
				for j := range s.LoadBalancers[i].Listeners {
					l := &s.LoadBalancers[i].Listeners[j]
					if s.LoadBalancers[i].ID == args[1] && l.Port == port {
						l.AclStatus, l.AclType = args[3], args[4]
						if args[5] != "-" {
							l.AclID = args[5]
						}
						return nil
					}
				}
			}
			return fmt.Errorf("no listener %s:%s", args[1], args[2])
		}))
	case "marked-eip":
		if len(args) != 5 && len(args) != 6 {
			ts.Fatalf("usage: sim marked-eip ID IP REGION CLUSTERID [PrePaid|fresh]")
		}
		charge, at := "PostPaid", (*time.Time)(nil)
		if len(args) == 6 && args[5] == "fresh" {
			now := time.Now()
			at = &now
		} else if len(args) == 6 {
			charge = args[5]
		}
		ts.Check(e.Update(func(s *simulator.State) error {
			s.EIPs = append(s.EIPs, simulator.EIP{AllocationID: args[1], IPAddress: args[2], RegionID: args[3], Status: "Available",
				Bandwidth: "5", InternetChargeType: "PayByTraffic", ChargeType: charge, Name: "ack-expose-" + args[4],
				Description: "allocated by ack-expose for cluster " + args[4] + " (client token ci-runner-1)", AllocatedAt: at})
			return nil
		}))
	case "delete-cluster":
		if len(args) != 2 {
			ts.Fatalf("usage: sim delete-cluster CLUSTERNAME")
		}
		ts.Check(e.Update(func(s *simulator.State) error {
			for i, c := range s.Clusters {
				if c.Name == args[1] {
					s.Clusters = append(s.Clusters[:i], s.Clusters[i+1:]...)
					return nil
				}
			}
			return fmt.Errorf("no cluster %s", args[1])
		}))
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
	case "cert-omits-eip":
		if len(args) != 2 {
			ts.Fatalf("usage: sim cert-omits-eip CLUSTERNAME")
		}
		ts.Check(e.Update(func(s *simulator.State) error {
			for i := range s.Clusters {
				if s.Clusters[i].Name == args[1] {
					s.Clusters[i].CertOmitsEIP = true
					return nil
				}
			}
			return fmt.Errorf("no cluster named %q", args[1])
		}))
	case "finish-tasks":
		// The rollouts in progress end now (the restart window closes).
		ts.Check(e.Update(func(s *simulator.State) error {
			for i := range s.Tasks {
				if s.Tasks[i].State == "running" {
					s.Tasks[i].FinishAt = time.Now().Add(-time.Millisecond)
				}
			}
			return nil
		}))
	case "client-address":
		if len(args) != 2 {
			ts.Fatalf("usage: sim client-address ADDRESS")
		}
		ts.Check(e.Update(func(s *simulator.State) error { s.ClientAddress = args[1]; return nil }))
	case "unused":
		// EIPs ack-expose allocated (by their description) that serve nothing
		// and are not being released: what must never be left behind.
		ts.Check(e.View(func(s *simulator.State) error {
			var ids []string
			for _, x := range s.EIPs {
				if strings.HasPrefix(x.Description, "allocated by ack-expose") && x.Status != "InUse" && x.Status != "Releasing" {
					ids = append(ids, x.AllocationID+" "+x.Status)
				}
			}
			if got := strconv.Itoa(len(ids)); (got == args[1]) == neg {
				return fmt.Errorf("%s unused EIPs allocated by ack-expose %v, want %s", got, ids, args[1])
			}
			return nil
		}))
	case "acls":
		// sim acls NAME COUNT: assert how many ACLs are named NAME.
		if len(args) != 3 {
			ts.Fatalf("usage: sim acls NAME COUNT")
		}
		ts.Check(e.View(func(s *simulator.State) error {
			n := 0
			for _, a := range s.ACLs {
				if a.Name == args[1] {
					n++
				}
			}
			if got := strconv.Itoa(n); (got == args[2]) == neg {
				return fmt.Errorf("%s ACLs named %s, want %s", got, args[1], args[2])
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

// awaitCall is `sim await-call ACTION [N]`: it polls the calls the simulator
// recorded until ACTION was called at least N times, instead of a story
// sleeping for a background command to get there.
func awaitCall(ts *testscript.TestScript, e *simulator.Engine, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: sim await-call ACTION [N]")
	}
	n := 1
	if len(args) == 2 {
		n = atoi(ts, "N", args[1])
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		got := 0
		ts.Check(e.View(func(s *simulator.State) error { got = s.Calls[args[0]]; return nil }))
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("sim await-call: %s was called %d times in 20s, want %d", args[0], got, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// interrupt [-again MARKER2 | -kill] MARKER CODE prog args...: start prog, send
// it SIGINT once its stderr shows MARKER (and, with -again, a second SIGINT
// once it shows MARKER2; with -kill, SIGKILL instead, as kill -9: CODE is
// then -1), and require exit status CODE. Its output is saved in
// $WORK/interrupt.stdout and $WORK/interrupt.stderr.
func cmdInterrupt(ts *testscript.TestScript, neg bool, args []string) {
	again, sig := "", os.Signal(syscall.SIGINT)
	if len(args) > 1 && args[0] == "-again" {
		again, args = args[1], args[2:]
	} else if len(args) > 0 && args[0] == "-kill" {
		sig, args = syscall.SIGKILL, args[1:]
	}
	if neg || len(args) < 3 {
		ts.Fatalf("usage: interrupt MARKER CODE program [args...]")
	}
	want := atoi(ts, "CODE", args[1])
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
	c := scriptCommand(ts, path, args[3:]...)
	var stdout, stderr bytes.Buffer
	c.Stdout = &stdout
	c.Stderr = &syncWriter{buf: &stderr}
	ts.Check(c.Start())
	waitFor := func(marker string) {
		deadline := time.Now().Add(20 * time.Second)
		for !strings.Contains(c.Stderr.(*syncWriter).String(), marker) {
			if time.Now().After(deadline) {
				_ = c.Process.Kill()
				ts.Fatalf("interrupt: %q never appeared on stderr: %s", marker, c.Stderr.(*syncWriter).String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitFor(args[0])
	ts.Check(c.Process.Signal(sig))
	if again != "" {
		waitFor(again)
		ts.Check(c.Process.Signal(syscall.SIGINT))
	}
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

// lookScriptPath finds a program on the script's PATH (where testscript puts
// its commands), not the test process's.
func lookScriptPath(ts *testscript.TestScript, name string) string {
	for _, dir := range filepath.SplitList(ts.Getenv("PATH")) {
		if p := filepath.Join(dir, name); fileExists(p) {
			return p
		}
	}
	ts.Fatalf("%s not found on the script's PATH", name)
	return ""
}

// scriptCommand is an exec.Cmd with the script's environment and directory.
func scriptCommand(ts *testscript.TestScript, path string, args ...string) *exec.Cmd {
	c := exec.Command(path, args...)
	c.Dir = ts.Getenv("WORK")
	var env []string
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); ts.Getenv(k) == "" {
			env = append(env, kv)
		}
	}
	for _, k := range []string{"HOME", "KUBECONFIG", "ACK_EXPOSE_SIMULATOR_STATE", "ACK_EXPOSE_BACKEND", "PATH", envFastWaits, envLockWait, "ACK_EXPOSE_HOSTS",
		"ALIBABA_CLOUD_ECS_METADATA_DISABLED", "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
		"ALIBABA_CLOUD_REGION_ID", "ACK_EXPOSE_CS_ENDPOINT", "ACK_EXPOSE_VPC_ENDPOINT", "ACK_EXPOSE_CONNECT_TO", "ACK_EXPOSE_SLB_ENDPOINT",
		"ACK_EXPOSE_STS_ENDPOINT", "ALIBABA_CLOUD_CONFIG_FILE", "ALIBABA_CLOUD_CREDENTIALS_FILE", "ALIBABA_CLOUD_CREDENTIALS_URI",
		"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"} {
		env = append(env, k+"="+ts.Getenv(k))
	}
	c.Env = env
	return c
}

// race CODES prog args... -- prog args...: run both commands at once; their
// exit codes, in either order, must be the comma-separated CODES (e.g. 0,4).
// Their combined stderr is saved in $WORK/race.stderr.
func cmdRace(ts *testscript.TestScript, neg bool, args []string) {
	sep := -1
	for i, a := range args {
		if a == "--" {
			sep = i
		}
	}
	if neg || len(args) < 4 || sep < 2 || sep == len(args)-1 {
		ts.Fatalf("usage: race CODES prog args... -- prog args...")
	}
	want := strings.Split(args[0], ",")
	cmds := [][]string{args[1:sep], args[sep+1:]}
	codes := make([]string, 2)
	var errs [2]bytes.Buffer
	done := make(chan int, 2)
	for i, a := range cmds {
		c := scriptCommand(ts, lookScriptPath(ts, a[0]), a[1:]...)
		c.Stderr = &errs[i]
		ts.Check(c.Start())
		go func() {
			err := c.Wait()
			code := 0
			var exitErr *exec.ExitError
			if errors.As(err, &exitErr) {
				code = exitErr.ExitCode()
			}
			codes[i] = strconv.Itoa(code)
			done <- i
		}()
	}
	<-done
	<-done
	ts.Check(os.WriteFile(filepath.Join(ts.Getenv("WORK"), "race.stderr"), append(errs[0].Bytes(), errs[1].Bytes()...), 0o600))
	ok := (codes[0] == want[0] && codes[1] == want[1]) || (codes[0] == want[1] && codes[1] == want[0])
	if !ok {
		ts.Fatalf("exit codes %v, want %v in any order\nstderr 1: %s\nstderr 2: %s", codes, want, errs[0].String(), errs[1].String())
	}
}

// startserve: run `kubectl-ack_expose simulator serve` as its own process on a
// free loopback port, set SERVE_URL to the URL it prints, stop it at the end.
func cmdStartServe(ts *testscript.TestScript, neg bool, args []string) {
	c := scriptCommand(ts, lookScriptPath(ts, "kubectl-ack_expose"), append([]string{"simulator", "serve"}, args...)...)
	out, err := c.StdoutPipe()
	ts.Check(err)
	var stderr syncWriter
	stderr.buf = new(bytes.Buffer)
	c.Stderr = &stderr
	ts.Check(c.Start())
	lines := make(chan [2]string, 1)
	go func() {
		r := bufio.NewReader(out)
		first, _ := r.ReadString('\n')
		second, _ := r.ReadString('\n')
		lines <- [2]string{strings.TrimSpace(first), strings.TrimSpace(second)}
		_, _ = io.Copy(io.Discard, r)
	}()
	select {
	case got := <-lines:
		url := got[0]
		if neg {
			_ = c.Process.Kill()
			_ = c.Wait()
			if url != "" {
				ts.Fatalf("simulator serve started at %s", url)
			}
			return
		}
		if !strings.HasPrefix(url, "http://127.0.0.1:") {
			_ = c.Process.Kill()
			ts.Fatalf("simulator serve printed %q, want its URL; stderr: %s", url, stderr.String())
		}
		ts.Setenv("SERVE_URL", url)
		// The second line maps the API server endpoints to serve's ports.
		if v, ok := strings.CutPrefix(got[1], "export ACK_EXPOSE_CONNECT_TO="); ok {
			ts.Setenv("ACK_EXPOSE_CONNECT_TO", v)
		} else {
			_ = c.Process.Kill()
			ts.Fatalf("simulator serve's second line is %q, want export ACK_EXPOSE_CONNECT_TO=...", got[1])
		}
		ts.Defer(func() {
			_ = c.Process.Signal(syscall.SIGINT)
			_ = c.Wait()
		})
	case <-time.After(15 * time.Second):
		_ = c.Process.Kill()
		ts.Fatalf("simulator serve printed nothing in 15s; stderr: %s", stderr.String())
	}
}

// atoi parses a number argument of a script command, failing the script on
// anything else: `sim calls X 1O` must not quietly assert 0.
func atoi(ts *testscript.TestScript, what, s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		ts.Fatalf("%s %q is not a number", what, s)
	}
	return n
}
