// Command bench measures kubectl ack-expose against its performance budget,
// side by side in one run, and writes the figures to BENCH.md:
//
//	go run ./hack/bench [-out BENCH.md] [-runs 51]
//
// It exits 1 if a target is missed. Run it through `make bench`.
package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ack-expose/ack-expose/simulator"
)

type result struct {
	name, figure, target string
	ok                   bool
}

var (
	results []result
	tmp     string
	bin     string
)

func record(name, figure, target string, ok bool) {
	results = append(results, result{name, figure, target, ok})
	mark := "ok"
	if !ok {
		mark = "MISSED"
	}
	fmt.Printf("%-58s %-34s %-22s %s\n", name, figure, target, mark)
}

func main() {
	out := flag.String("out", "BENCH.md", "report to write")
	runs := flag.Int("runs", 51, "runs per timed command")
	only := flag.String("only", "", "run some rows only, printed, BENCH.md untouched: accounts (the account-wide audit of 3 accounts x 4 regions x 200 clusters), startup (version, init allocations, status against kubectl)")
	flag.Parse()
	if *only != "" && *only != "accounts" && *only != "startup" {
		fmt.Fprintf(os.Stderr, "bench: -only %q: want accounts or startup\n", *only)
		os.Exit(2)
	}
	var err error
	tmp, err = os.MkdirTemp("", "ack-expose-bench")
	check(err)
	defer os.RemoveAll(tmp)

	// 1. Binary size, stripped, as released.
	bin = filepath.Join(tmp, "kubectl-ack_expose")
	run("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", bin, "./cmd/kubectl-ack_expose")
	st, err := os.Stat(bin)
	check(err)
	mib := float64(st.Size()) / (1 << 20)
	record("binary size (stripped, -trimpath)", fmt.Sprintf("%.2f MiB", mib), "<= 20 MiB", mib <= 20)
	if *only == "accounts" {
		benchAccounts()
		exitIfMissed()
		return
	}

	// 2. Start-up: status -o json against the simulator vs kubectl's own
	// start-up (`kubectl version --client`), in the same run; a bare Go
	// hello for scale.
	hello := filepath.Join(tmp, "hello")
	check(os.WriteFile(filepath.Join(tmp, "hello.go"), []byte("package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello\") }\n"), 0o644))
	run("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", hello, filepath.Join(tmp, "hello.go"))
	env := initWorld("status", "0s", "0s")
	cmds := []timedCommand{{nil, []string{hello}}, {env, []string{bin, "status", "-o", "json"}}, {env, []string{bin, "version"}}}
	kubectl, kerr := exec.LookPath("kubectl")
	if kerr == nil {
		cmds = append(cmds, timedCommand{env, []string{kubectl, "version", "--client"}})
	}
	timed := timeAlternating(*runs, cmds...)
	helloMed, statusMed, statusRSS, floorMed := timed[0].median, timed[1].median, timed[1].peakRSS, timed[2].median
	record("version (no work: start-up of the linked libraries alone)", fmt.Sprintf("%s (hello %s)", ms(floorMed), ms(helloMed)), "information", true)
	ownAllocs, heaviest := initAllocs(env)
	record("package initialisation of the plugin's own packages: allocations", fmt.Sprintf("%d (most: %s)", ownAllocs, heaviest), "<= 300", ownAllocs <= 300)
	if kerr == nil {
		kMed := timed[3].median
		ratio := float64(statusMed) / float64(kMed)
		record("status -o json, median wall time", fmt.Sprintf("%s (kubectl version --client %s, %.2fx)", ms(statusMed), ms(kMed), ratio), "<= 0.25x kubectl", ratio <= 0.25)
	} else {
		record("status -o json, median wall time", ms(statusMed)+" (kubectl not found: no comparison)", "<= 0.25x kubectl: skipped", true)
	}
	record("status -o json, peak RSS", fmt.Sprintf("%.1f MiB", float64(statusRSS)/1024), "<= 30 MiB", statusRSS <= 30*1024)
	if *only == "startup" {
		exitIfMissed()
		return
	}

	// 3. Waiting: a 3 s operation is reported the moment it finishes.
	worstLate, worstCalls := time.Duration(0), 0
	for range 3 {
		env := initWorld("wait", "3s", "0s")
		state := envValue(env, "ACK_EXPOSE_SIMULATOR_STATE")
		resetCalls(state)
		_, _ = runTimed(env, bin, "associate", "--eip", "47.96.1.10")
		end := time.Now()
		var finish time.Time
		calls := 0
		check(simulator.New(state).View(func(s *simulator.State) error {
			for _, t := range s.Tasks {
				finish = t.FinishAt
			}
			for _, n := range s.Calls {
				calls += n
			}
			return nil
		}))
		worstLate, worstCalls = max(worstLate, end.Sub(finish)), max(worstCalls, calls)
	}
	record("associate, 3 s operation: returned after it finished", "worst of 3: "+ms(worstLate), "<= 750 ms", worstLate <= 750*time.Millisecond)
	record("associate, 3 s operation: API calls in total", fmt.Sprintf("worst of 3: %d", worstCalls), "<= 12", worstCalls <= 12)

	// 4. API calls per command (simulator `calls`), operations instant.
	env = initWorld("calls", "0s", "0s")
	state := envValue(env, "ACK_EXPOSE_SIMULATOR_STATE")
	pro := "--context=1234567890123456-" + simulator.ClusterIDFor("demo-pro")
	for _, c := range []struct {
		args  []string
		limit int
	}{
		// status: cluster, EIP, and the allow list (CLB, listener; ACL and VPC when on).
		{[]string{"status"}, 4},
		{[]string{"status", pro}, 4},
		// A command that changes things (a plan or a no-op included: they say
		// what the real run would do) asks STS once whose credentials these are,
		// before anything else: the account guard (docs/credentials.md).
		{[]string{"associate", "--eip", "47.96.1.10", "--dry-run"}, 4 + 1},
		{[]string{"associate", "--eip", "47.96.1.10"}, 9},
		{[]string{"associate", "--eip", "47.96.1.10"}, 2 + 1},
		// Creating the list: one ACL per cluster is looked up by name first, and
		// the listener is read again just before attaching (parallel runs).
		{[]string{"allow", "203.0.113.0/24", "--yes"}, 10 + 1},
		{[]string{"allow", "203.0.113.0/24"}, 6 + 1},
		{[]string{"status"}, 6},
		// change then shows who may reach the new EIP, as status does: with
		// the list on, the 4 reads status makes for ALLOWED SOURCES.
		{[]string{"change", "--allocate", "--release"}, 10 + 4},
		{[]string{"disassociate", "--release"}, 8},
		{[]string{"disassociate"}, 1 + 1},
		{[]string{"status", "--all-contexts"}, 5},
	} {
		resetCalls(state)
		_, _ = runTimed(env, bin, c.args...)
		n, detail := calls(state)
		record("API calls: "+strings.Join(c.args, " "), fmt.Sprintf("%d (%s)", n, detail), fmt.Sprintf("<= %d", c.limit), n <= c.limit)
	}

	// 5. The 500-context audit, 50 ms per API call, through `simulator serve`
	// with the aliyun backend, and in-process with the simulator backend.
	env = auditWorld(500)
	state = envValue(env, "ACK_EXPOSE_SIMULATOR_STATE")
	url, connectTo, stop := serve(env)
	aliyunEnv := append(append([]string{}, env...), "ACK_EXPOSE_BACKEND=aliyun", "ACK_EXPOSE_CS_ENDPOINT="+url, "ACK_EXPOSE_VPC_ENDPOINT="+url, "ACK_EXPOSE_SLB_ENDPOINT="+url, "ACK_EXPOSE_CONNECT_TO="+connectTo,
		"ALIBABA_CLOUD_ACCESS_KEY_ID=bench", "ALIBABA_CLOUD_ACCESS_KEY_SECRET=bench", "ALIBABA_CLOUD_ECS_METADATA_DISABLED=true")
	for _, b := range []struct {
		name string
		env  []string
	}{{"aliyun backend via simulator serve", aliyunEnv}, {"simulator backend", env}} {
		resetCalls(state)
		d, rows := runTimed(b.env, bin, "status", "--all-contexts", "-o", "json")
		n, detail := calls(state)
		reads := actionCalls(state, entryReads)
		record(fmt.Sprintf("audit of 500 contexts with allow lists, 50 ms/call, %s: time", b.name), fmt.Sprintf("%s (%d rows)", ms(d), rows), "< 2 s", d < 2*time.Second && rows == 500)
		record(fmt.Sprintf("audit of 500 contexts with allow lists, 50 ms/call, %s: listing calls", b.name), fmt.Sprintf("%d (%s)", n-reads, detail), "<= 80", n-reads <= 80)
		record(fmt.Sprintf("audit of 500 contexts with allow lists, 50 ms/call, %s: entry reads", b.name), fmt.Sprintf("%d", reads),
			fmt.Sprintf("one per public allow list (%d)", publicLists(500)), reads == publicLists(500))
	}
	// ... and with --check: every exposed cluster's endpoint checked from here,
	// through serve's API server endpoints, each connection paying the 50 ms.
	d, checked, okChecks := runChecks(aliyunEnv, "status", "--all-contexts", "--check", "-o", "json")
	record("audit --check of 500 contexts, 50 ms/connection, aliyun backend via simulator serve: time",
		fmt.Sprintf("%s (%d endpoints checked, %d ok)", ms(d), checked, okChecks), "< 10 s", d < 10*time.Second && checked == 250 && okChecks == 250)
	stop()

	// 6. The account-wide audit over several accounts.
	benchAccounts()

	// 7. The engine's hot paths.
	cmd := exec.Command("go", "test", "-run", "^$", "-bench", ".", "-benchtime", "200x", "-benchmem", "./simulator/")
	benchOut, err := cmd.CombinedOutput()
	check(err)
	fmt.Print(string(benchOut))

	writeReport(*out, *runs, string(benchOut))
	exitIfMissed()
}

