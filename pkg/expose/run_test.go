package expose

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ack-expose/ack-expose/internal/kubeserver"
	"github.com/ack-expose/ack-expose/pkg/backend"
	"github.com/ack-expose/ack-expose/simulator"
)

// recorder is a Progress that keeps what it was told, in order.
type recorder struct{ events []string }

func (r *recorder) Step(msg string)                     { r.events = append(r.events, "step: "+msg) }
func (r *recorder) Waiting(msg string, _ time.Duration) { r.events = append(r.events, "waiting: "+msg) }
func (r *recorder) Warn(msg string)                     { r.events = append(r.events, "warn: "+msg) }
func (r *recorder) Done()                               { r.events = append(r.events, "done") }

func (r *recorder) count(prefix string) int {
	n := 0
	for _, e := range r.events {
		if strings.HasPrefix(e, prefix) {
			n++
		}
	}
	return n
}

// Run tells each warning once, leaves the lockout to Confirm, and ends the
// wait's display before it returns: the command layer only prints the result.
func TestRunTellsWarningsOnceAndEndsTheWait(t *testing.T) {
	svc, _ := newService(t)
	rec := &recorder{}
	svc.Progress = rec
	tg := target("demo-pro")
	tg.Context, tg.Server = "pro", "https://47.96.1.20:6443"
	asked := ""
	x, err := svc.Run(context.Background(), tg, Request{Action: Disassociate}, ApplyOptions{Wait: false, Timeout: time.Minute,
		Confirm: func(msg string) bool { asked = msg; return true }})
	if err != nil {
		t.Fatal(err)
	}
	if asked == "" {
		t.Fatal("the lockout was not asked about")
	}
	if rec.count("warn: "+asked) != 0 {
		t.Errorf("the lockout, accepted at the prompt, was told again: %q", rec.events)
	}
	if rec.count("warn: not waiting") != 1 {
		t.Errorf("the not-waiting warning was told %d times, want once: %q", rec.count("warn: not waiting"), rec.events)
	}
	if len(x.Operation.Warnings) != 2 {
		t.Errorf("the result's warnings are the lockout and not waiting: %q", x.Operation.Warnings)
	}
	if last := rec.events[len(rec.events)-1]; last != "done" {
		t.Errorf("the last thing told is %q, want done: %q", last, rec.events)
	}
}

// fakeKubeconfig has one cluster entry on the endpoint asked for.
type fakeKubeconfig struct {
	checked, repointed []string
}

func (f *fakeKubeconfig) CheckWritable(endpoint string) error {
	f.checked = append(f.checked, endpoint)
	return nil
}

func (f *fakeKubeconfig) ClustersAt(endpoint string) ([]kubeserver.EndpointUse, error) {
	return []kubeserver.EndpointUse{{File: "config", Cluster: "pro", Server: endpoint}}, nil
}

func (f *fakeKubeconfig) Repoint(from, to string) ([]kubeserver.EndpointUse, error) {
	f.repointed = append(f.repointed, from+" -> "+to)
	return f.ClustersAt(from)
}

