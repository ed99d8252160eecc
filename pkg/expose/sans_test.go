package expose

import (
	"context"
	"strings"
	"testing"

	"github.com/ack-expose/ack-expose/pkg/errdefs"
	"github.com/ack-expose/ack-expose/simulator"
)

// The plan of a sans action: the change sent (append only what is missing;
// overwrite with what remains), nothing to do when the certificate already is
// as asked, the kinds refused (3), and the lockout that names a context whose
// name the change removes.
func TestPlanSANs(t *testing.T) {
	svc, eng := newService(t)
	ctx := context.Background()
	pro := simulator.ClusterIDFor("demo-pro")
	if err := eng.Update(func(s *simulator.State) error {
		for i := range s.Clusters {
			if s.Clusters[i].ID == pro {
				s.Clusters[i].ExtraSans = []string{"a.example.com", "b.example.com"}
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	plan := func(t Target, a Action, names ...string) (*Plan, error) {
		return svc.plan(ctx, t, Request{Action: a, SANs: names})
	}
	for _, tc := range []struct {
		action  Action
		names   []string
		nothing bool
		change  string // action: names
	}{
		{SANsAdd, []string{"a.example.com", "c.example.com"}, false, "append: c.example.com"},
		{SANsAdd, []string{"b.example.com"}, true, ""},
		{SANsAdd, []string{"kubernetes", "kubernetes.default.svc"}, true, ""},
		{SANsAdd, []string{"192.168.1.10", "b.example.com"}, true, ""},
		{SANsAdd, []string{"47.96.1.20"}, false, "append: 47.96.1.20"},
		{SANsAdd, []string{"kubernetes", "c.example.com"}, false, "append: c.example.com"},
		{SANsRemove, []string{"a.example.com", "z.example.com"}, false, "overwrite: b.example.com"},
		{SANsRemove, []string{"z.example.com"}, true, ""},
		{SANsSet, []string{"b.example.com", "a.example.com"}, true, ""},
		{SANsSet, []string{"c.example.com"}, false, "overwrite: c.example.com"},
	} {
		p, err := plan(target("demo-pro"), tc.action, tc.names...)
		if err != nil {
			t.Fatalf("%s %q: %v", tc.action, tc.names, err)
		}
		got := ""
		if p.SANChange != nil {
			got = p.SANChange.Action + ": " + strings.Join(p.SANChange.Names, ",")
		}
		if p.NothingToDo != tc.nothing || got != tc.change {
			t.Errorf("%s %q: nothing to do %t, change %q; want %t, %q", tc.action, tc.names, p.NothingToDo, got, tc.nothing, tc.change)
		}
		if !tc.nothing && !strings.Contains(p.Lockout, "restarts the API server") {
			t.Errorf("%s %q: lockout %q; want it to say the API server restarts", tc.action, tc.names, p.Lockout)
		}
	}
	// A context that reaches the cluster as a.example.com is cut off by its removal.
	byName := Target{ClusterID: pro, Context: "prod-a", Server: "https://a.example.com:6443"}
	p, err := plan(byName, SANsRemove, "a.example.com")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.Lockout, `context "prod-a" reaches the API server as a.example.com, which this removes`) {
		t.Errorf("lockout %q; want it to name the context cut off", p.Lockout)
	}
	if p, _ := plan(byName, SANsRemove, "b.example.com"); strings.Contains(p.Lockout, "prod-a") {
		t.Errorf("removing another name: lockout %q names the context", p.Lockout)
	}
	for _, name := range []string{"demo-dedicated", "demo-registered", "demo-edge"} {
		if _, err := plan(target(name), SANsAdd, "a.example.com"); errdefs.KindOf(err) != errdefs.KindUnsupported {
			t.Errorf("%s: %v; want not supported", name, err)
		}
	}
	if _, err := plan(target("demo-busy"), SANsAdd, "a.example.com"); errdefs.KindOf(err) != errdefs.KindConflict {
		t.Errorf("demo-busy: %v; want a conflict", err)
	}
}

// Apply sends the change, waits for the rollout and returns the names.
func TestApplySANs(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	x, err := svc.Run(ctx, target("demo-serverless"), Request{Action: SANsAdd, SANs: []string{"s.example.com"}},
		ApplyOptions{Wait: true, Confirm: func(string) bool { return true }})
	if err != nil {
		t.Fatal(err)
	}
	if x.Operation.Phase != PhaseDone || strings.Join(x.ExtraSANs, ",") != "s.example.com" {
		t.Errorf("phase %s, names %q; want done, s.example.com", x.Operation.Phase, x.ExtraSANs)
	}
	if _, err := svc.Run(ctx, target("demo-serverless"), Request{Action: SANsRemove, SANs: []string{"s.example.com"}},
		ApplyOptions{Wait: true}); errdefs.KindOf(err) != errdefs.KindRefused {
		t.Errorf("without confirmation: %v; want refused", err)
	}
}