// exitIfMissed exits 1 when a row missed its target (the temp dir removed:
// os.Exit runs no deferred call).
func exitIfMissed() {
	for _, r := range results {
		if !r.ok {
			fmt.Println("bench: a target was missed")
			_ = os.RemoveAll(tmp)
			os.Exit(1)
		}
	}
}

func initWorld(name, modify, latency string) []string {
	dir := filepath.Join(tmp, name)
	env := []string{"HOME=" + dir, "KUBECONFIG=" + filepath.Join(dir, "kubeconfig"), "ACK_EXPOSE_BACKEND=simulator",
		"ACK_EXPOSE_SIMULATOR_STATE=" + filepath.Join(dir, "sim.json"), "PATH=" + os.Getenv("PATH")}
	c := exec.Command(bin, "simulator", "init", "--force", "--state", filepath.Join(dir, "sim.json"), "--kubeconfig",
		filepath.Join(dir, "kubeconfig"), "--modify-cluster-time", modify, "--api-latency", latency)
	c.Env = env
	if out, err := c.CombinedOutput(); err != nil {
		check(fmt.Errorf("simulator init: %v: %s", err, out))
	}
	return env
}

// auditWorld is a world of n exposed-or-not clusters, a kubeconfig with one
// ACK context each, and 50 ms of latency on every call.
func auditWorld(n int) []string {
	env := initWorld("audit", "0s", "50ms")
	state := envValue(env, "ACK_EXPOSE_SIMULATOR_STATE")
	var kc bytes.Buffer
	kc.WriteString("apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user: {token: t}\nclusters:\n")
	check(simulator.New(state).Update(func(s *simulator.State) error {
		s.Clusters, s.EIPs, s.LoadBalancers, s.ACLs, s.VPCs = nil, nil, nil, nil, nil
		for i := range n {
			name := fmt.Sprintf("fleet-%04d", i)
			c := fleetCluster(s, i, name, simulator.DemoRegion, fmt.Sprintf("10.%d.%d.10", i/250, i%250),
				fmt.Sprintf("fleet%06d", i), fmt.Sprintf("47.100.%d.%d", i/250, i%250+1))
			fmt.Fprintf(&kc, "- name: %s\n  cluster: {server: %q, certificate-authority-data: %s}\n", name, c.IntranetEndpoint,
				base64.StdEncoding.EncodeToString([]byte(s.CA.Cert)))
		}
		kc.WriteString("contexts:\n")
		for _, c := range s.Clusters {
			fmt.Fprintf(&kc, "- name: %s-%s\n  context: {cluster: %s, user: u}\n", s.AccountID, c.ID, c.Name)
		}
		return nil
	}))
	check(os.WriteFile(envValue(env, "KUBECONFIG"), kc.Bytes(), 0o600))
	return env
}

