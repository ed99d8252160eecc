package expose

import (
	"context"
	"errors"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ack-expose/ack-expose/pkg/backend"
	"github.com/ack-expose/ack-expose/pkg/backend/simulated"
	"github.com/ack-expose/ack-expose/pkg/errdefs"
	"github.com/ack-expose/ack-expose/simulator"
)

func TestParseSources(t *testing.T) {
	ok := map[string]string{
		"203.0.113.7":    "203.0.113.7/32",
		"203.0.113.0/24": "203.0.113.0/24",
		" 10.0.0.0/8 ":   "10.0.0.0/8",
		"0.0.0.0/0":      "0.0.0.0/0",
	}
	for in, want := range ok {
		got, err := ParseSources([]string{in})
		if err != nil || len(got) != 1 || got[0] != want {
			t.Errorf("ParseSources(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	bad := map[string]string{
		"300.1.1.1/8":    "not an IPv4 address or CIDR block",
		"10.0.0.7/24":    "use 10.0.0.0/24 for the whole block, or 10.0.0.7/32",
		"2001:db8::/32":  "IPv6",
		"::ffff:1.2.3.4": "IPv6",
		"10.0.0.0/33":    "not an IPv4 address",
		"":               "not an IPv4 address",
	}
	for in, want := range bad {
		_, err := ParseSources([]string{in})
		var e *errdefs.Error
		if !errors.As(err, &e) || e.Kind != errdefs.KindInvalid || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseSources(%q) = %v; want an invalid-input error saying %q", in, err, want)
		}
	}
	got, err := ParseSources([]string{"1.2.3.4", "1.2.3.4/32"})
	if err != nil || len(got) != 1 {
		t.Errorf("duplicates: %v %v", got, err)
	}
	var many []string
	for i := range backend.ACLEntriesMax + 1 {
		many = append(many, netip.AddrFrom4([4]byte{10, 0, byte(i / 256), byte(i)}).String())
	}
	if _, err := ParseSources(many); err == nil || !strings.Contains(err.Error(), "at most 300") {
		t.Errorf("301 sources: %v", err)
	}
}

func FuzzParseSources(f *testing.F) {
	for _, s := range []string{"203.0.113.7", "10.0.0.0/8", "10.0.0.7/24", "300.1.1.1/8", "2001:db8::/32", "::ffff:1.2.3.4", "", "1.2.3.4/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseSources([]string{s})
		if err != nil {
			return
		}
		p, perr := netip.ParsePrefix(got[0])
		if perr != nil || !p.Addr().Is4() || p.Masked() != p || p.String() != got[0] {
			t.Errorf("%q accepted as %q, which is not a canonical IPv4 CIDR block", s, got[0])
		}
	})
}

func TestExpiryComment(t *testing.T) {
	until := time.Date(2026, 11, 27, 14, 0, 0, 0, time.FixedZone("CST", 8*3600))
	for _, comment := range []string{"", "contractor"} {
		c := ExpiryComment(comment, until)
		if !strings.Contains(c, "ack-expose until 2026-11-27T06:00:00Z") {
			t.Errorf("comment %q: not RFC 3339 UTC", c)
		}
		got, ok := ParseExpiry(c)
		if !ok || !got.Equal(until) {
			t.Errorf("ParseExpiry(%q) = %v, %v", c, got, ok)
		}
	}
	for _, c := range []string{"", "office", "ack-expose until tomorrow",
		// Only the form --for writes is an expiry, not a mention of it.
		"see ack-expose until 2000-01-01T00:00:00Z", "ack-expose until 2000-01-01T00:00:00Z!",
		"x (ack-expose until 2000-01-01T00:00:00Z) y"} {
		if _, ok := ParseExpiry(c); ok {
			t.Errorf("ParseExpiry(%q) found an expiry", c)
		}
	}
}

