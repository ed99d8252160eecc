package simulator

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func counts(t *testing.T, e *Engine) (map[string]int, []string) {
	t.Helper()
	var calls map[string]int
	var order []string
	if err := e.View(func(s *State) error {
		calls = s.Calls
		for _, c := range s.CallLog {
			order = append(order, c.Action)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return calls, order
}

// A read that changes nothing leaves the state file as it is and counts
// itself beside it; every reader of the counts sees it, in order with the
// writes, and the next write folds the calls file into the state.
func TestReadsAreCountedBesideTheState(t *testing.T) {
	e := newEngine(t, DemoWorld())
	id := ClusterIDFor("demo-basic")
	before := readFile(t, e.Path)
	for range 2 {
		if _, err := e.DescribeClusterDetail(id); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.GetCallerIdentity(""); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, readFile(t, e.Path)) {
		t.Fatal("a read rewrote the state file")
	}
	if n := bytes.Count(readFile(t, callsPath(e.Path)), []byte("\n")); n != 3 {
		t.Fatalf("the calls file holds %d lines, want 3", n)
	}
	// Another engine (another process) sees them.
	calls, order := counts(t, New(e.Path))
	if calls["DescribeClusterDetail"] != 2 || calls["GetCallerIdentity"] != 1 {
		t.Fatalf("calls %v", calls)
	}
	if got := strings.Join(order, ","); got != "DescribeClusterDetail,DescribeClusterDetail,GetCallerIdentity" {
		t.Fatalf("call log %s", got)
	}
	// A write folds them in, after them in the log, and removes the file.
	if _, err := e.AllocateEipAddress(AllocateRequest{RegionID: DemoRegion, Bandwidth: "5", InternetChargeType: "PayByTraffic"}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(callsPath(e.Path)); !os.IsNotExist(err) {
		t.Fatalf("the calls file is still there after a write: %v", err)
	}
	s, err := Decode(readFile(t, e.Path))
	if err != nil {
		t.Fatal(err)
	}
	if s.Calls["DescribeClusterDetail"] != 2 || s.Calls["GetCallerIdentity"] != 1 || s.Calls["AllocateEipAddress"] != 1 {
		t.Fatalf("the state file counts %v", s.Calls)
	}
	if last := s.CallLog[len(s.CallLog)-1].Action; last != "AllocateEipAddress" {
		t.Fatalf("the write is not last in the log: %s", last)
	}
}

// Lines counted against an older state (a write killed between its rename
// and the removal of the calls file) are not counted again; an edit of the
// state file by hand keeps the calls counted before it.
func TestCallsFileEpochs(t *testing.T) {
	e := newEngine(t, DemoWorld())
	id := ClusterIDFor("demo-basic")
	if _, err := e.DescribeClusterDetail(id); err != nil {
		t.Fatal(err)
	}
	stale := readFile(t, callsPath(e.Path))
	if err := e.Update(func(*State) error { return nil }); err != nil { // folds the line in
		t.Fatal(err)
	}
	// The write was killed before it removed the calls file.
	if err := os.WriteFile(callsPath(e.Path), stale, 0o600); err != nil {
		t.Fatal(err)
	}
	if calls, _ := counts(t, e); calls["DescribeClusterDetail"] != 1 {
		t.Fatalf("counted %d times after a killed write, want 1", calls["DescribeClusterDetail"])
	}
	// By hand: the count pending beside the file survives the edit.
	if _, err := e.DescribeClusterDetail(id); err != nil {
		t.Fatal(err)
	}
	edited := bytes.Replace(readFile(t, e.Path), []byte(`"demo-basic"`), []byte(`"demo-basik"`), 1)
	if err := os.WriteFile(e.Path, edited, 0o600); err != nil {
		t.Fatal(err)
	}
	if calls, _ := counts(t, e); calls["DescribeClusterDetail"] != 2 {
		t.Fatalf("counted %d times after an edit by hand, want 2", calls["DescribeClusterDetail"])
	}
}

// A read that consumes a fault, or finds work the clock has finished,
// changes the world: it is saved like a write.
func TestReadsThatChangeTheWorldAreSaved(t *testing.T) {
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	e := newEngine(t, DemoWorld())
	e.Now = c.now
	if err := e.Update(func(s *State) error {
		s.Faults = append(s.Faults, Fault{Action: "DescribeClusterDetail", Code: "Throttling", HTTPStatus: 400, Remaining: 1})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	id := ClusterIDFor("demo-basic")
	if _, err := e.DescribeClusterDetail(id); err == nil {
		t.Fatal("the fault did not fire")
	}
	if _, err := e.DescribeClusterDetail(id); err != nil {
		t.Fatalf("the fault fired twice: its use was not saved: %v", err)
	}
	// A task the clock finishes during a read.
	if _, err := e.ModifyCluster(ModifyClusterRequest{ClusterID: id, APIServerEIP: true, APIServerEIPID: "eip-bp1demo0000000000001"}); err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(time.Hour)
	saved := readFile(t, e.Path)
	if _, err := e.DescribeClusterDetail(id); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(saved, readFile(t, e.Path)) {
		t.Fatal("a read that found a task finished did not save it")
	}
}

// VerifyReads catches a read that changes the world without saying so.
func TestVerifyReadsCatchesASilentChange(t *testing.T) {
	e := newEngine(t, DemoWorld())
	err := e.read("DescribeRegions", func(s *State, _ time.Time) error {
		s.Clusters[0].Name = "renamed"
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "changed the state") {
		t.Fatalf("err %v", err)
	}
}

// The calls file is folded in once it grows past pendingCallsMax, and
// concurrent readers through two engines count every call once.
func TestCallsFileFoldsAndCountsOnce(t *testing.T) {
	a := newEngine(t, DemoWorld())
	b := New(a.Path)
	id := ClusterIDFor("demo-basic")
	const workers, each = 3, 150 // about 95 bytes a line: past 64 KiB
	var wg sync.WaitGroup
	for range workers {
		for _, e := range []*Engine{a, b} {
			wg.Go(func() {
				for range each {
					if _, err := e.DescribeClusterDetail(id); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
	}
	wg.Wait()
	if calls, _ := counts(t, a); calls["DescribeClusterDetail"] != 2*workers*each {
		t.Fatalf("counted %d, want %d", calls["DescribeClusterDetail"], 2*workers*each)
	}
	if fi, err := os.Stat(callsPath(a.Path)); err == nil && fi.Size() >= pendingCallsMax {
		t.Fatalf("the calls file grew to %d bytes, past %d", fi.Size(), pendingCallsMax)
	}
	s, err := Decode(readFile(t, a.Path))
	if err != nil {
		t.Fatal(err)
	}
	if s.Calls["DescribeClusterDetail"] == 0 {
		t.Fatal("the calls file was never folded into the state")
	}
}

// A calls file with a line that is not a call is reported, naming the fix;
// a last line cut short is not a call yet.
func TestCallsFileDamaged(t *testing.T) {
	e := newEngine(t, DemoWorld())
	if _, err := e.DescribeClusterDetail(ClusterIDFor("demo-basic")); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(callsPath(e.Path), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(`{"epoch":"x","act`); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if calls, _ := counts(t, e); calls["DescribeClusterDetail"] != 1 {
		t.Fatalf("calls %v", calls)
	}
	// The next line does not join the cut one.
	if _, err := e.DescribeClusterDetail(ClusterIDFor("demo-basic")); err != nil {
		t.Fatal(err)
	}
	if calls, _ := counts(t, e); calls["DescribeClusterDetail"] != 2 {
		t.Fatalf("calls %v", calls)
	}
	if err := os.WriteFile(callsPath(e.Path), []byte("garbage\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	err = e.View(func(*State) error { return nil })
	var cf *CallsFileError
	if !errors.As(err, &cf) || !strings.Contains(err.Error(), "remove that file") || strings.Contains(err.Error(), "init --force") {
		t.Fatalf("err %v", err)
	}
}

// Clearing faults is a write like any other: the calls counted beside the
// state are kept.
func TestClearFaultsKeepsTheCounts(t *testing.T) {
	e := newEngine(t, DemoWorld())
	for range 3 {
		if _, err := e.DescribeClusterDetail(ClusterIDFor("demo-basic")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.ClearFaults(""); err != nil {
		t.Fatal(err)
	}
	if calls, _ := counts(t, e); calls["DescribeClusterDetail"] != 3 {
		t.Fatalf("counted %d after clearing faults, want 3", calls["DescribeClusterDetail"])
	}
}

// A state file from before callsEpoch gets one at its first read: the
// lines of one such file never count for another put in its place.
func TestOlderStateFileGetsAnEpoch(t *testing.T) {
	e := newEngine(t, DemoWorld())
	s, err := Decode(readFile(t, e.Path))
	if err != nil {
		t.Fatal(err)
	}
	s.CallsEpoch = ""
	older, err := Encode(s)
	if err != nil || bytes.Contains(older, []byte("callsEpoch")) {
		t.Fatalf("%v: %s", err, older)
	}
	if err := os.WriteFile(e.Path, older, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := e.DescribeClusterDetail(ClusterIDFor("demo-basic")); err != nil {
		t.Fatal(err)
	}
	if s, err = Decode(readFile(t, e.Path)); err != nil {
		t.Fatal(err)
	}
	if s.CallsEpoch == "" || s.Calls["DescribeClusterDetail"] != 1 {
		t.Fatalf("after a read the older file has epoch %q and counts %v", s.CallsEpoch, s.Calls)
	}
}

// A read of an older state file, which does not list the CLBs and VPCs of
// its clusters, creates their defaults on first use and saves them: the
// next process sees the same list, and VerifyReads has nothing to report.
func TestReadsSaveTheDefaultsTheyCreate(t *testing.T) {
	w := DemoWorld()
	w.LoadBalancers, w.ACLs, w.VPCs = nil, nil, nil
	e := newEngine(t, w)
	c := w.Clusters[0]
	if _, err := e.DescribeLoadBalancerTCPListenerAttribute(c.RegionID, c.APIServerLoadBalancerID, APIServerPort); err != nil {
		t.Fatal(err)
	}
	if _, err := e.DescribeVpcAttribute(c.RegionID, c.VPCID); err != nil {
		t.Fatal(err)
	}
	s, err := Decode(readFile(t, e.Path))
	if err != nil {
		t.Fatal(err)
	}
	if s.loadBalancer(c.APIServerLoadBalancerID) == nil || len(s.LoadBalancers) != 1 || len(s.VPCs) != 1 {
		t.Fatalf("the state file lists %d CLBs and %d VPCs, want the one of each that was read", len(s.LoadBalancers), len(s.VPCs))
	}
}

// Readers that do not look at the counts (the network, once per check) do
// not read the calls file: a damaged one is only the counts' problem.
func TestNetworkDoesNotReadTheCalls(t *testing.T) {
	e := newEngine(t, DemoWorld())
	if err := os.WriteFile(callsPath(e.Path), []byte("garbage\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Network("47.96.1.20:6443"); err != nil {
		t.Fatalf("the network read the calls file: %v", err)
	}
	var cf *CallsFileError
	if err := e.View(func(*State) error { return nil }); !errors.As(err, &cf) {
		t.Fatalf("View: %v", err)
	}
}