// serve starts `simulator serve` and returns its URL, its ACK_EXPOSE_CONNECT_TO
// value and how to stop it.
func serve(env []string, args ...string) (string, string, func()) {
	c := exec.Command(bin, append([]string{"simulator", "serve"}, args...)...)
	c.Env = env
	stdout, err := c.StdoutPipe()
	check(err)
	check(c.Start())
	r := bufio.NewReader(stdout)
	line, err := r.ReadString('\n')
	check(err)
	mapLine, err := r.ReadString('\n')
	check(err)
	go func() { _, _ = io.Copy(io.Discard, r) }()
	connectTo := strings.TrimPrefix(strings.TrimSpace(mapLine), "export ACK_EXPOSE_CONNECT_TO=")
	return strings.TrimSpace(line), connectTo, func() { _ = c.Process.Signal(os.Interrupt); _ = c.Wait() }
}

// runChecks runs an audit with --check and returns its wall time, how many
// endpoints it checked and how many of those checks passed.
func runChecks(env []string, args ...string) (time.Duration, int, int) {
	d, out := runOnce(env, bin, args...)
	var list struct {
		Items []struct {
			Check *struct {
				Endpoint string `json:"endpoint"`
				Error    string `json:"error"`
			} `json:"check"`
		} `json:"items"`
	}
	check(json.Unmarshal(out.Bytes(), &list))
	checked, ok := 0, 0
	for _, it := range list.Items {
		if it.Check != nil && it.Check.Endpoint != "" {
			checked++
			if it.Check.Error == "" {
				ok++
			}
		}
	}
	return d, checked, ok
}

