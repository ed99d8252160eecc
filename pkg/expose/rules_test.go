package expose

// One test per safety rule that a deliberate bug once broke with the suite
// still green (issue 22's mutation review). hack/mutate re-applies those bugs.

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/ack-expose/ack-expose/internal/cloudenum"
	"github.com/ack-expose/ack-expose/pkg/backend"
	"github.com/ack-expose/ack-expose/pkg/errdefs"
	"github.com/ack-expose/ack-expose/simulator"
)

// revoke --expired never removes a required entry, even one whose comment
// carries an expiry that has passed (someone edited it, or allowed the VPC's
// CIDR --for a while before it became required).
func TestRevokeExpiredKeepsRequiredEntries(t *testing.T) {
	svc, e := newService(t)
	ctx := context.Background()
	tg := target("demo-basic")
	now := time.Now()
	p, err := svc.planAccess(ctx, tg, AccessRequest{Allow: []string{"203.0.113.0/24", "198.51.100.0/24"}}, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.applyAccess(ctx, p, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	past := ExpiryComment("", now.Add(-time.Hour))
	if err := e.Update(func(s *simulator.State) error {
		for i := range s.ACLs {
			for j, x := range s.ACLs[i].Entries {
				if x.Entry == RequiredControlPlaneCIDR || x.Entry == "192.168.0.0/16" || x.Entry == "203.0.113.0/24" {
					s.ACLs[i].Entries[j].Comment = past
				}
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	p, err = svc.planAccess(ctx, tg, AccessRequest{Expired: true}, now)
	if err != nil {
		t.Fatal(err)
	}
	var removed []string
	for _, x := range p.Remove {
		removed = append(removed, x.CIDR)
	}
	if strings.Join(removed, ",") != "203.0.113.0/24" {
		t.Errorf("revoke --expired removes %v; want only 203.0.113.0/24 (required entries are kept, expired or not)", removed)
	}
	for _, x := range p.After.Entries {
		if x.CIDR == RequiredControlPlaneCIDR && !x.Required {
			t.Errorf("after: %+v is not marked required", x)
		}
	}
}

// A CLB ACL holds 300 entries: 300 sources are taken, 301 refused, both on
// the command line and counted with the required entries in the plan.
func TestSourceLimitIsExactly300(t *testing.T) {
	sources := func(n int) []string {
		var out []string
		for i := range n {
			out = append(out, netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 8, byte(i / 256), byte(i)}), 32).String())
		}
		return out
	}
	if got, err := ParseSources(sources(backend.ACLEntriesMax)); err != nil || len(got) != backend.ACLEntriesMax {
		t.Errorf("ParseSources(300 sources) = %d, %v; want all 300", len(got), err)
	}
	svc, _ := newService(t)
	ctx := context.Background()
	// The required entries (100.104.0.0/16 and the VPC's CIDRs) count too.
	p, err := svc.planAccess(ctx, target("demo-basic"), AccessRequest{Allow: sources(1)}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	free := backend.ACLEntriesMax - len(p.Required)
	p, err = svc.planAccess(ctx, target("demo-basic"), AccessRequest{Allow: sources(free)}, time.Now())
	if err != nil {
		t.Fatalf("%d sources + %d required: %v; want a plan of 300 entries", free, len(p.Required), err)
	}
	if len(p.Add) != backend.ACLEntriesMax {
		t.Fatalf("%d entries to add, want 300", len(p.Add))
	}
	if _, err := svc.applyAccess(ctx, p, ApplyOptions{}); err != nil {
		t.Fatalf("applying a full list of 300: %v", err)
	}
	_, err = svc.planAccess(ctx, target("demo-basic"), AccessRequest{Allow: []string{"203.0.113.9"}}, time.Now())
	if errdefs.KindOf(err) != errdefs.KindInvalid || !strings.Contains(err.Error(), "301 entries") {
		t.Errorf("one more than 300: %v; want an invalid-input error naming 301 entries", err)
	}
}

// prepaid turns the EIP id into a subscription EIP.
func prepaid(t *testing.T, e *simulator.Engine, id string) {
	t.Helper()
	if err := e.Update(func(s *simulator.State) error {
		for i := range s.EIPs {
			if s.EIPs[i].AllocationID == id {
				s.EIPs[i].ChargeType = cloudenum.ChargePrePaid
				return nil
			}
		}
		return errors.New("no EIP " + id)
	}); err != nil {
		t.Fatal(err)
	}
}

// change --release and disassociate --release refuse a subscription EIP
// before anything changes: it cannot be released, so the plan must say so.
func TestReleaseRefusesPrePaid(t *testing.T) {
	svc, e := newService(t)
	prepaid(t, e, "eip-bp1demopro000000000")
	for _, r := range []Request{
		{Action: Change, EIP: ref("47.96.1.10"), Release: true},
		{Action: Disassociate, Release: true},
	} {
		_, err := svc.plan(context.Background(), target("demo-pro"), r)
		if errdefs.KindOf(err) != errdefs.KindConflict || !strings.Contains(err.Error(), "PrePaid") || !strings.Contains(err.Error(), "drop --release") {
			t.Errorf("%s --release of a PrePaid EIP: %v; want a conflict that says drop --release", r.Action, err)
		}
	}
}

// cleanup keeps (and forgets) a subscription EIP it was asked to release:
// no release call, no failure.
func TestCleanupKeepsPrePaid(t *testing.T) {
	svc, e := newService(t)
	j := &memJournal{}
	svc.Journal = j
	ctx := context.Background()
	cid := simulator.ClusterIDFor("demo-basic")
	eip, err := svc.Backend.AllocateEIP(ctx, "cn-hangzhou", backend.AllocateSpec{Bandwidth: 5, InternetChargeType: "PayByTraffic", ISP: "BGP",
		Name: allocatedName(cid), Description: allocatedDescription(cid, "tok1"), ClientToken: "tok1"})
	if err != nil {
		t.Fatal(err)
	}
	prepaid(t, e, eip.AllocationID)
	j.records = []Record{{Kind: RecordAllocated, ClusterID: cid, RegionID: "cn-hangzhou", AllocationID: eip.AllocationID}}
	res, err := svc.Cleanup(ctx, target("demo-basic"), false)
	if err != nil || len(res.Items) != 1 || res.Items[0].Action != CleanupKept || !strings.Contains(res.Items[0].Note, "PrePaid") {
		t.Fatalf("cleanup of a PrePaid EIP: %+v, %v; want it kept", res, err)
	}
	_ = e.View(func(s *simulator.State) error {
		if s.Calls["ReleaseEipAddress"] != 0 {
			t.Errorf("calls %v: a PrePaid EIP was sent to ReleaseEipAddress", s.Calls)
		}
		return nil
	})
	if len(j.records) != 0 {
		t.Errorf("journal %v: the kept EIP is not forgotten", j.records)
	}
}

// status500 is the cloud doing what was asked and then answering HTTP 500:
// a failure on its side after the fact, which is not a refusal.
func status500(action string) error {
	return &errdefs.Error{Kind: errdefs.KindForCloudCode("InternalError", 500), Msg: action + ": The request processing has failed due to some unknown error.",
		Code: "InternalError", HTTPStatus: 500}
}

type modifyThen500 struct{ backend.Backend }

func (b modifyThen500) ModifyAPIServerEIP(ctx context.Context, id, eip string) (string, error) {
	if _, err := b.Backend.ModifyAPIServerEIP(ctx, id, eip); err != nil {
		return "", err
	}
	return "", status500("ModifyCluster")
}

type allocateThen500 struct {
	backend.Backend
	calls *int
}

func (b allocateThen500) AllocateEIP(ctx context.Context, region string, s backend.AllocateSpec) (*backend.EIP, error) {
	*b.calls++
	e, err := b.Backend.AllocateEIP(ctx, region, s)
	if err != nil || *b.calls > 1 {
		return e, err
	}
	return nil, status500("AllocateEipAddress")
}

// Any 5xx, not only 503, is a lost answer: the change may have been made, so
// it is resolved by reading the cloud again (ModifyCluster), or by asking
// again with the same client token (AllocateEipAddress), never taken as a
// refusal that rolls back, which could release an EIP the cluster now uses.
func TestHTTP500IsALostAnswer(t *testing.T) {
	for _, status := range []int{500, 502, 503, 504} {
		if !errdefs.Ambiguous(&errdefs.Error{Kind: errdefs.KindForCloudCode("InternalError", status), HTTPStatus: status}) {
			t.Errorf("HTTP %d is not ambiguous", status)
		}
	}
	alloc := &backend.AllocateSpec{Bandwidth: 5, InternetChargeType: "PayByTraffic", ISP: "BGP"}

	svc, e := newService(t)
	svc.Journal = &memJournal{}
	svc.Backend = modifyThen500{svc.Backend}
	p, err := svc.plan(context.Background(), target("demo-basic"), Request{Action: Associate, Allocate: alloc})
	if err != nil {
		t.Fatal(err)
	}
	x, err := svc.apply(context.Background(), p, ApplyOptions{Wait: true, Timeout: time.Minute})
	if err != nil || x.Operation.Phase != PhaseDone || x.EIP == nil || x.EIP.Status != backend.EIPInUse {
		t.Errorf("ModifyCluster taken, then 500: %v, %+v; want the change followed to the end", err, x)
	}
	_ = e.View(func(s *simulator.State) error {
		if s.Calls["ReleaseEipAddress"] != 0 || s.Calls["ModifyCluster"] != 1 {
			t.Errorf("calls %v: a 500 to ModifyCluster was taken as a refusal", s.Calls)
		}
		return nil
	})

	svc, e = newService(t)
	svc.Journal = &memJournal{}
	calls := 0
	svc.Backend = allocateThen500{Backend: svc.Backend, calls: &calls}
	p, err = svc.plan(context.Background(), target("demo-basic"), Request{Action: Associate, Allocate: alloc})
	if err != nil {
		t.Fatal(err)
	}
	_, err = svc.apply(context.Background(), p, ApplyOptions{Wait: true, Timeout: time.Minute})
	if err == nil || !strings.Contains(err.Error(), "released again") || calls != 2 {
		t.Errorf("AllocateEipAddress done, then 500: %v after %d calls; want the allocation asked for again with its client token", err, calls)
	}
	_ = e.View(func(s *simulator.State) error {
		if s.Calls["ReleaseEipAddress"] != 1 || s.Calls["ModifyCluster"] != 0 {
			t.Errorf("calls %v: the EIP of an allocation whose answer was a 500 is not released", s.Calls)
		}
		return nil
	})
}

// An enabled allow list is never left empty, even by revoke --force of every
// entry: an empty whitelist lets every source through.
func TestRevokeNeverEmptiesAnEnabledList(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	p, err := svc.planAccess(ctx, target("demo-basic"), AccessRequest{Allow: []string{"203.0.113.0/24"}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.applyAccess(ctx, p, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	all := []string{"203.0.113.0/24"}
	for _, e := range p.After.Entries {
		all = append(all, e.CIDR)
	}
	_, err = svc.planAccess(ctx, target("demo-basic"), AccessRequest{Revoke: all, Force: true}, time.Now())
	if errdefs.KindOf(err) != errdefs.KindInvalid || !strings.Contains(err.Error(), "empty") || !strings.Contains(err.Error(), "allow --anyone") {
		t.Errorf("revoking every entry of an enabled list: %v; want an invalid-input error pointing at allow --anyone", err)
	}
}

// allocateLost carries every allocation out and loses every answer.
type allocateLost struct{ backend.Backend }

func (b allocateLost) AllocateEIP(ctx context.Context, region string, s backend.AllocateSpec) (*backend.EIP, error) {
	if _, err := b.Backend.AllocateEIP(ctx, region, s); err != nil {
		return nil, err
	}
	return nil, errors.New("read tcp 127.0.0.1:1234: connection reset by peer")
}

// The allocation is in the journal before the request leaves: when its
// answer is lost, and asking again is too, the record of its client token is
// what lets cleanup find and release the EIP.
func TestAllocationIsRecordedBeforeItIsSent(t *testing.T) {
	svc, _ := newService(t)
	j := &memJournal{}
	svc.Journal = j
	cloud := svc.Backend
	svc.Backend = allocateLost{cloud}
	p, err := svc.plan(context.Background(), target("demo-basic"), Request{Action: Associate,
		Allocate: &backend.AllocateSpec{Bandwidth: 5, InternetChargeType: "PayByTraffic", ISP: "BGP"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.apply(context.Background(), p, ApplyOptions{Wait: true, Timeout: time.Minute}); err == nil || !strings.Contains(err.Error(), "cleanup") {
		t.Fatalf("both answers lost: %v; want an error that names cleanup", err)
	}
	if len(j.records) != 1 || j.records[0].Kind != RecordAllocated || j.records[0].ClientToken == "" {
		t.Fatalf("journal %+v: the allocation whose answers were lost is not recorded by its client token", j.records)
	}
	svc.Backend = cloud // answers arrive again
	res, err := svc.Cleanup(context.Background(), target("demo-basic"), false)
	if err != nil || len(res.Items) != 1 || res.Items[0].Action != CleanupReleased {
		t.Errorf("cleanup after the lost answers: %+v, %v; want the EIP found by its token and released", res, err)
	}
}
