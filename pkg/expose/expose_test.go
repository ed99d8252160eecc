package expose

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ack-expose/ack-expose/internal/kubeserver"
	"github.com/ack-expose/ack-expose/pkg/errdefs"

	"github.com/ack-expose/ack-expose/pkg/backend"
	"github.com/ack-expose/ack-expose/pkg/backend/simulated"
	"github.com/ack-expose/ack-expose/simulator"
)

func newService(t *testing.T) (*Service, *simulator.Engine) {
	t.Helper()
	be := simulated.New(filepath.Join(t.TempDir(), "s.json"))
	w := simulator.DemoWorld()
	w.Timing = simulator.Timing{}
	if err := be.Engine.Write(w, false); err != nil {
		t.Fatal(err)
	}
	fast := PollPolicy{Initial: time.Millisecond, Factor: 1, Max: time.Millisecond}
	return &Service{Backend: be, Poll: fast}, be.Engine
}

func target(name string) Target { return Target{ClusterID: simulator.ClusterIDFor(name)} }

func ref(s string) *EIPRef {
	r, err := ParseEIPRef(s)
	if err != nil {
		panic(err)
	}
	return &r
}

func TestPlanRules(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		cluster string
		req     Request
		wantErr bool
		kind    errdefs.Kind // with wantErr: the error's kind
		nothing bool
		steps   int
	}{
		{"associate free EIP", "demo-basic", Request{Action: Associate, EIP: ref("47.96.1.10")}, false, 0, false, 1},
		{"associate allocate", "demo-basic", Request{Action: Associate, Allocate: &backend.AllocateSpec{Bandwidth: 5}}, false, 0, false, 2},
		{"associate current", "demo-pro", Request{Action: Associate, EIP: ref("eip-bp1demopro000000000")}, false, 0, true, 1},
		{"associate when exposed", "demo-pro", Request{Action: Associate, EIP: ref("47.96.1.10")}, true, errdefs.KindConflict, false, 0},
		{"EIP of an ECS", "demo-basic", Request{Action: Associate, EIP: ref("47.96.1.30")}, true, errdefs.KindConflict, false, 0},
		{"EIP elsewhere", "demo-basic", Request{Action: Associate, EIP: ref("39.105.1.10")}, true, errdefs.KindNotFound, false, 0},
		{"change unexposed", "demo-basic", Request{Action: Change, EIP: ref("47.96.1.10")}, true, errdefs.KindConflict, false, 0},
		{"change exposed", "demo-pro", Request{Action: Change, EIP: ref("47.96.1.10"), Release: true}, false, 0, false, 2},
		{"change to current", "demo-pro", Request{Action: Change, EIP: ref("47.96.1.20")}, false, 0, true, 1},
		{"disassociate none", "demo-basic", Request{Action: Disassociate}, false, 0, true, 1},
		{"disassociate", "demo-pro", Request{Action: Disassociate}, false, 0, false, 1},
		{"dedicated", "demo-dedicated", Request{Action: Disassociate}, true, errdefs.KindUnsupported, false, 0},
		{"registered", "demo-registered", Request{Action: Associate, EIP: ref("47.96.1.10")}, true, errdefs.KindUnsupported, false, 0},
		{"edge", "demo-edge", Request{Action: Associate, EIP: ref("47.96.1.10")}, false, 0, false, 1},
		{"busy", "demo-busy", Request{Action: Associate, EIP: ref("47.96.1.10")}, true, errdefs.KindConflict, false, 0},
		{"serverless", "demo-serverless", Request{Action: Associate, EIP: ref("47.96.1.10")}, false, 0, false, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := svc.plan(ctx, target(tc.cluster), tc.req)
			if tc.wantErr {
				if err == nil || errdefs.KindOf(err) != tc.kind {
					t.Fatalf("err %v (kind %v), want kind %v", err, errdefs.KindOf(err), tc.kind)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.NothingToDo != tc.nothing || len(p.Steps) != tc.steps {
				t.Errorf("nothing %v steps %q", p.NothingToDo, p.Steps)
			}
		})
	}
}