// change --update-kubeconfig: the files are checked before the change, the
// entries repointed after it, and the result lists them; a dry run only says
// which it would repoint.
func TestRunRepointsTheKubeconfig(t *testing.T) {
	for _, dry := range []bool{true, false} {
		svc, _ := newService(t)
		kc := &fakeKubeconfig{}
		svc.Kubeconfig = kc
		tg := target("demo-pro")
		tg.Context, tg.Server = "pro", "https://47.96.1.20:6443"
		x, err := svc.Run(context.Background(), tg, Request{Action: Change, EIP: ref("47.96.1.10"), UpdateKubeconfig: true},
			ApplyOptions{DryRun: dry, Wait: true, Timeout: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		want := KubeconfigEntry{File: "config", Cluster: "pro", Server: "https://47.96.1.10:6443", Action: KubeconfigRepointed}
		if dry {
			want.Action = KubeconfigWouldRepoint
		}
		if got := x.Operation.Kubeconfig; len(got) != 1 || got[0] != want {
			t.Errorf("dry run %v: kubeconfig %+v, want %+v", dry, got, want)
		}
		if dry != (len(kc.repointed) == 0) || dry != (len(kc.checked) == 0) {
			t.Errorf("dry run %v: checked %q, repointed %q", dry, kc.checked, kc.repointed)
		}
	}
}

// refusingChecker fails every check at the connect step, and counts them.
type refusingChecker struct{ calls int }

func (c *refusingChecker) CheckEndpoint(_ context.Context, endpoint string, path kubeserver.Path) backend.CheckResult {
	c.calls++
	return backend.CheckResult{Endpoint: endpoint, Step: backend.CheckStepConnect, Error: "connection refused"}
}

// Run checks the new endpoint once it has waited: the result carries the
// check, and a failed one is a warning, not a failure. A dry run checks nothing.
func TestRunChecksTheNewEndpoint(t *testing.T) {
	for _, dry := range []bool{true, false} {
		svc, _ := newService(t)
		rec := &recorder{}
		svc.Progress = rec
		chk := &refusingChecker{}
		x, err := svc.Run(context.Background(), target("demo-basic"), Request{Action: Associate, EIP: ref("eip-bp1demo0000000000002")},
			ApplyOptions{DryRun: dry, Wait: true, Timeout: time.Minute, Check: chk})
		if err != nil {
			t.Fatal(err)
		}
		if dry {
			if chk.calls != 0 || x.Check != nil {
				t.Errorf("a dry run checked %d times: %+v", chk.calls, x.Check)
			}
			continue
		}
		if chk.calls != 1 || x.Check == nil || x.Check.Endpoint != "https://47.96.1.11:6443" {
			t.Errorf("checked %d times: %+v", chk.calls, x.Check)
		}
		if rec.count("warn: the change is done, but the check of https://47.96.1.11:6443 from this machine failed: unreachable: connection refused") != 1 {
			t.Errorf("the failed check is not told once: %q", rec.events)
		}
	}
}

// associate --allow takes the allow list's lock (LockAccess) around its list
// step only: taken before the list is read, released before the EIP is
// associated (the rollout is not waited for under it); a dry run takes none.
func TestAssociateAllowLocksTheListStep(t *testing.T) {
	svc, eng := newService(t)
	tg := target("demo-basic")
	calls := func(action string) int {
		n := 0
		_ = eng.View(func(s *simulator.State) error { n = s.Calls[action]; return nil })
		return n
	}
	var events []string
	readsAtLock, readsAtUnlock := -1, -1
	lock := func(_ context.Context, id string) (func(), error) {
		events = append(events, "lock "+id)
		readsAtLock = calls("DescribeLoadBalancerTCPListenerAttribute")
		return func() {
			readsAtUnlock = calls("DescribeLoadBalancerTCPListenerAttribute")
			events = append(events, fmt.Sprintf("unlock, entries added %d, ModifyCluster %d", calls("AddAccessControlListEntry"), calls("ModifyCluster")))
		}, nil
	}
	req := Request{Action: Associate, EIP: ref("47.96.1.10"), Allow: []string{"203.0.113.10/32"}}
	yes := func(string) bool { return true }
	if _, err := svc.Run(context.Background(), tg, req, ApplyOptions{DryRun: true, Timeout: time.Minute, Confirm: yes, LockAccess: lock}); err != nil {
		t.Fatal(err)
	}
	if len(events) != 0 {
		t.Errorf("a dry run took the lock: %q", events)
	}
	if _, err := svc.Run(context.Background(), tg, req, ApplyOptions{Timeout: time.Minute, Confirm: yes, LockAccess: lock}); err != nil {
		t.Fatal(err)
	}
	want := []string{"lock " + tg.ClusterID, "unlock, entries added 1, ModifyCluster 0"}
	if strings.Join(events, "\n") != strings.Join(want, "\n") {
		t.Errorf("lock events:\n%s\nwant:\n%s", strings.Join(events, "\n"), strings.Join(want, "\n"))
	}
	if readsAtUnlock <= readsAtLock {
		t.Errorf("the list was not read under the lock (reads %d at lock, %d at unlock): the plan must be made from the list as the lock finds it", readsAtLock, readsAtUnlock)
	}
	if calls("ModifyCluster") != 1 {
		t.Errorf("ModifyCluster called %d times, want 1", calls("ModifyCluster"))
	}
}