func envValue(env []string, key string) string {
	for _, kv := range env {
		if k, v, _ := strings.Cut(kv, "="); k == key {
			return v
		}
	}
	return ""
}

func resetCalls(state string) {
	check(simulator.New(state).Update(func(s *simulator.State) error { s.Calls = map[string]int{}; return nil }))
}

// entryReads is the one call per allow list whose entries are read: the
// audit reads each public endpoint's whitelist (the cloud has no batch read).
const entryReads = "DescribeAccessControlListAttribute"

// actionCalls is how many times the simulator answered one action.
func actionCalls(state, action string) int {
	n := 0
	check(simulator.New(state).View(func(s *simulator.State) error { n = s.Calls[action]; return nil }))
	return n
}

func calls(state string) (int, string) {
	total := 0
	var parts []string
	check(simulator.New(state).View(func(s *simulator.State) error {
		for k, n := range s.Calls {
			total += n
			parts = append(parts, fmt.Sprintf("%s %d", k, n))
		}
		return nil
	}))
	sort.Strings(parts)
	return total, strings.Join(parts, ", ")
}

// runOnce runs a command once and returns its wall time and its output; a
// failure stops the benchmark.
func runOnce(env []string, name string, args ...string) (time.Duration, *bytes.Buffer) {
	c := exec.Command(name, args...)
	c.Env = env
	var out bytes.Buffer
	c.Stdout = &out
	start := time.Now()
	err := c.Run()
	d := time.Since(start)
	if err != nil {
		check(fmt.Errorf("%s %v: %v", name, args, err))
	}
	return d, &out
}

// runTimed runs a command once and returns its wall time and, for JSON lists,
// the number of items.
func runTimed(env []string, name string, args ...string) (time.Duration, int) {
	d, out := runOnce(env, name, args...)
	var list struct {
		Items []json.RawMessage `json:"items"`
	}
	_ = json.Unmarshal(out.Bytes(), &list)
	return d, len(list.Items)
}

// timedCommand is a command to time: its environment (nil: this process's) and argv.
type timedCommand struct {
	env  []string
	argv []string
}

// timing is the median wall time of a command's runs and their peak resident
// set size (KiB).
type timing struct {
	median  time.Duration
	peakRSS int64
}

