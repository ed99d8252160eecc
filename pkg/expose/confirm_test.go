package expose

import (
	"context"
	"errors"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ack-expose/ack-expose/internal/kubeserver"
	"github.com/ack-expose/ack-expose/pkg/backend"
	"github.com/ack-expose/ack-expose/pkg/errdefs"
	"github.com/ack-expose/ack-expose/simulator"
)

const proEndpoint = "https://47.96.1.20:6443"

func proTarget() Target {
	return Target{ClusterID: simulator.ClusterIDFor("demo-pro"), Context: "pro", Server: proEndpoint}
}

// listState is a listener's access control and its list's entries, sorted,
// with their comments: what a revert must put back exactly.
type listState struct {
	Status, Type, ACLID string
	Entries             string
}

func readList(t *testing.T, svc *Service, id string) listState {
	t.Helper()
	ctx := context.Background()
	c, err := svc.Backend.DescribeCluster(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	l, a, err := svc.readAccess(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	s := listState{Status: l.Status, Type: l.Type, ACLID: l.ACLID}
	if a != nil {
		var e []string
		for _, x := range a.Entries {
			e = append(e, x.CIDR+"|"+x.Comment)
		}
		sort.Strings(e)
		s.Entries = strings.Join(e, ",")
	}
	return s
}

func mustApply(t *testing.T, svc *Service, tg Target, r AccessRequest) *AccessPlan {
	t.Helper()
	p, err := svc.planAccess(context.Background(), tg, r, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.applyAccess(context.Background(), p, ApplyOptions{Confirm: func(string) bool { return true }}); err != nil {
		t.Fatal(err)
	}
	return p
}

// revertAccess puts back the listener's AclStatus, AclType, AclId and the
// list's entries with their comments, whatever the change was.
func TestRevertAccessRestoresExactly(t *testing.T) {
	pro := simulator.ClusterIDFor("demo-pro")
	tg := Target{ClusterID: pro}
	cases := []struct {
		name  string
		setup func(t *testing.T, svc *Service)
		req   AccessRequest
	}{
		{"revoke from a list that is on", func(t *testing.T, svc *Service) {
			mustApply(t, svc, tg, AccessRequest{Allow: []string{"203.0.113.10/32", "198.51.100.7/32"}, Comment: "office"})
		}, AccessRequest{Revoke: []string{"203.0.113.10/32"}}},
		{"--only on a list that is on", func(t *testing.T, svc *Service) {
			mustApply(t, svc, tg, AccessRequest{Allow: []string{"203.0.113.10/32", "198.51.100.7/32"}, Comment: "office"})
		}, AccessRequest{Allow: []string{"192.0.2.0/24"}, Only: true}},
		{"turning on a list that is off", func(t *testing.T, svc *Service) {
			mustApply(t, svc, tg, AccessRequest{Allow: []string{"203.0.113.10/32"}, Comment: "me"})
			mustApply(t, svc, tg, AccessRequest{Anyone: true})
		}, AccessRequest{Allow: []string{"192.0.2.0/24"}, Only: true}},
		{"a required entry revoked with --force", func(t *testing.T, svc *Service) {
			mustApply(t, svc, tg, AccessRequest{Allow: []string{"203.0.113.10/32"}})
		}, AccessRequest{Revoke: []string{RequiredControlPlaneCIDR}, Force: true}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			svc, _ := newService(t)
			tc.setup(t, svc)
			before := readList(t, svc, pro)
			p := mustApply(t, svc, tg, tc.req)
			if readList(t, svc, pro) == before {
				t.Fatal("the change changed nothing")
			}
			if err := svc.revertAccess(context.Background(), p); err != nil {
				t.Fatal(err)
			}
			if got := readList(t, svc, pro); got != before {
				t.Errorf("after the revert:\n%+v\nwant\n%+v", got, before)
			}
		})
	}
}

// When the change created the list, "as it was" is access control off, and
// the new list is left empty, still named by the listener, so the next allow
// uses it again instead of creating another.
func TestRevertAccessOfACreatedList(t *testing.T) {
	svc, eng := newService(t)
	pro := simulator.ClusterIDFor("demo-pro")
	p := mustApply(t, svc, Target{ClusterID: pro}, AccessRequest{Allow: []string{"192.0.2.0/24"}})
	if !p.CreateACL {
		t.Fatal("the plan creates no list")
	}
	if err := svc.revertAccess(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	got := readList(t, svc, pro)
	if got.Status != "off" || got.Entries != "" || got.ACLID == "" {
		t.Errorf("after the revert: %+v; want off, the created list bound and empty", got)
	}
	again := mustApply(t, svc, Target{ClusterID: pro}, AccessRequest{Allow: []string{"192.0.2.0/24"}})
	if again.CreateACL {
		t.Error("the next allow creates another list")
	}
	_ = eng.View(func(s *simulator.State) error {
		if s.Calls["CreateAccessControlList"] != 1 {
			t.Errorf("%d lists created", s.Calls["CreateAccessControlList"])
		}
		return nil
	})
}

// A change carried out in part (the cloud refused its second call) is
// reverted from what the list is now, not from the plan.
func TestRevertAccessOfAPartialChange(t *testing.T) {
	svc, eng := newService(t)
	pro := simulator.ClusterIDFor("demo-pro")
	tg := Target{ClusterID: pro}
	mustApply(t, svc, tg, AccessRequest{Allow: []string{"203.0.113.10/32"}})
	before := readList(t, svc, pro)
	_ = eng.Update(func(s *simulator.State) error {
		s.Faults = append(s.Faults, simulator.Fault{Action: "RemoveAccessControlListEntry", Code: "Forbidden.RAM", HTTPStatus: 403, Message: "no", Remaining: 1})
		return nil
	})
	p, err := svc.planAccess(context.Background(), tg, AccessRequest{Allow: []string{"192.0.2.0/24"}, Only: true}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.applyAccess(context.Background(), p, ApplyOptions{Confirm: func(string) bool { return true }}); err == nil {
		t.Fatal("the fault did not stop the change")
	}
	if readList(t, svc, pro) == before {
		t.Fatal("nothing was carried out")
	}
	if err := svc.revertAccess(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	if got := readList(t, svc, pro); got != before {
		t.Errorf("after the revert: %+v, want %+v", got, before)
	}
}

// scripted answers checks from a script of answers after the change; before
// the change it answers as before says. The last answer repeats.
type scripted struct {
	mu      sync.Mutex
	changed func() bool
	before  bool
	after   []bool
	checks  int
}

func (s *scripted) CheckEndpoint(_ context.Context, endpoint string, path kubeserver.Path) backend.CheckResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	ok := s.before
	if s.changed() {
		s.checks++
		ok = s.after[min(s.checks, len(s.after))-1]
	}
	if ok {
		return backend.CheckResult{Endpoint: endpoint, Reachable: true}
	}
	return backend.CheckResult{Endpoint: endpoint, Step: backend.CheckStepConnect, Error: "no answer from 47.96.1.20:6443"}
}

var fastConfirm = CommitOptions{Timeout: 200 * time.Millisecond, Poll: PollPolicy{Initial: time.Millisecond, Factor: 1, Max: 5 * time.Millisecond}}

func TestApplyAccessConfirmed(t *testing.T) {
	pro := simulator.ClusterIDFor("demo-pro")
	cases := []struct {
		name     string
		before   bool
		after    []bool
		reverted bool
	}{
		{"answers after: confirmed", true, []bool{true}, false},
		{"stops answering: reverted", true, []bool{false}, true},
		{"slow to answer again, within the timeout: confirmed", true, []bool{false, false, false, true}, false},
		// An early answer is no proof: the cloud may not have applied the change yet.
		{"answers once, then not: reverted", true, []bool{true, false}, true},
		{"did not answer before: not guarded, kept", false, []bool{false}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			svc, _ := newService(t)
			mustApply(t, svc, Target{ClusterID: pro}, AccessRequest{Allow: []string{"203.0.113.10/32"}})
			before := readList(t, svc, pro)
			chk := &scripted{before: tc.before, after: tc.after}
			chk.changed = func() bool { return readList(t, svc, pro) != before }
			p, err := svc.planAccess(context.Background(), proTarget(), AccessRequest{Revoke: []string{"203.0.113.10/32"}}, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if p.GuardedEndpoint() != proEndpoint {
				t.Fatalf("guarded endpoint %q", p.GuardedEndpoint())
			}
			c := fastConfirm
			c.Checker = chk
			_, err = svc.applyAccessConfirmed(context.Background(), p, ApplyOptions{Confirm: func(string) bool { return true }, Commit: c})
			after := readList(t, svc, pro)
			if tc.reverted {
				if errdefs.KindOf(err) != errdefs.KindRefused || !strings.Contains(err.Error(), "reverted the revoke: "+proEndpoint+" stopped answering") {
					t.Errorf("error %v; want refused, reverted", err)
				}
				if after != before {
					t.Errorf("not reverted: %+v, want %+v", after, before)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if after == before {
				t.Error("the change was reverted")
			}
		})
	}
}

// Nothing is checked when the context reaches the cluster some other way, the
// change only adds, or with --no-confirm (no checker).
func TestGuardedEndpoint(t *testing.T) {
	svc, _ := newService(t)
	pro := simulator.ClusterIDFor("demo-pro")
	mustApply(t, svc, Target{ClusterID: pro}, AccessRequest{Allow: []string{"203.0.113.10/32"}})
	plan := func(tg Target, r AccessRequest) *AccessPlan {
		p, err := svc.planAccess(context.Background(), tg, r, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	revoke := AccessRequest{Revoke: []string{"203.0.113.10/32"}}
	intranet := proTarget()
	intranet.Server = "https://192.168.1.10:6443"
	other := proTarget()
	other.Server = "https://10.0.0.1:6443"
	for name, tc := range map[string]struct {
		p    *AccessPlan
		want string
	}{
		"revoke, public context":   {plan(proTarget(), revoke), proEndpoint},
		"revoke, intranet context": {plan(intranet, revoke), "https://192.168.1.10:6443"},
		"revoke, another server":   {plan(other, revoke), ""},
		"revoke, no context":       {plan(Target{ClusterID: pro}, revoke), ""},
		"allow adds only":          {plan(proTarget(), AccessRequest{Allow: []string{"192.0.2.1/32"}}), ""},
		"allow --anyone":           {plan(proTarget(), AccessRequest{Anyone: true}), ""},
		"--only":                   {plan(proTarget(), AccessRequest{Allow: []string{"192.0.2.1/32"}, Only: true}), proEndpoint},
	} {
		if got := tc.p.GuardedEndpoint(); got != tc.want {
			t.Errorf("%s: guarded %q, want %q", name, got, tc.want)
		}
	}
}

// failingAdd refuses AddACLEntries: the revert of a revoke fails.
type failingAdd struct{ backend.Backend }

func (failingAdd) AddACLEntries(context.Context, string, string, []backend.ACLEntry) error {
	return &errdefs.Error{Kind: errdefs.KindForbidden, Msg: "AddAccessControlListEntry: not authorized", Code: "Forbidden.RAM"}
}

// A revert that fails says what the list is now, what it was, and the
// command that restores it; it is not exit 7 (the change was not undone).
func TestRevertFailureSaysHowToRestore(t *testing.T) {
	svc, _ := newService(t)
	pro := simulator.ClusterIDFor("demo-pro")
	mustApply(t, svc, Target{ClusterID: pro}, AccessRequest{Allow: []string{"203.0.113.10/32", "198.51.100.7/32"}})
	p, err := svc.planAccess(context.Background(), proTarget(), AccessRequest{Revoke: []string{"203.0.113.10/32"}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	svc.Backend = failingAdd{svc.Backend}
	j := &memJournal{}
	svc.Journal = j
	c := fastConfirm
	first := true // the first check is the one before the change
	c.Checker = &scripted{before: true, after: []bool{false}, changed: func() bool { was := first; first = false; return !was }}
	_, err = svc.applyAccessConfirmed(context.Background(), p, ApplyOptions{Confirm: func(string) bool { return true }, Commit: c})
	if err == nil || errdefs.KindOf(err) == errdefs.KindRefused {
		t.Fatalf("error %v; want a failed revert", err)
	}
	msg := err.Error()
	for _, want := range []string{
		"Reverting it failed at adding back 203.0.113.10/32: AddAccessControlListEntry: not authorized",
		"The allow list now: white list acl-",
		"198.51.100.7/32.\nIt was: white list acl-",
		"`kubectl ack-expose allow --only 203.0.113.10/32 198.51.100.7/32 --cluster-id " + pro + " --yes`",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
	var e *errdefs.Error
	if !errors.As(err, &e) || e.Hint == "" {
		t.Errorf("no hint: %v", err)
	}
	// The record stays, marked: status says the change could not be undone.
	cluster, err := svc.Backend.DescribeCluster(context.Background(), pro)
	if err != nil {
		t.Fatal(err)
	}
	got := svc.unconfirmed(cluster, j.records)
	want := regexp.MustCompile(`^the revoke of 20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ was not confirmed and could not be undone; to restore: kubectl ack-expose allow --only 203\.0\.113\.10/32 198\.51\.100\.7/32 --cluster-id ` + pro + ` --yes$`)
	if !want.MatchString(got) {
		t.Errorf("status says %q, want %s", got, want)
	}
}

// The restore command puts back who may connect: a list that was on but
// empty admitted everyone, so the restore is --anyone, never an --only that
// admits just the required entries (which would lock the user out).
func TestRestoreCommand(t *testing.T) {
	c := &backend.Cluster{ID: "c1"}
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	required := []string{"100.104.0.0/16", "192.168.0.0/16"}
	entries := func(cidrs ...string) *backend.ACL {
		a := &backend.ACL{ID: "acl-1"}
		for _, x := range cidrs {
			a.Entries = append(a.Entries, backend.ACLEntry{CIDR: x})
		}
		return a
	}
	for _, tc := range []struct {
		name     string
		listener backend.ListenerACL
		acl      *backend.ACL
		want     string
	}{
		{"off", backend.ListenerACL{Status: "off"}, nil, "`kubectl ack-expose allow --anyone --cluster-id c1 --yes`"},
		{"on, empty", backend.ListenerACL{Status: "on", Type: "white", ACLID: "acl-1"}, entries(), "`kubectl ack-expose allow --anyone --cluster-id c1 --yes`"},
		{"on, no list", backend.ListenerACL{Status: "on", Type: "white"}, nil, "`kubectl ack-expose allow --anyone --cluster-id c1 --yes`"},
		{"on, required only", backend.ListenerACL{Status: "on", Type: "white", ACLID: "acl-1"}, entries(required...),
			"`kubectl ack-expose allow --only 100.104.0.0/16 192.168.0.0/16 --cluster-id c1 --yes`"},
		{"on, with sources", backend.ListenerACL{Status: "on", Type: "white", ACLID: "acl-1"}, entries("100.104.0.0/16", "203.0.113.10/32"),
			"`kubectl ack-expose allow --only 203.0.113.10/32 --cluster-id c1 --yes`"},
		{"comments and --for kept, quoted", backend.ListenerACL{Status: "on", Type: "white", ACLID: "acl-1"}, &backend.ACL{ID: "acl-1", Entries: []backend.ACLEntry{
			{CIDR: "100.104.0.0/16", Comment: "ACK control plane"},
			{CIDR: "203.0.113.10/32", Comment: "office VPN"},
			{CIDR: "198.51.100.7/32"},
			{CIDR: "203.0.113.11/32", Comment: "office VPN"},
			{CIDR: "192.0.2.10/32", Comment: ExpiryComment("it's $(temp)", now.Add(90*time.Minute))},
			{CIDR: "192.0.2.11/32", Comment: ExpiryComment("", now.Add(2*time.Hour))},
			{CIDR: "192.0.2.12/32", Comment: ExpiryComment("gone", now.Add(-time.Minute))},
		}},
			"`kubectl ack-expose allow --only 203.0.113.10/32 203.0.113.11/32 --comment 'office VPN' --cluster-id c1 --yes" +
				" && kubectl ack-expose allow 198.51.100.7/32 --cluster-id c1 --yes" +
				" && kubectl ack-expose allow 192.0.2.10/32 --comment 'it'\\''s $(temp)' --for 1h30m0s --cluster-id c1 --yes" +
				" && kubectl ack-expose allow 192.0.2.11/32 --for 2h0m0s --cluster-id c1 --yes`"},
	} {
		l := tc.listener
		p := &AccessPlan{Cluster: c, Listener: &l, ACL: tc.acl, Required: required, now: now}
		if got := restoreCommand(p); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
	}
}

// The restore command's comments are ones --comment takes, whatever the
// console wrote: control characters become spaces, invalid UTF-8 the
// replacement character, a long comment is cut, and one with the words only
// --for writes is dropped.
func TestRestorableComment(t *testing.T) {
	long := strings.Repeat("x", CommentMax)
	for _, tc := range []struct {
		in        string
		temporary bool
		want      string
	}{
		{"office VPN", false, "office VPN"},
		{"a\x1b[31mRED", false, "a [31mRED"},
		{"tab\there\nline\u2028sep\u202eRTL", false, "tab here line sep RTL"},
		{"bad\xffutf8", false, "bad\uFFFDutf8"},
		{"see ack-expose until 2000-01-01T00:00:00Z", false, ""},
		{"x\tACK-Expose Until then", false, ""},
		{long, false, long},
		{long + "y", false, long},
		{long, true, long[:CommentMax-len(ExpiryComment("x", time.Now()))+1]},
	} {
		got := restorableComment(tc.in, tc.temporary)
		if got != tc.want {
			t.Errorf("restorableComment(%q, %v) = %q, want %q", tc.in, tc.temporary, got, tc.want)
		}
		if err := CheckComment(got, tc.temporary); err != nil {
			t.Errorf("restorableComment(%q, %v) = %q, which --comment refuses: %v", tc.in, tc.temporary, got, err)
		}
	}
}

// DeadlineScale (the story harness's knob) shortens the confirm window that is
// waited, not the one that is said: a 5 s window that never sees an answer
// ends in a fraction of it.
func TestConfirmDeadlineScale(t *testing.T) {
	for _, tc := range []struct {
		scale float64
		want  time.Duration
	}{{0, 5 * time.Second}, {0.1, 500 * time.Millisecond}, {1, 5 * time.Second}, {2, 5 * time.Second}, {-1, 5 * time.Second}} {
		if got := (PollPolicy{DeadlineScale: tc.scale}).deadline(5 * time.Second); got != tc.want {
			t.Errorf("DeadlineScale %v: %s, want %s", tc.scale, got, tc.want)
		}
	}
	svc, _ := newService(t)
	pro := simulator.ClusterIDFor("demo-pro")
	mustApply(t, svc, Target{ClusterID: pro}, AccessRequest{Allow: []string{"203.0.113.10/32"}})
	before := readList(t, svc, pro)
	chk := &scripted{before: true, after: []bool{false}}
	chk.changed = func() bool { return readList(t, svc, pro) != before }
	p, err := svc.planAccess(context.Background(), proTarget(), AccessRequest{Revoke: []string{"203.0.113.10/32"}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	c := CommitOptions{Timeout: 5 * time.Second, Checker: chk,
		Poll: PollPolicy{Initial: time.Millisecond, Factor: 1, Max: 5 * time.Millisecond, DeadlineScale: 0.02}}
	start := time.Now()
	_, err = svc.applyAccessConfirmed(context.Background(), p, ApplyOptions{Confirm: func(string) bool { return true }, Commit: c})
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("the 5 s window scaled by 0.02 was waited for %s", took)
	}
	if errdefs.KindOf(err) != errdefs.KindRefused || readList(t, svc, pro) != before {
		t.Errorf("error %v; want the revoke reverted", err)
	}
}