// A state file written before the simulator modelled CLBs and VPCs: the
// cluster gets a default CLB (access control off) and VPC, and allow works.
func TestAccessOnOldStateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	w := simulator.DemoWorld()
	w.LoadBalancers, w.ACLs, w.VPCs = nil, nil, nil
	if err := simulator.New(path).Write(w, false); err != nil {
		t.Fatal(err)
	}
	svc := &Service{Backend: simulated.New(path)}
	id := simulator.ClusterIDFor("demo-basic")
	ctx := context.Background()
	p, err := svc.planAccess(ctx, Target{ClusterID: id}, AccessRequest{Allow: []string{"203.0.113.0/24"}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !p.CreateACL || p.SetListener == nil || len(p.Add) != 3 || p.Add[1].CIDR != "192.168.0.0/16" {
		t.Fatalf("plan %+v (add %v)", p, p.Add)
	}
	if _, err := svc.applyAccess(ctx, p, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	c, _ := svc.Backend.DescribeCluster(ctx, id)
	a := svc.AccessStatus(ctx, c, time.Now())
	if !a.Enabled || len(a.Entries) != 3 || !a.Entries[0].Required || a.Entries[2].Required {
		t.Errorf("after: %+v", a)
	}
}

// The list is never on with fewer entries than planned: entries are added
// before the listener is turned on, and the plan never turns on an empty list.
func TestApplyAccessOrder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	if err := simulator.New(path).Write(simulator.DemoWorld(), false); err != nil {
		t.Fatal(err)
	}
	svc := &Service{Backend: simulated.New(path)}
	ctx := context.Background()
	p, err := svc.planAccess(ctx, Target{ClusterID: simulator.ClusterIDFor("demo-basic")}, AccessRequest{Allow: []string{"198.51.100.1/32"}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.applyAccess(ctx, p, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	_ = simulator.New(path).View(func(s *simulator.State) error {
		var order []string
		for _, c := range s.CallLog {
			order = append(order, c.Action)
		}
		got := strings.Join(order, ",")
		if !strings.Contains(got, "DescribeAccessControlLists,CreateAccessControlList,AddAccessControlListEntry,DescribeLoadBalancerTCPListenerAttribute,SetLoadBalancerTCPListenerAttribute") {
			t.Errorf("call order %s", got)
		}
		return nil
	})
}

// 120 sources: added 50 per call, read back 50 per page, all of them.
func TestAccessBatches(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	if err := simulator.New(path).Write(simulator.DemoWorld(), false); err != nil {
		t.Fatal(err)
	}
	svc := &Service{Backend: simulated.New(path)}
	ctx := context.Background()
	var many []string
	for i := range 120 {
		many = append(many, netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 9, byte(i), 0}), 24).String())
	}
	id := simulator.ClusterIDFor("demo-basic")
	p, err := svc.planAccess(ctx, Target{ClusterID: id}, AccessRequest{Allow: many}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.applyAccess(ctx, p, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	c, _ := svc.Backend.DescribeCluster(ctx, id)
	if a := svc.AccessStatus(ctx, c, time.Now()); len(a.Entries) != 123 {
		t.Errorf("%d entries read back, want 123", len(a.Entries))
	}
	_ = simulator.New(path).View(func(s *simulator.State) error {
		if s.Calls["AddAccessControlListEntry"] != 3 || s.Calls["DescribeAccessControlListAttribute"] != 3 {
			t.Errorf("calls %v", s.Calls)
		}
		return nil
	})
}

func TestCheckComment(t *testing.T) {
	for _, c := range []string{"", "office", "office VPN (Hangzhou)", "杭州办公室", strings.Repeat("x", CommentMax)} {
		if err := CheckComment(c, false); err != nil {
			t.Errorf("CheckComment(%q): %v", c, err)
		}
	}
	for _, c := range []string{"a\nb", "a\x1b[31mRED", "tab\there", "bidi\u202eevil", "bad \xff utf-8",
		strings.Repeat("x", CommentMax+1), "ack-expose until 2000-01-01T00:00:00Z", "my ACK-EXPOSE UNTIL note"} {
		if err := CheckComment(c, false); err == nil {
			t.Errorf("CheckComment(%q) accepted it", c)
		}
	}
	// --for adds the expiry to the comment: the whole must fit.
	if err := CheckComment(strings.Repeat("x", CommentMax-10), true); err == nil {
		t.Errorf("a comment that fits only without the expiry was accepted with --for")
	}
}
