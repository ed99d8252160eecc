package simulator

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestMain lets this test binary act as the helper processes of the
// multi-process tests below.
func TestMain(m *testing.M) {
	VerifyReads = true
	switch os.Getenv("SIMULATOR_TEST_HELPER") {
	case "rounds":
		os.Exit(helperRounds())
	case "writer":
		os.Exit(helperWriter())
	}
	os.Exit(m.Run())
}

func newEngine(t *testing.T, s *State) *Engine {
	t.Helper()
	e := New(filepath.Join(t.TempDir(), "state.json"))
	if err := e.Write(s, false); err != nil {
		t.Fatal(err)
	}
	return e
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

// Time passes lazily: a task holds the cluster updating and the EIP
// Associating until timing.modifyCluster has passed, then settles.
func TestModifyClusterTakesTime(t *testing.T) {
	w := DemoWorld()
	w.Timing.ModifyCluster = Duration(2 * time.Second)
	e := newEngine(t, w)
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	e.Now = c.now
	id := ClusterIDFor("demo-basic")
	task, err := e.ModifyCluster(ModifyClusterRequest{ClusterID: id, APIServerEIP: true, APIServerEIPID: "eip-bp1demo0000000000001"})
	if err != nil {
		t.Fatal(err)
	}
	check := func(wantCluster, wantEIP, wantTask, wantEndpoint string) {
		t.Helper()
		v, err := e.DescribeClusterDetail(id)
		if err != nil {
			t.Fatal(err)
		}
		tk, _ := e.DescribeTaskInfo(task)
		eips, _, _ := e.DescribeEipAddresses("cn-hangzhou", EIPFilter{AllocationIDs: []string{"eip-bp1demo0000000000001"}}, 1, 10)
		if v.State != wantCluster || eips[0].Status != wantEIP || tk.State != wantTask || v.PublicEndpoint != wantEndpoint {
			t.Errorf("cluster %s, EIP %s, task %s, endpoint %q; want %s, %s, %s, %q",
				v.State, eips[0].Status, tk.State, v.PublicEndpoint, wantCluster, wantEIP, wantTask, wantEndpoint)
		}
	}
	check("updating", "Associating", "running", "")
	c.advance(1999 * time.Millisecond)
	check("updating", "Associating", "running", "")
	c.advance(time.Millisecond)
	check("running", "InUse", "success", "https://47.96.1.10:6443")

	// A busy cluster refuses a second change.
	task2, err := e.ModifyCluster(ModifyClusterRequest{ClusterID: id})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.ModifyCluster(ModifyClusterRequest{ClusterID: id})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Code != "ErrorClusterState" || apiErr.RequestID == "" {
		t.Errorf("second change while updating: %v", err)
	}
	c.advance(2 * time.Second)
	if tk, _ := e.DescribeTaskInfo(task2); tk.State != "success" {
		t.Errorf("disassociation task %s", tk.State)
	}
	check("running", "Available", "success", "")
}

func TestModifyClusterRules(t *testing.T) {
	e := newEngine(t, DemoWorld())
	for _, tc := range []struct {
		cluster, eip, code string
	}{
		{"demo-dedicated", "eip-bp1demo0000000000001", "ErrorNotSupported"},
		{"demo-registered", "eip-bp1demo0000000000001", "ErrorNotSupported"},
		{"demo-busy", "eip-bp1demo0000000000001", "ErrorClusterState"},
		{"demo-basic", "eip-bp1demoecs000000000", "IncorrectEipStatus"},
		{"demo-basic", "eip-2zedemobj0000000000", "InvalidParameter.Mismatch"},
		{"demo-basic", "eip-nope", "InvalidAllocationId.NotFound"},
	} {
		_, err := e.ModifyCluster(ModifyClusterRequest{ClusterID: ClusterIDFor(tc.cluster), APIServerEIP: true, APIServerEIPID: tc.eip})
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.Code != tc.code {
			t.Errorf("%s with %s: %v, want %s", tc.cluster, tc.eip, err, tc.code)
		}
	}
	_ = e.View(func(s *State) error {
		if s.Calls["ModifyCluster"] != 6 || len(s.Tasks) != 0 {
			t.Errorf("calls %v, tasks %d", s.Calls, len(s.Tasks))
		}
		return nil
	})
}

func TestFaultsAreConsumed(t *testing.T) {
	w := DemoWorld()
	w.Faults = []Fault{{Action: "DescribeClusterDetail", Code: "Throttling.User", HTTPStatus: 400, Message: "slow down", Remaining: 2}}
	e := newEngine(t, w)
	id := ClusterIDFor("demo-basic")
	for i := range 3 {
		_, err := e.DescribeClusterDetail(id)
		var apiErr *APIError
		isFault := errors.As(err, &apiErr) && apiErr.Code == "Throttling.User" && apiErr.HTTPStatus == 400
		if (i < 2) != isFault {
			t.Errorf("call %d: %v", i, err)
		}
	}
	_ = e.View(func(s *State) error {
		if len(s.Faults) != 0 || s.Calls["DescribeClusterDetail"] != 3 {
			t.Errorf("faults %v calls %v", s.Faults, s.Calls)
		}
		return nil
	})
}

// A fault without a count fires on every call until it is cleared; a
// negative count is refused: no fault is ever kept inert.
func TestFaultWithoutCountAlwaysFires(t *testing.T) {
	w := DemoWorld()
	w.Faults = []Fault{{Action: "DescribeClusterDetail", Code: "Throttling.User", HTTPStatus: 400, Message: "slow down"}}
	e := newEngine(t, w)
	for i := range 5 {
		if _, err := e.DescribeClusterDetail(ClusterIDFor("demo-basic")); err == nil {
			t.Fatalf("call %d passed: a fault without remaining must fire on every call", i)
		}
	}
	_ = e.View(func(s *State) error {
		if len(s.Faults) != 1 {
			t.Errorf("faults %v: an always-firing fault went away", s.Faults)
		}
		return nil
	})
	bad := DemoWorld()
	bad.Faults = []Fault{{Action: "DescribeClusterDetail", Code: "X", HTTPStatus: 400, Remaining: -1}}
	if err := bad.check(); err == nil || !strings.Contains(err.Error(), "-1 is negative") {
		t.Errorf("negative remaining: %v", err)
	}
}

// A fault with After lets that many calls pass before it fires.
func TestFaultAfter(t *testing.T) {
	w := DemoWorld()
	w.Faults = []Fault{{Action: "DescribeClusterDetail", Code: "Throttling.User", HTTPStatus: 400, Message: "slow down", Remaining: 1, After: 2}}
	e := newEngine(t, w)
	id := ClusterIDFor("demo-basic")
	for i := range 4 {
		_, err := e.DescribeClusterDetail(id)
		if (i == 2) != (err != nil) {
			t.Errorf("call %d: %v", i, err)
		}
	}
	bad := DemoWorld()
	bad.Faults = []Fault{{Action: "DescribeClusterDetail", Code: "X", HTTPStatus: 400, Remaining: 1, After: -1}}
	if err := bad.check(); err == nil || !strings.Contains(err.Error(), "after -1") {
		t.Errorf("negative after: %v", err)
	}
}

func TestTaskFailureFault(t *testing.T) {
	w := DemoWorld()
	w.Timing.ModifyCluster = 0
	w.Faults = []Fault{{Action: FaultTaskFailure, Code: "ErrRollout", Message: "boom", Remaining: 1}}
	e := newEngine(t, w)
	id := ClusterIDFor("demo-pro")
	task, err := e.ModifyCluster(ModifyClusterRequest{ClusterID: id, APIServerEIP: true, APIServerEIPID: "eip-bp1demo0000000000002"})
	if err != nil {
		t.Fatal(err)
	}
	tk, _ := e.DescribeTaskInfo(task)
	v, _ := e.DescribeClusterDetail(id)
	if tk.State != "failed" || tk.Error == nil || tk.Error.Code != "ErrRollout" || v.State != "running" || v.PublicEndpoint != "https://47.96.1.20:6443" {
		t.Errorf("task %+v cluster %+v", tk, v)
	}
}

// A task failure fault can leave the cluster in a terminal state.
func TestTaskFailureFaultClusterState(t *testing.T) {
	w := DemoWorld()
	w.Timing.ModifyCluster = 0
	w.Faults = []Fault{{Action: FaultTaskFailure, Code: "ErrRollout", Message: "boom", Remaining: 1, ClusterState: "updating_failed"}}
	e := newEngine(t, w)
	id := ClusterIDFor("demo-basic")
	task, err := e.ModifyCluster(ModifyClusterRequest{ClusterID: id, APIServerEIP: true, APIServerEIPID: "eip-bp1demo0000000000001"})
	if err != nil {
		t.Fatal(err)
	}
	tk, _ := e.DescribeTaskInfo(task)
	v, _ := e.DescribeClusterDetail(id)
	if tk.State != "failed" || v.State != "updating_failed" || v.PublicEndpoint != "" {
		t.Errorf("task %+v cluster %+v", tk, v)
	}
}

// A delay fault holds the answer back; without a code the call is carried
// out, and with drop its answer is lost.
func TestDelayAndDropFaults(t *testing.T) {
	w := DemoWorld()
	w.Timing.ModifyCluster = Duration(time.Hour)
	w.Faults = []Fault{
		{Action: "ModifyCluster", Delay: Duration(3 * time.Second), Remaining: 1},
		{Action: "DescribeTaskInfo", Drop: true, Remaining: 1},
	}
	e := newEngine(t, w)
	var slept time.Duration
	e.Sleep = func(d time.Duration) { slept += d }
	id := ClusterIDFor("demo-basic")
	task, err := e.ModifyCluster(ModifyClusterRequest{ClusterID: id, APIServerEIP: true, APIServerEIPID: "eip-bp1demo0000000000001"})
	if err != nil || task == "" || slept != 3*time.Second {
		t.Fatalf("delayed call: task %q, err %v, slept %s", task, err, slept)
	}
	_, err = e.DescribeTaskInfo(task)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || !apiErr.Dropped {
		t.Fatalf("dropped call: %v", err)
	}
	if v, _ := e.DescribeClusterDetail(id); v.State != "updating" {
		t.Errorf("the delayed change was not carried out: %+v", v)
	}
	bad := DemoWorld()
	bad.Faults = []Fault{{Action: "ModifyCluster", Remaining: 1}}
	b, _ := Encode(bad)
	if _, err := Decode(b); err == nil || !strings.Contains(err.Error(), "would do nothing") {
		t.Errorf("a fault that does nothing was accepted: %v", err)
	}
}

// AllocateEipAddress applies the documented limits of Name and Description.
func TestAllocateNameAndDescriptionLimits(t *testing.T) {
	e := newEngine(t, DemoWorld())
	for _, tc := range []struct {
		name, desc, code string
	}{
		{"ack-expose-c1", "allocated by ack-expose for cluster c1", ""},
		{"1bad", "", "InvalidName.Malformed"},
		{"bad name", "", "InvalidName.Malformed"},
		{strings.Repeat("a", 129), "", "InvalidName.Malformed"},
		{"", "https://example.com", "InvalidDescription.Malformed"},
		{"", strings.Repeat("d", 257), "InvalidDescription.Malformed"},
	} {
		_, err := e.AllocateEipAddress(AllocateRequest{RegionID: "cn-hangzhou", Name: tc.name, Description: tc.desc})
		var apiErr *APIError
		got := ""
		if errors.As(err, &apiErr) {
			got = apiErr.Code
		}
		if got != tc.code {
			t.Errorf("name %q description %q: %v, want %q", tc.name, tc.desc, err, tc.code)
		}
	}
}

func TestAllocateAndRelease(t *testing.T) {
	w := DemoWorld()
	w.Timing.EIPTransition = Duration(time.Second)
	e := newEngine(t, w)
	c := &clock{t: time.Now()}
	e.Now = c.now
	a, err := e.AllocateEipAddress(AllocateRequest{RegionID: "cn-hangzhou", Bandwidth: "10", InternetChargeType: "PayByTraffic", ClientToken: "t1"})
	if err != nil || a.Status != "Available" || a.ChargeType != "PostPaid" {
		t.Fatalf("%+v %v", a, err)
	}
	again, _ := e.AllocateEipAddress(AllocateRequest{RegionID: "cn-hangzhou", ClientToken: "t1"})
	if again.AllocationID != a.AllocationID {
		t.Errorf("ClientToken not idempotent")
	}
	if err := e.ReleaseEipAddress("cn-hangzhou", a.AllocationID); err != nil {
		t.Fatal(err)
	}
	list, _, _ := e.DescribeEipAddresses("cn-hangzhou", EIPFilter{AllocationIDs: []string{a.AllocationID}}, 1, 10)
	if len(list) != 1 || list[0].Status != "Releasing" {
		t.Errorf("just released: %+v", list)
	}
	c.advance(time.Second)
	list, _, _ = e.DescribeEipAddresses("cn-hangzhou", EIPFilter{AllocationIDs: []string{a.AllocationID}}, 1, 10)
	if len(list) != 0 {
		t.Errorf("released EIP still listed: %+v", list)
	}
	var apiErr *APIError
	if err := e.ReleaseEipAddress("cn-hangzhou", "eip-bp1demopro000000000"); !errors.As(err, &apiErr) || apiErr.Code != "IncorrectEipStatus" {
		t.Errorf("releasing an InUse EIP: %v", err)
	}
}

func TestPaging(t *testing.T) {
	e := newEngine(t, DemoWorld())
	var seen []string
	for page := 1; page <= 3; page++ {
		list, total, err := e.DescribeClustersV1("", "", page, 3)
		if err != nil || total != 7 {
			t.Fatalf("page %d: total %d, %v", page, total, err)
		}
		for _, c := range list {
			seen = append(seen, c.ID)
		}
	}
	if len(seen) != 7 {
		t.Errorf("paged through %d clusters, want 7", len(seen))
	}
	if _, _, err := e.DescribeEipAddresses("cn-hangzhou", EIPFilter{IPAddresses: make([]string, 51)}, 1, 10); err == nil {
		t.Error("51 addresses in one call accepted; the API takes 50")
	}
}

func TestBadStateFileIsNeverWritten(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"garbage": "{not json",
		"version": `{"version": 7, "clusters": []}`,
		"unknown": `{"version": 1, "clusterz": []}`,
		"dup":     `{"version": 1, "clusters": [{"id": "c1"}, {"id": "c1"}]}`,
		"eipref":  `{"version": 1, "clusters": [{"id": "c1", "eipAllocationId": "eip-x"}]}`,
		"timing":  `{"version": 1, "timing": {"modifyCluster": "-1s"}}`,
		"trailer": `{"version": 1} {}`,
	} {
		p := filepath.Join(dir, name+".json")
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		e := New(p)
		_, err := e.DescribeClusterDetail("c1")
		var stErr *StateError
		if !errors.As(err, &stErr) || stErr.Path != p {
			t.Errorf("%s: %v, want a StateError naming the file", name, err)
		}
		if b, _ := os.ReadFile(p); string(b) != content {
			t.Errorf("%s: the file was rewritten", name)
		}
	}
}