// timeAlternating runs the commands in turn, n rounds, so that a change in
// the machine's load weighs on all of them alike.
func timeAlternating(n int, cmds ...timedCommand) []timing {
	ds := make([][]time.Duration, len(cmds))
	out := make([]timing, len(cmds))
	for range n {
		for i, tc := range cmds {
			c := exec.Command(tc.argv[0], tc.argv[1:]...)
			if tc.env != nil {
				c.Env = tc.env
			}
			start := time.Now()
			if o, err := c.CombinedOutput(); err != nil {
				check(fmt.Errorf("%v: %v: %s", tc.argv, err, o))
			}
			ds[i] = append(ds[i], time.Since(start))
			if ru, ok := c.ProcessState.SysUsage().(*syscall.Rusage); ok {
				out[i].peakRSS = max(out[i].peakRSS, ru.Maxrss)
			}
		}
	}
	for i := range cmds {
		sort.Slice(ds[i], func(a, b int) bool { return ds[i][a] < ds[i][b] })
		out[i].median = ds[i][len(ds[i])/2]
	}
	return out
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

// initAllocs runs `version` under GODEBUG=inittrace=1 and sums the
// allocations of the plugin's own packages' initialisation (a regexp or a
// table built at init is paid by every run, whatever the command).
func initAllocs(env []string) (int, string) {
	c := exec.Command(bin, "version")
	c.Env = append(append([]string{}, env...), "GODEBUG=inittrace=1")
	var stderr bytes.Buffer
	c.Stderr = &stderr
	check(c.Run())
	total, most, heaviest := 0, -1, "none"
	for _, line := range strings.Split(stderr.String(), "\n") {
		// init PKG @T ms, C ms clock, B bytes, A allocs
		f := strings.Fields(line)
		if len(f) < 11 || f[0] != "init" || !strings.HasPrefix(f[1], "github.com/ack-expose/") {
			continue
		}
		n, err := strconv.Atoi(f[9])
		check(err)
		total += n
		if n > most {
			most, heaviest = n, fmt.Sprintf("%s %d", strings.TrimPrefix(f[1], "github.com/ack-expose/ack-expose/"), n)
		}
	}
	return total, heaviest
}

func run(name string, args ...string) {
	c := exec.Command(name, args...)
	c.Stderr = os.Stderr
	c.Env = append(os.Environ(), "CGO_ENABLED=0")
	check(c.Run())
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func machine() string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "model name") {
				_, cpu, _ = strings.Cut(l, ":")
				cpu = strings.TrimSpace(cpu)
				break
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		fmt.Sscanf(strings.SplitN(string(b), "\n", 2)[0], "MemTotal: %d kB", &kb)
		mem = fmt.Sprintf(", %.0f GiB", float64(kb)/(1<<20))
	}
	return fmt.Sprintf("%s/%s, %d CPUs (%s)%s, %s", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), cpu, mem, runtime.Version())
}