func TestLockoutGuard(t *testing.T) {
	svc, e := newService(t)
	ctx := context.Background()
	// A context through the intranet endpoint is not cut off by removing the EIP.
	tg := target("demo-pro")
	tg.Context, tg.Server = "pro", "https://192.168.1.10:6443"
	p, err := svc.plan(ctx, tg, Request{Action: Disassociate})
	if err != nil {
		t.Fatal(err)
	}
	if p.Lockout != "" {
		t.Errorf("a context through the intranet endpoint is not cut off: %q", p.Lockout)
	}
	// A context through the public endpoint is.
	tg.Server = "https://47.96.1.20:6443"
	if p, err = svc.plan(ctx, tg, Request{Action: Disassociate}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.Lockout, "https://192.168.1.10:6443") {
		t.Fatalf("lockout %q does not say how to reach the cluster", p.Lockout)
	}
	asked := ""
	_, err = svc.apply(ctx, p, ApplyOptions{Wait: true, Timeout: time.Minute, Confirm: func(msg string) bool { asked = msg; return false }})
	if errdefs.KindOf(err) != errdefs.KindRefused || asked == "" {
		t.Fatalf("refusal: %v (asked %q)", err, asked)
	}
	_ = e.View(func(s *simulator.State) error {
		if s.Calls["ModifyCluster"] != 0 {
			t.Error("a refused plan made a mutating call")
		}
		return nil
	})
	x, err := svc.apply(ctx, p, ApplyOptions{Wait: true, Timeout: time.Minute, Confirm: func(string) bool { return true }})
	if err != nil || x.PublicEndpoint != "" || !x.Operation.Changed {
		t.Fatalf("confirmed: %+v %v", x, err)
	}
}