// 8 processes, 10 associate/disassociate rounds each, one state file: every
// call is counted (no lost update) and the file is valid at every moment.
func TestConcurrentProcesses(t *testing.T) {
	const procs, rounds = 8, 10
	w := DemoWorld()
	w.Timing = Timing{}
	w.Clusters, w.EIPs = nil, nil
	for i := range procs {
		name := fmt.Sprintf("c%d", i)
		w.Clusters = append(w.Clusters, Cluster{ID: ClusterIDFor(name), Name: name, RegionID: "cn-hangzhou",
			ClusterType: "ManagedKubernetes", Profile: "Default", ClusterSpec: "ack.pro.small", State: "running",
			APIServerLoadBalancerID: "lb-" + name, IntranetEndpoint: "https://10.0.0.1:6443"})
		w.EIPs = append(w.EIPs, EIP{AllocationID: fmt.Sprintf("eip-test%08d", i), IPAddress: fmt.Sprintf("47.1.1.%d", i+1),
			RegionID: "cn-hangzhou", Status: "Available", Bandwidth: "5", InternetChargeType: "PayByTraffic", ChargeType: "PostPaid"})
	}
	e := newEngine(t, w)

	stop := make(chan struct{})
	var readerErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			b, err := os.ReadFile(e.Path)
			if err == nil {
				_, err = Decode(b)
			}
			if err != nil {
				readerErr = err
				return
			}
		}
	}()

	var cmds []*exec.Cmd
	for i := range procs {
		c := exec.Command(os.Args[0], "-test.run=^$")
		c.Env = append(os.Environ(), "SIMULATOR_TEST_HELPER=rounds", "STATE="+e.Path, "INDEX="+strconv.Itoa(i), "ROUNDS="+strconv.Itoa(rounds))
		c.Stderr = os.Stderr
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, c)
	}
	for i, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Errorf("process %d: %v", i, err)
		}
	}
	close(stop)
	wg.Wait()
	if readerErr != nil {
		t.Fatalf("the file was invalid at some moment: %v", readerErr)
	}
	_ = e.View(func(s *State) error {
		if got, want := s.Calls["ModifyCluster"], procs*rounds*2; got != want {
			t.Errorf("ModifyCluster calls %d, want %d", got, want)
		}
		if got, want := s.Calls["DescribeClusterDetail"], procs*rounds; got != want {
			t.Errorf("DescribeClusterDetail calls %d, want %d", got, want)
		}
		if len(s.Tasks) != procs*rounds*2 {
			t.Errorf("%d tasks, want %d", len(s.Tasks), procs*rounds*2)
		}
		return nil
	})
}