func writeReport(path string, runs int, benchOut string) {
	var b strings.Builder
	fmt.Fprintf(&b, "# Performance budget\n\nWritten by `make bench` (`go run ./hack/bench`) on %s.\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "Machine: %s.\n\n", machine())
	b.WriteString("| measure | figure | target | |\n| --- | --- | --- | --- |\n")
	for _, r := range results {
		mark := "ok"
		if !r.ok {
			mark = "**missed**"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", r.name, r.figure, r.target, mark)
	}
	fmt.Fprintf(&b, `
How each figure is taken (all against fresh simulator worlds in a temp dir):

- size: `+"`go build -trimpath -ldflags '-s -w' ./cmd/kubectl-ack_expose`"+`, CGO disabled.
- start-up: %d rounds of a bare Go "hello" built the same way, `+"`kubectl-ack_expose status -o json`"+`
  (simulator backend), `+"`kubectl-ack_expose version`"+` and, where kubectl is installed,
  `+"`kubectl version --client`"+`, in turn; medians of wall time; peak RSS is the largest
  ru_maxrss of the status runs. Without kubectl the comparison is skipped and says so.
- waiting: `+"`simulator init --modify-cluster-time 3s`, then `associate --eip 47.96.1.10`"+`; the
  lateness is the process's end minus the task's finish time in the state file; calls are the
  sum of the simulator's `+"`calls`"+` (3 runs, worst shown).
- API calls: the simulator's `+"`calls`"+` after each command alone, operations instant, in the order listed.
- audit: 500 clusters (half exposed, a third with an allow list on, so a sixth public behind a list) and a
  kubeconfig of 500 ACK contexts, `+"`timing.apiLatency`"+` 50 ms,
  `+"`status --all-contexts -o json`"+` with the aliyun backend through `+"`simulator serve`"+`, then with the simulator backend;
  then `+"`--check`"+` with the aliyun backend, each exposed endpoint reached through serve's API server
  endpoints (`+"`ACK_EXPOSE_CONNECT_TO`"+`), every connection delayed 50 ms. Listing calls are every call but
  the entry reads: the SLB API has no batch read of ACL entries, so the audit reads each public
  endpoint's whitelist once (DescribeAccessControlListAttribute) to tell "anyone" from a restricted list.
- account-wide audit: the same fleet per account and region, `+"`status --all-clusters --profiles all -o json`"+`.

Engine hot paths (`+"`go test -run '^$' -bench . -benchtime 200x -benchmem ./simulator/`"+`):

`+"```"+`
%s`+"```"+`
`, runs, benchOut)
	check(os.WriteFile(path, []byte(b.String()), 0o644))
	fmt.Println("wrote", path)
}

// benchAccounts: status --all-clusters --profiles all over 3 accounts (state
// files served by one `simulator serve --account`), each with 200 clusters in
// each of 4 regions, half exposed, a third with an allow list, 50 ms per call.
func benchAccounts() {
	regions := []string{"cn-hangzhou", "cn-shanghai", "cn-beijing", "cn-shenzhen"}
	dir := filepath.Join(tmp, "accounts")
	check(os.MkdirAll(dir, 0o700))
	var states, serveArgs []string
	var cfg strings.Builder
	cfg.WriteString(`{"current": "acct0", "profiles": [`)
	for a := range 3 {
		state := filepath.Join(dir, fmt.Sprintf("account%d.json", a))
		uid := fmt.Sprintf("%d%015d", a+1, a+1)
		fleetState(state, uid, regions, 200)
		states = append(states, state)
		ak := fmt.Sprintf("LTAIbenchAccount%d", a)
		if a > 0 {
			serveArgs = append(serveArgs, "--account", ak+"="+state)
		}
		if a > 0 {
			cfg.WriteString(",")
		}
		fmt.Fprintf(&cfg, `{"name": "acct%d", "mode": "AK", "access_key_id": %q, "access_key_secret": "bench", "region_id": "cn-hangzhou"}`, a, ak)
	}
	cfg.WriteString("]}")
	check(os.WriteFile(filepath.Join(dir, "aliyun.json"), []byte(cfg.String()), 0o600))
	check(os.WriteFile(filepath.Join(dir, "kubeconfig"), []byte("apiVersion: v1\nkind: Config\n"), 0o600))
	env := []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH"), "KUBECONFIG=" + filepath.Join(dir, "kubeconfig"),
		"ACK_EXPOSE_SIMULATOR_STATE=" + states[0], "ALIBABA_CLOUD_CONFIG_FILE=" + filepath.Join(dir, "aliyun.json"),
		"ALIBABA_CLOUD_ECS_METADATA_DISABLED=true"}
	url, _, stop := serve(env, serveArgs...)
	defer stop()
	aliyunEnv := append(append([]string{}, env...), "ACK_EXPOSE_BACKEND=aliyun", "ACK_EXPOSE_CS_ENDPOINT="+url, "ACK_EXPOSE_VPC_ENDPOINT="+url,
		"ACK_EXPOSE_SLB_ENDPOINT="+url, "ACK_EXPOSE_STS_ENDPOINT="+url)
	for _, s := range states {
		resetCalls(s)
	}
	d, rows := runTimed(aliyunEnv, bin, "status", "--all-clusters", "--profiles", "all", "-o", "json")
	total, reads := 0, 0
	var details []string
	for _, s := range states {
		n, detail := calls(s)
		total += n
		reads += actionCalls(s, entryReads)
		details = append(details, detail)
	}
	want := 3 * len(regions) * publicLists(200)
	record("account-wide audit, 3 accounts x 4 regions x 200 clusters, 50 ms/call: time", fmt.Sprintf("%s (%d rows)", ms(d), rows), "< 5 s", d < 5*time.Second && rows == 2400)
	record("account-wide audit, 3 accounts x 4 regions x 200 clusters, 50 ms/call: listing calls", fmt.Sprintf("%d (%s)", total-reads, details[0]), "< 150", total-reads < 150)
	record("account-wide audit, 3 accounts x 4 regions x 200 clusters, 50 ms/call: entry reads", fmt.Sprintf("%d", reads),
		fmt.Sprintf("one per public allow list (%d)", want), reads == want)
}

// fleetState writes a world of perRegion clusters in each region for account
// uid: every CLB with its API server listener, every second cluster exposed,
// every third with an allow list on; 50 ms of latency on every call.
func fleetState(path, uid string, regions []string, perRegion int) {
	c := exec.Command(bin, "simulator", "init", "--force", "--state", path, "--kubeconfig", path+".kubeconfig", "--account-id", uid, "--api-latency", "50ms")
	if out, err := c.CombinedOutput(); err != nil {
		check(fmt.Errorf("simulator init: %v: %s", err, out))
	}
	check(simulator.New(path).Update(func(s *simulator.State) error {
		s.Clusters, s.EIPs, s.LoadBalancers, s.ACLs, s.VPCs = nil, nil, nil, nil, nil
		for r, region := range regions {
			for i := range perRegion {
				fleetCluster(s, i, fmt.Sprintf("fleet-%s-%d-%04d", uid, r, i), region, fmt.Sprintf("10.%d.%d.10", r, i),
					fmt.Sprintf("%d-%06d", r, i), fmt.Sprintf("47.%d.%d.%d", 100+r, i/250, i%250+1))
			}
		}
		return nil
	}))
}

// publicLists is how many of n fleet clusters (fleetCluster) have a public
// endpoint guarded by an allow list: every sixth.
func publicLists(n int) int {
	k := 0
	for i := range n {
		if i%2 == 0 && i%3 == 0 {
			k++
		}
	}
	return k
}

// fleetCluster adds cluster number i of a fleet to s: its CLB with the API
// server listener, an allow list on for every third (acl-<tag>), an EIP for
// every second (eip-<tag>, address eipIP).
func fleetCluster(s *simulator.State, i int, name, region, addr, tag, eipIP string) simulator.Cluster {
	c := simulator.Cluster{ID: simulator.ClusterIDFor(name), Name: name, RegionID: region,
		ClusterType: "ManagedKubernetes", Profile: "Default", ClusterSpec: "ack.pro.small", State: "running",
		APIServerLoadBalancerID: "lb-" + name, IntranetEndpoint: "https://" + addr + ":6443", VPCID: "vpc-" + name}
	lb := simulator.LoadBalancer{ID: c.APIServerLoadBalancerID, RegionID: region, VPCID: c.VPCID, Address: addr, AddressIPVersion: "ipv4",
		Listeners: []simulator.Listener{{Port: 6443, Protocol: "tcp", AclStatus: "off"}}}
	if i%3 == 0 {
		acl := simulator.ACL{ID: "acl-" + tag, Name: "ack-expose-" + c.ID, RegionID: region, AddressIPVersion: "ipv4",
			Entries: []simulator.ACLEntry{{Entry: "100.104.0.0/16"}, {Entry: "203.0.113.0/24"}}}
		s.ACLs = append(s.ACLs, acl)
		lb.Listeners[0] = simulator.Listener{Port: 6443, Protocol: "tcp", AclStatus: "on", AclType: "white", AclID: acl.ID}
	}
	s.LoadBalancers = append(s.LoadBalancers, lb)
	if i%2 == 0 {
		e := simulator.EIP{AllocationID: "eip-" + tag, IPAddress: eipIP, RegionID: region, Status: "InUse",
			InstanceID: c.APIServerLoadBalancerID, InstanceType: "SlbInstance", Bandwidth: "5", InternetChargeType: "PayByTraffic", ChargeType: "PostPaid"}
		s.EIPs = append(s.EIPs, e)
		c.EIPAllocationID = e.AllocationID
	}
	s.Clusters = append(s.Clusters, c)
	return c
}
