package expose

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ack-expose/ack-expose/pkg/backend"
	"github.com/ack-expose/ack-expose/pkg/backend/simulated"
	"github.com/ack-expose/ack-expose/pkg/errdefs"
	"github.com/ack-expose/ack-expose/simulator"
)

// blindFind misses the ACL the first time it is looked for, as a run on
// another machine does when it looks just before this one creates it.
type blindFind struct {
	backend.Backend
	missed bool
}

func (b *blindFind) FindACLs(ctx context.Context, region, name string) ([]backend.ACL, error) {
	if !b.missed {
		b.missed = true
		return nil, nil
	}
	return b.Backend.FindACLs(ctx, region, name)
}

// Two runs that both planned before either applied (runs on two machines):
// one list, both entries, whether the second finds the list or only learns
// of it from the name the cloud refuses (AclNameExist).
func TestRacingAllowsShareOneACL(t *testing.T) {
	for _, blind := range []bool{false, true} {
		path := filepath.Join(t.TempDir(), "state.json")
		if err := simulator.New(path).Write(simulator.DemoWorld(), false); err != nil {
			t.Fatal(err)
		}
		var be backend.Backend = simulated.New(path)
		a, b := &Service{Backend: be}, &Service{Backend: be}
		if blind {
			b.Backend = &blindFind{Backend: be}
		}
		ctx := context.Background()
		id := simulator.ClusterIDFor("demo-basic")
		pa, err := a.planAccess(ctx, Target{ClusterID: id}, AccessRequest{Allow: []string{"10.1.0.0/16"}}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		pb, err := b.planAccess(ctx, Target{ClusterID: id}, AccessRequest{Allow: []string{"10.2.0.0/16"}}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.applyAccess(ctx, pa, ApplyOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := b.applyAccess(ctx, pb, ApplyOptions{}); err != nil {
			t.Fatalf("blind %v: second run: %v", blind, err)
		}
		c, _ := be.DescribeCluster(ctx, id)
		st := a.AccessStatus(ctx, c, time.Now())
		got := map[string]bool{}
		for _, e := range st.Entries {
			got[e.CIDR] = true
		}
		if !st.Enabled || !got["10.1.0.0/16"] || !got["10.2.0.0/16"] {
			t.Errorf("blind %v: list after both: %+v", blind, st)
		}
		_ = simulator.New(path).View(func(s *simulator.State) error {
			n := 0
			for _, x := range s.ACLs {
				if x.Name == ACLName(id) {
					n++
				}
			}
			if n != 1 {
				t.Errorf("blind %v: %d ACLs named %s, want 1", blind, n, ACLName(id))
			}
			return nil
		})
		if blind && !b.Backend.(*blindFind).missed {
			t.Errorf("the blind lookup was not made")
		}
	}
}

// A list attached to the listener between the plan and the change (the
// console, another machine) is not replaced: the run stops with a conflict
// and deletes the list it created.
func TestAllowDoesNotReplaceAListAttachedMeanwhile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	if err := simulator.New(path).Write(simulator.DemoWorld(), false); err != nil {
		t.Fatal(err)
	}
	svc := &Service{Backend: simulated.New(path)}
	ctx := context.Background()
	id := simulator.ClusterIDFor("demo-basic")
	p, err := svc.planAccess(ctx, Target{ClusterID: id}, AccessRequest{Allow: []string{"10.1.0.0/16"}}, time.Now())
	if err != nil || !p.CreateACL {
		t.Fatalf("plan: %+v %v", p, err)
	}
	e := simulator.New(path)
	office, err := e.CreateAccessControlList(simulator.DemoRegion, "office", "ipv4")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.SetLoadBalancerTCPListenerAttribute(simulator.ListenerACLRequest{RegionID: simulator.DemoRegion,
		LoadBalancerID: p.Listener.LoadBalancerID, Port: APIServerPort, AclID: office}); err != nil {
		t.Fatal(err)
	}
	_, err = svc.applyAccess(ctx, p, ApplyOptions{})
	if errdefs.KindOf(err) != errdefs.KindConflict || !strings.Contains(err.Error(), office) {
		t.Fatalf("apply: %v, want a conflict naming %s", err, office)
	}
	l, _ := svc.Backend.DescribeListenerACL(ctx, simulator.DemoRegion, p.Listener.LoadBalancerID, APIServerPort)
	if l.ACLID != office {
		t.Errorf("listener uses %s, want %s kept", l.ACLID, office)
	}
	if list, _ := svc.Backend.FindACLs(ctx, simulator.DemoRegion, ACLName(id)); len(list) != 0 {
		t.Errorf("the list this run created is left: %v", list)
	}
}