func TestApplyAssociateWaitsForTheResult(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	p, err := svc.plan(ctx, target("demo-basic"), Request{Action: Associate, EIP: ref("eip-bp1demo0000000000002")})
	if err != nil {
		t.Fatal(err)
	}
	x, err := svc.apply(ctx, p, ApplyOptions{Wait: true, Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if x.PublicEndpoint != "https://47.96.1.11:6443" || x.EIP == nil || x.EIP.Status != "InUse" || x.Operation.TaskID == "" || x.Cluster.State != "running" {
		t.Errorf("%+v %+v", x, x.EIP)
	}
}

func TestDryRunChangesNothing(t *testing.T) {
	svc, e := newService(t)
	p, err := svc.plan(context.Background(), target("demo-basic"), Request{Action: Associate, Allocate: &backend.AllocateSpec{Bandwidth: 5, InternetChargeType: "PayByTraffic", ISP: "BGP"}})
	if err != nil {
		t.Fatal(err)
	}
	x, err := svc.apply(context.Background(), p, ApplyOptions{DryRun: true, Wait: true, Timeout: time.Minute})
	if err != nil || !x.Operation.DryRun || x.Operation.Changed {
		t.Fatalf("%+v %v", x.Operation, err)
	}
	_ = e.View(func(s *simulator.State) error {
		if s.Calls["AllocateEipAddress"]+s.Calls["ModifyCluster"] != 0 {
			t.Errorf("dry run made mutating calls: %v", s.Calls)
		}
		return nil
	})
}

func TestResolve(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	id := simulator.ClusterIDFor("demo-serverless")
	tg, err := Resolve(ctx, svc.Backend, "", kubeserver.Context{Name: "1234-" + id})
	if err != nil || tg.ClusterID != id || tg.How != HowContextName {
		t.Errorf("context name: %+v %v", tg, err)
	}
	tg, err = Resolve(ctx, svc.Backend, "", kubeserver.Context{Name: "mine", Server: "https://192.168.2.10:6443/"})
	if err != nil || tg.ClusterID != id || tg.How != HowServerURL {
		t.Errorf("server URL: %+v %v", tg, err)
	}
	_, err = Resolve(ctx, svc.Backend, "", kubeserver.Context{Name: "mine", Server: "https://8.8.8.8"})
	if errdefs.KindOf(err) != errdefs.KindNotFound || !strings.Contains(err.Error(), "--cluster-id: not given") {
		t.Errorf("no match: %v", err)
	}
	if _, err := Resolve(ctx, svc.Backend, "C123", kubeserver.Context{}); errdefs.KindOf(err) != errdefs.KindInvalid {
		t.Errorf("bad ID: %v", err)
	}
}

func TestParsers(t *testing.T) {
	for in, want := range map[string]string{
		"eip-bp1demo0000000000001": "eip-bp1demo0000000000001", " 47.96.1.10 ": "47.96.1.10",
	} {
		if r, err := ParseEIPRef(in); err != nil || r.String() != want {
			t.Errorf("ParseEIPRef(%q) = %v, %v", in, r, err)
		}
	}
	for _, bad := range []string{"", "eip-", "EIP-ABC", "47.96.1", "::1", "47.96.1.10:80", "eip-bp1/../x", "300.1.1.1"} {
		if _, err := ParseEIPRef(bad); errdefs.KindOf(err) != errdefs.KindInvalid {
			t.Errorf("ParseEIPRef(%q) accepted", bad)
		}
	}
	if uid, id, ok := parseContextName("1234567890123456-c0123456789abcdef0123456789abcdef"); !ok || uid != "1234567890123456" || id != "c0123456789abcdef0123456789abcdef" {
		t.Errorf("parseContextName: %q %q %v", uid, id, ok)
	}
	for _, bad := range []string{"kind-kind", "123-c0123", "abc-c0123456789abcdef0123456789abcdef", "1234-c0123456789ABCDEF0123456789abcdef"} {
		if _, _, ok := parseContextName(bad); ok {
			t.Errorf("parseContextName(%q) accepted", bad)
		}
	}
	for _, tc := range []struct{ a, b string }{
		{"https://1.2.3.4:6443", "https://1.2.3.4:6443/"},
		{"https://EXAMPLE.com", "https://example.com:443"},
	} {
		if !kubeserver.SameEndpoint(tc.a, tc.b) {
			t.Errorf("kubeserver.SameEndpoint(%q, %q) = false", tc.a, tc.b)
		}
	}
	if kubeserver.SameEndpoint("https://1.2.3.4:6443", "https://1.2.3.4:443") || kubeserver.SameEndpoint("", "") {
		t.Error("different endpoints compared equal")
	}
	for in, want := range map[[2]string]string{
		{"https://47.96.1.20:6443", "47.96.1.12"}: "https://47.96.1.12:6443",
		{"https://47.96.1.20", "1.2.3.4"}:         "https://1.2.3.4",
		{"https://[::1]:6443", "1.2.3.4"}:         "https://1.2.3.4:6443",
	} {
		if got := kubeserver.WithHost(in[0], in[1]); got != want {
			t.Errorf("kubeserver.WithHost(%q, %q) = %q, want %q", in[0], in[1], got, want)
		}
	}
	if h := kubeserver.EndpointHost("https://[::1]:6443/x"); h != "::1" {
		t.Errorf("EndpointHost = %q", h)
	}
}

// The default schedule sees a 3 s operation finish within 0.75 s, in few calls.
func TestDefaultPollSchedule(t *testing.T) {
	p := DefaultPoll
	at, polls := time.Duration(0), 0
	for at < 3*time.Second {
		polls++
		d := p.backoff().Interval(polls)
		at += d + time.Duration(float64(d)*p.Jitter) // the worst case of the jitter
	}
	if late := at - 3*time.Second; late > 750*time.Millisecond || polls > 6 {
		t.Errorf("a 3 s operation is seen %s late after %d polls", late, polls)
	}
	if p.Max < 5*time.Second {
		t.Errorf("cap %s would poll the cloud too often on long operations", p.Max)
	}
}

// failingStatus fails every DescribeCluster after the first.
type failingStatus struct {
	backend.Backend
	n int
}

func (f *failingStatus) DescribeCluster(ctx context.Context, id string) (*backend.Cluster, error) {
	f.n++
	if f.n > 1 {
		return nil, errdefs.Errorf(errdefs.KindUnavailable, "down")
	}
	return f.Backend.DescribeCluster(ctx, id)
}

// Once ModifyCluster has the new EIP, no later failure releases it.
func TestNoRollbackOnceTheCloudHasTheChange(t *testing.T) {
	svc, e := newService(t)
	svc.Backend = &failingStatus{Backend: svc.Backend}
	p, err := svc.plan(context.Background(), target("demo-basic"), Request{Action: Associate,
		Allocate: &backend.AllocateSpec{Bandwidth: 5, InternetChargeType: "PayByTraffic", ISP: "BGP"}})
	if err != nil {
		t.Fatal(err)
	}
	x, err := svc.apply(context.Background(), p, ApplyOptions{Wait: false, Timeout: time.Minute})
	if err != nil || x.Operation.Phase != PhaseAccepted {
		t.Fatalf("an accepted change whose status cannot be read is still accepted: %v", err)
	}
	_ = e.View(func(s *simulator.State) error {
		if s.Calls["ReleaseEipAddress"] != 0 || s.Calls["ModifyCluster"] != 1 {
			t.Errorf("calls %v: an EIP handed to ModifyCluster was released", s.Calls)
		}
		return nil
	})
}

type noEIPs struct{ backend.Backend }

func (noEIPs) DescribeEIPs(context.Context, string, backend.EIPQuery) ([]backend.EIP, error) {
	return nil, nil
}

// --release with no EIP to be found behind the endpoint is an error, not a silent no-op.
func TestReleaseNeedsTheEIP(t *testing.T) {
	svc, _ := newService(t)
	svc.Backend = noEIPs{svc.Backend}
	_, err := svc.plan(context.Background(), target("demo-pro"), Request{Action: Disassociate, Release: true})
	if errdefs.KindOf(err) != errdefs.KindNotFound || !strings.Contains(err.Error(), "drop --release") {
		t.Errorf("got %v", err)
	}
	if _, err := svc.plan(context.Background(), target("demo-pro"), Request{Action: Disassociate}); err != nil {
		t.Errorf("without --release the plan must still work: %v", err)
	}
}

// interruptedModify is Ctrl-C arriving while ModifyCluster is in flight:
// before the request left (sent false) or after the cloud took it.
type interruptedModify struct {
	backend.Backend
	cancel context.CancelFunc
	sent   bool
}

func (b interruptedModify) ModifyAPIServerEIP(ctx context.Context, id, eip string) (string, error) {
	if b.sent {
		if _, err := b.Backend.ModifyAPIServerEIP(ctx, id, eip); err != nil {
			return "", err
		}
	}
	b.cancel()
	return "", ctx.Err()
}

// memJournal is a Journal in memory.
type memJournal struct{ records []Record }

func (j *memJournal) List() ([]Record, error) { return append([]Record(nil), j.records...), nil }
func (j *memJournal) Update(fn func([]Record) []Record) error {
	j.records = fn(append([]Record(nil), j.records...))
	return nil
}
func (j *memJournal) Owned(Record) bool { return false }

func (j *memJournal) has(kind RecordKind, id string) bool {
	for _, r := range j.records {
		if r.Kind == kind && r.AllocationID == id {
			return true
		}
	}
	return false
}

// A lost answer is resolved by reading the cloud again: a change the cloud
// took keeps its EIP (recorded, never released); one it never saw releases
// the EIP allocated for it.
func TestInterruptDuringModifyIsResolved(t *testing.T) {
	for _, sent := range []bool{true, false} {
		svc, e := newService(t)
		// The rollout is still running when the interrupted answer is
		// resolved: the allocated EIP must stay recorded until it is done.
		if err := e.Update(func(s *simulator.State) error { s.Timing.ModifyCluster = simulator.Duration(time.Minute); return nil }); err != nil {
			t.Fatal(err)
		}
		j := &memJournal{}
		svc.Journal = j
		ctx, cancel := context.WithCancel(context.Background())
		svc.Backend = interruptedModify{Backend: svc.Backend, cancel: cancel, sent: sent}
		p, err := svc.plan(ctx, target("demo-basic"), Request{Action: Associate,
			Allocate: &backend.AllocateSpec{Bandwidth: 5, InternetChargeType: "PayByTraffic", ISP: "BGP"}})
		if err != nil {
			t.Fatal(err)
		}
		x, err := svc.apply(ctx, p, ApplyOptions{Wait: true, Timeout: time.Minute})
		if errdefs.KindOf(err) != errdefs.KindInterrupted {
			t.Fatalf("sent %v: got %v", sent, err)
		}
		_ = e.View(func(s *simulator.State) error {
			released := s.Calls["ReleaseEipAddress"]
			switch {
			case sent && (released != 0 || x == nil || x.Operation.Phase != PhaseAccepted || !j.has(RecordAllocated, x.Operation.AllocatedEIP)):
				t.Errorf("accepted change: %d releases, result %v, journal %v, error %v", released, x, j.records, err)
			case !sent && (released != 1 || !strings.Contains(err.Error(), "nothing was changed") || !strings.Contains(err.Error(), "released again") || len(j.records) != 0):
				t.Errorf("change never sent: %d releases, journal %v, error %v", released, j.records, err)
			}
			return nil
		})
	}
}

// noTaskID is a cloud that accepts ModifyCluster without a task ID, and
// optionally ends the cluster in a terminal state.
type noTaskID struct {
	backend.Backend
	endState string
	modified bool
	polls    int // DescribeCluster calls after the change
}

func (b *noTaskID) ModifyAPIServerEIP(ctx context.Context, id, eip string) (string, error) {
	_, err := b.Backend.ModifyAPIServerEIP(ctx, id, eip)
	b.modified = true
	return "", err
}

func (b *noTaskID) DescribeCluster(ctx context.Context, id string) (*backend.Cluster, error) {
	c, err := b.Backend.DescribeCluster(ctx, id)
	if b.modified {
		b.polls++
	}
	if err == nil && b.modified && b.endState != "" {
		c.State = b.endState
	}
	return c, err
}

// An accepted change without a task ID is followed on the cluster's state;
// a terminal state ends the wait at once, as a failure.
func TestAcceptedWithoutTaskID(t *testing.T) {
	for _, end := range []string{"", "updating_failed"} {
		svc, _ := newService(t)
		be := &noTaskID{Backend: svc.Backend, endState: end}
		svc.Backend = be
		p, err := svc.plan(context.Background(), target("demo-basic"), Request{Action: Associate, EIP: ref("47.96.1.10")})
		if err != nil {
			t.Fatal(err)
		}
		x, err := svc.apply(context.Background(), p, ApplyOptions{Wait: true, Timeout: 10 * time.Second})
		switch {
		case end == "" && (err != nil || x.Operation.Phase != PhaseDone || x.EIP == nil || x.EIP.Status != backend.EIPInUse):
			t.Errorf("no task ID: %v %+v", err, x)
		case end != "" && (err == nil || !strings.Contains(err.Error(), "is updating_failed") || x == nil || x.Operation.Phase != PhaseFailed || be.polls > 2):
			// "At once": the first read of the cluster that shows the state ends the wait.
			t.Errorf("terminal state: %v, %+v after %d reads of the cluster", err, x, be.polls)
		}
	}
}

// An allocation whose answer was lost is found again by the client token in
// its description, and released; an EIP in use is never released.
func TestCleanupFindsLostAllocations(t *testing.T) {
	svc, e := newService(t)
	j := &memJournal{}
	svc.Journal = j
	ctx := context.Background()
	eip, err := svc.Backend.AllocateEIP(ctx, "cn-hangzhou", backend.AllocateSpec{Bandwidth: 5, InternetChargeType: "PayByTraffic", ISP: "BGP",
		Name: allocatedName("c1"), Description: allocatedDescription("c1", "tok123"), ClientToken: "tok123"})
	if err != nil {
		t.Fatal(err)
	}
	j.records = []Record{
		{Kind: RecordAllocated, ClusterID: "c1", RegionID: "cn-hangzhou", ClientToken: "tok123"},
		{Kind: RecordAllocated, ClusterID: "c1", RegionID: "cn-hangzhou", ClientToken: "never-made"},
		{Kind: RecordRelease, ClusterID: "c2", RegionID: "cn-hangzhou", AllocationID: "eip-bp1demopro000000000"},
		{Kind: RecordRelease, ClusterID: "c3", RegionID: "cn-beijing", AllocationID: "eip-2zedemo000000000001"},
	}
	dry, err := svc.Cleanup(ctx, target("demo-basic"), true)
	if err != nil || len(dry.Items) != 2 || dry.Items[0].Action != "would release" || len(j.records) != 4 {
		t.Fatalf("dry run: %+v %v, journal %v", dry, err, j.records)
	}
	res, err := svc.Cleanup(ctx, target("demo-basic"), false)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != 2 || res.Items[0].AllocationID != eip.AllocationID || res.Items[0].Action != "released" ||
		res.Items[1].Action != "kept" {
		t.Errorf("items %+v", res.Items)
	}
	if len(j.records) != 1 || j.records[0].RegionID != "cn-beijing" {
		t.Errorf("journal after cleanup: %+v", j.records)
	}
	_ = e.View(func(s *simulator.State) error {
		if s.Calls["ReleaseEipAddress"] != 1 {
			t.Errorf("calls %v", s.Calls)
		}
		return nil
	})
	if id, ok := allocatedFor(allocatedDescription("c1", "t")); !ok || id != "c1" {
		t.Errorf("allocatedFor: %q %v", id, ok)
	}
}

type taskGone struct{ backend.Backend }

func (taskGone) DescribeTask(context.Context, string) (*backend.Task, error) {
	return nil, errdefs.Errorf(errdefs.KindNotFound, "DescribeTaskInfo: the task does not exist")
}

// A task the cloud no longer knows is followed on the cluster's state.
func TestTaskGoneFollowsTheCluster(t *testing.T) {
	svc, _ := newService(t)
	svc.Backend = taskGone{svc.Backend}
	p, err := svc.plan(context.Background(), target("demo-basic"), Request{Action: Associate, EIP: ref("47.96.1.10")})
	if err != nil {
		t.Fatal(err)
	}
	x, err := svc.apply(context.Background(), p, ApplyOptions{Wait: true, Timeout: 10 * time.Second})
	if err != nil || x.Operation.Phase != PhaseDone {
		t.Errorf("got %v, %+v", err, x)
	}
}

// failingCluster answers DescribeCluster with err.
type failingCluster struct {
	backend.Backend
	err error
}

func (b failingCluster) DescribeCluster(ctx context.Context, id string) (*backend.Cluster, error) {
	if id == simulator.ClusterIDFor("demo-busy") {
		return nil, b.err
	}
	return b.Backend.DescribeCluster(ctx, id)
}

// cleanup forgets an operation record once its cluster is gone, but keeps it
// when the cluster cannot be read for a passing reason.
func TestCleanupOperationRecords(t *testing.T) {
	for _, tc := range []struct {
		err  error
		kept bool
	}{
		{errdefs.Errorf(errdefs.KindThrottled, "Throttling.User"), true},
		{errdefs.Errorf(errdefs.KindNotFound, "ErrorClusterNotFound"), false},
	} {
		svc, _ := newService(t)
		busy := simulator.ClusterIDFor("demo-busy")
		j := &memJournal{records: []Record{{Kind: RecordOperation, ClusterID: busy, RegionID: simulator.DemoRegion, Action: Associate}}}
		svc.Journal = j
		svc.Backend = failingCluster{Backend: svc.Backend, err: tc.err}
		if _, err := svc.Cleanup(context.Background(), target("demo-basic"), false); err != nil {
			t.Fatal(err)
		}
		if kept := len(j.records) == 1; kept != tc.kept {
			t.Errorf("reading the cluster failed with %v: record kept %v, want %v", tc.err, kept, tc.kept)
		}
	}
}