func helperRounds() int {
	e := New(os.Getenv("STATE"))
	i, _ := strconv.Atoi(os.Getenv("INDEX"))
	rounds, _ := strconv.Atoi(os.Getenv("ROUNDS"))
	id := ClusterIDFor(fmt.Sprintf("c%d", i))
	for range rounds {
		if _, err := e.DescribeClusterDetail(id); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if _, err := e.ModifyCluster(ModifyClusterRequest{ClusterID: id, APIServerEIP: true, APIServerEIPID: fmt.Sprintf("eip-test%08d", i)}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if _, err := e.ModifyCluster(ModifyClusterRequest{ClusterID: id}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return 0
}

// kill -9 in the middle of writes never leaves a broken file.
func TestKillDuringWrites(t *testing.T) {
	w := DemoWorld()
	// A bigger file makes each write take longer, so kills land mid-write.
	for i := range 2000 {
		w.Tasks = append(w.Tasks, Task{ID: fmt.Sprintf("T-old%06d", i), ClusterID: "c", State: "success"})
	}
	e := newEngine(t, w)
	for range 15 {
		c := exec.Command(os.Args[0], "-test.run=^$")
		c.Env = append(os.Environ(), "SIMULATOR_TEST_HELPER=writer", "STATE="+e.Path)
		out, err := c.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		// The writer says when its first write is done; the kill lands some
		// time into the writes that follow, however slow the machine is.
		wrote := make(chan struct{})
		go func() {
			if n, _ := out.Read(make([]byte, 1)); n == 1 {
				close(wrote)
			}
		}()
		select {
		case <-wrote:
		case <-time.After(30 * time.Second):
			_ = c.Process.Kill()
			_ = c.Wait()
			t.Fatal("the writer did not write within 30s")
		}
		time.Sleep(time.Duration(rand.IntN(40)) * time.Millisecond)
		_ = c.Process.Signal(syscall.SIGKILL)
		_ = c.Wait()
		b, err := os.ReadFile(e.Path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Decode(b); err != nil {
			t.Fatalf("after kill -9: %v", err)
		}
	}
	_ = e.View(func(s *State) error {
		if s.Calls["DescribeClusterDetail"] < 15 {
			t.Errorf("the writers wrote %d times, want at least 15: the test proves nothing", s.Calls["DescribeClusterDetail"])
		}
		return nil
	})
}

func helperWriter() int {
	e := New(os.Getenv("STATE"))
	_, _ = e.DescribeClusterDetail("c-none")
	_, _ = os.Stdout.Write([]byte("w")) // the first write is done
	for {
		_, _ = e.DescribeClusterDetail("c-none")
	}
}
