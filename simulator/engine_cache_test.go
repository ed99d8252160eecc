package simulator

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ack-expose/ack-expose/internal/cloudenum"
)

// The engine writes exactly what Encode renders: the reused encoder is an
// optimisation, not a second format.
func TestEngineSavesWhatEncodeRenders(t *testing.T) {
	e := newEngine(t, DemoWorld())
	for range 3 { // the second and later saves reuse the buffers
		if _, err := e.DescribeClusterDetail(ClusterIDFor("demo-basic")); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(e.Path)
		if err != nil {
			t.Fatal(err)
		}
		s, err := Decode(data)
		if err != nil {
			t.Fatal(err)
		}
		want, err := Encode(s)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(data, want) {
			t.Fatalf("the engine wrote\n%s\nEncode renders\n%s", data, want)
		}
	}
}

// An engine remembers the state it wrote, but the file stays the truth: a
// change written by another engine (another process) or by hand is seen by
// the next call.
func TestEngineSeesChangesMadeElsewhere(t *testing.T) {
	a := newEngine(t, DemoWorld())
	b := New(a.Path)
	id := ClusterIDFor("demo-basic")
	name := func(e *Engine) string {
		t.Helper()
		v, err := e.DescribeClusterDetail(id)
		if err != nil {
			t.Fatal(err)
		}
		return v.Name
	}
	if got := name(a); got != "demo-basic" {
		t.Fatalf("name %q", got)
	}
	rename := func(s *State, to string) {
		for i := range s.Clusters {
			if s.Clusters[i].ID == id {
				s.Clusters[i].Name = to
			}
		}
	}
	if err := b.Update(func(s *State) error { rename(s, "renamed-by-b"); return nil }); err != nil {
		t.Fatal(err)
	}
	if got := name(a); got != "renamed-by-b" {
		t.Fatalf("after another engine's write, a call saw name %q", got)
	}
	// By hand: same length as the name before, written in place.
	data, err := os.ReadFile(a.Path)
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.Replace(data, []byte(`"renamed-by-b"`), []byte(`"renamed-by-c"`), 1)
	if err := os.WriteFile(a.Path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if got := name(a); got != "renamed-by-c" {
		t.Fatalf("after an edit by hand, a call saw name %q", got)
	}
	// Calls through both engines are all counted.
	var calls int
	if err := a.View(func(s *State) error { calls = s.Calls["DescribeClusterDetail"]; return nil }); err != nil {
		t.Fatal(err)
	}
	if calls != 3 {
		t.Fatalf("DescribeClusterDetail counted %d times, want 3", calls)
	}
}

// Preload only reads: a command that fails before its first call (a bad
// --context) leaves the state's directory as it found it, no lock file
// included. What it read serves the first call, unless the file changed.
func TestPreloadWritesNothing(t *testing.T) {
	e := newEngine(t, DemoWorld())
	dir := filepath.Dir(e.Path)
	if err := os.Remove(e.Path + ".lock"); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(e.Path)
	if err != nil {
		t.Fatal(err)
	}
	p := New(e.Path)
	p.Preload()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "state.json" {
		var names []string
		for _, x := range entries {
			names = append(names, x.Name())
		}
		t.Fatalf("after Preload the directory holds %v, want only state.json", names)
	}
	if after, _ := os.ReadFile(e.Path); !bytes.Equal(before, after) {
		t.Fatal("Preload changed the state file")
	}
	if p.cached == nil {
		t.Fatal("Preload kept nothing for the first call")
	}
	// Missing: nothing created either.
	gone := New(filepath.Join(dir, "sub", "missing.json"))
	gone.Preload()
	if _, err := os.Stat(filepath.Join(dir, "sub")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Preload of a missing file created its directory: %v", err)
	}
}

// Goroutines sharing one engine, another engine on the same file and
// Preloads meanwhile: every call counted once, and every call sees the
// writes before it (each adds a fault the next consumes nothing of, so a
// lost update shows as a missing fault).
func TestEngineConcurrentCallsCountOnce(t *testing.T) {
	a := newEngine(t, DemoWorld())
	b := New(a.Path)
	const workers, each = 4, 25
	var wg sync.WaitGroup
	for w := range workers {
		for _, e := range []*Engine{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					if i%5 == 0 {
						e.Preload()
					}
					err := e.Call("Probe", func(s *State, _ time.Time) error {
						s.Faults = append(s.Faults, Fault{Action: "DescribeRegions", Code: "Throttling", HTTPStatus: 400, After: 1_000_000 + w*each + i})
						return nil
					})
					if err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
	}
	wg.Wait()
	for _, e := range []*Engine{a, b} {
		if err := e.View(func(s *State) error {
			if got, want := s.Calls["Probe"], 2*workers*each; got != want {
				t.Errorf("Probe counted %d times, want %d", got, want)
			}
			if got, want := len(s.Faults), 2*workers*each; got != want {
				t.Errorf("%d faults kept, want %d (lost updates)", got, want)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
}

// A state the engine wrote but Decode refuses (no API makes one; a buggy
// fixture can) is refused by the engine that wrote it too: its memory does
// not keep serving a file every other process rejects.
func TestEngineKeepsNoStateDecodeRefuses(t *testing.T) {
	a := newEngine(t, DemoWorld())
	b := New(a.Path)
	if err := a.Update(func(s *State) error {
		s.Faults = append(s.Faults, Fault{Action: "DescribeRegions"}) // does nothing: refused
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	_, errA := a.DescribeRegions()
	_, errB := b.DescribeRegions()
	var se *StateError
	if !errors.As(errA, &se) || !errors.As(errB, &se) {
		t.Fatalf("the writer got %v, another engine %v: want both refused", errA, errB)
	}
}

// What a call returned is the caller's: a later call, served from the
// state the engine kept, does not change it (a `simulator serve` renders
// an answer after the lock is released, while the next request runs).
func TestEngineAnswersAreNotTheKeptState(t *testing.T) {
	e := newEngine(t, DemoWorld())
	lbs, _, err := e.DescribeLoadBalancers("cn-hangzhou", 1, 50)
	if err != nil {
		t.Fatal(err)
	}
	var lb *LoadBalancer
	for i := range lbs {
		if len(lbs[i].Listeners) > 0 && lbs[i].Listeners[0].AclStatus == cloudenum.ACLOn {
			lb = &lbs[i]
		}
	}
	if lb == nil {
		t.Fatalf("no CLB with access control on in %+v", lbs)
	}
	before := lb.Listeners[0]
	next := cloudenum.ACLOff
	if err := e.SetLoadBalancerTCPListenerAttribute(ListenerACLRequest{RegionID: lb.RegionID, LoadBalancerID: lb.ID, Port: before.Port, AclStatus: next}); err != nil {
		t.Fatal(err)
	}
	if got := lb.Listeners[0]; got != before {
		t.Fatalf("an answer given before changed after: listener %+v, was %+v", got, before)
	}
}

// An answer the caller changes does not change the world either.
func TestEngineAnswersChangedByTheCaller(t *testing.T) {
	e := newEngine(t, DemoWorld())
	id := ClusterIDFor("demo-pro")
	if err := e.Update(func(s *State) error {
		for i := range s.Clusters {
			if s.Clusters[i].ID == id {
				s.Clusters[i].ExtraSans = []string{"api.example.com"}
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	v, err := e.DescribeClusterDetail(id)
	if err != nil || len(v.ExtraSans) != 1 {
		t.Fatalf("%+v %v", v, err)
	}
	v.ExtraSans[0] = "changed.example.com"
	if v, _ = e.DescribeClusterDetail(id); v.ExtraSans[0] != "api.example.com" {
		t.Errorf("extra SANs %v after the caller changed its answer", v.ExtraSans)
	}
	vpc, err := e.DescribeVpcAttribute(v.RegionID, v.VPCID)
	if err != nil || len(vpc.SecondaryCidrBlocks) == 0 {
		t.Fatalf("%+v %v", vpc, err)
	}
	was := vpc.SecondaryCidrBlocks[0]
	vpc.SecondaryCidrBlocks[0] = "10.9.9.0/24"
	if vpc, _ = e.DescribeVpcAttribute(v.RegionID, v.VPCID); vpc.SecondaryCidrBlocks[0] != was {
		t.Errorf("secondary CIDR blocks %v after the caller changed its answer", vpc.SecondaryCidrBlocks)
	}
	lbs, _, err := e.DescribeLoadBalancers(v.RegionID, 1, 50)
	if err != nil || len(lbs) == 0 || len(lbs[0].Listeners) == 0 {
		t.Fatalf("%+v %v", lbs, err)
	}
	port := lbs[0].Listeners[0].Port
	lbs[0].Listeners[0].Port = 1
	if lbs, _, _ = e.DescribeLoadBalancers(v.RegionID, 1, 50); lbs[0].Listeners[0].Port != port {
		t.Errorf("listener port %d after the caller changed its answer", lbs[0].Listeners[0].Port)
	}
}

// The buffers an engine reuses stay the size of the file: grown once, not
// call after call.
func TestEngineBuffersStayTheFileSize(t *testing.T) {
	e := newEngine(t, DemoWorld())
	for range 6 {
		if _, err := e.DescribeClusterDetail(ClusterIDFor("demo-basic")); err != nil {
			t.Fatal(err)
		}
	}
	fi, err := os.Stat(e.Path)
	if err != nil {
		t.Fatal(err)
	}
	size := int(fi.Size())
	if out, in := e.out.buf.Cap(), e.in.Cap(); out > 3*size || in > 3*size {
		t.Fatalf("after 6 calls on a %d-byte file the buffers hold %d (out) and %d (in) bytes", size, out, in)
	}
}
