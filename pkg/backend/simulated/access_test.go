package simulated

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/ack-expose/ack-expose/pkg/backend"
	"github.com/ack-expose/ack-expose/pkg/errdefs"
	"github.com/ack-expose/ack-expose/simulator"
)

// A call whose context has ended is not made, as with the SDK backend: every
// access-control method gives up before the engine counts a call.
func TestAccessCallsHonourTheContext(t *testing.T) {
	b := New(filepath.Join(t.TempDir(), "s.json"))
	if err := b.Engine.Write(simulator.DemoWorld(), false); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	const r = "cn-hangzhou"
	calls := map[string]func() error{
		"APIServerLoadBalancer": func() error { _, err := b.APIServerLoadBalancer(ctx, "c1"); return err },
		"DescribeVPCCIDRs":      func() error { _, err := b.DescribeVPCCIDRs(ctx, r, "vpc-1"); return err },
		"DescribeListenerACL":   func() error { _, err := b.DescribeListenerACL(ctx, r, "lb-1", 6443); return err },
		"SetListenerACL":        func() error { return b.SetListenerACL(ctx, r, backend.ListenerACL{LoadBalancerID: "lb-1", Port: 6443}) },
		"CreateACL":             func() error { _, err := b.CreateACL(ctx, r, "x"); return err },
		"DescribeACL":           func() error { _, err := b.DescribeACL(ctx, r, "acl-1"); return err },
		"AddACLEntries":         func() error { return b.AddACLEntries(ctx, r, "acl-1", nil) },
		"RemoveACLEntries":      func() error { return b.RemoveACLEntries(ctx, r, "acl-1", nil) },
		"ListLoadBalancers":     func() error { _, err := b.ListLoadBalancers(ctx, r); return err },
		"ListListenerACLs":      func() error { _, err := b.ListListenerACLs(ctx, r, []string{"lb-1"}, 6443); return err },
		"ListACLs":              func() error { _, err := b.ListACLs(ctx, r); return err },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, context.Canceled) {
			t.Errorf("%s with an ended context: %v, want context.Canceled", name, err)
		}
	}
	_ = b.Engine.View(func(s *simulator.State) error {
		for action, n := range s.Calls {
			if n != 0 {
				t.Errorf("%s was called %d times after the context ended", action, n)
			}
		}
		return nil
	})
}

// A call whose answer does not come (a fault's --delay) is given up after the
// call timeout, as the aliyun backend's read timeout does, even without a
// deadline on the context.
func TestCallGivesUpAfterTheCallTimeout(t *testing.T) {
	b := New(filepath.Join(t.TempDir(), "s.json"))
	if err := b.Engine.Write(simulator.DemoWorld(), false); err != nil {
		t.Fatal(err)
	}
	if err := b.Engine.Update(func(s *simulator.State) error {
		s.Faults = append(s.Faults, simulator.Fault{Action: "DescribeClusterDetail", Delay: simulator.Duration(time.Hour), Remaining: 1})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	stalled, entered := make(chan struct{}), make(chan struct{})
	b.Engine.Sleep = func(time.Duration) { close(entered); <-stalled } // an answer that never comes
	defer func() { <-entered; close(stalled) }()                       // the call is done with the file: the directory can go
	defer func(d time.Duration) { callTimeout = d }(callTimeout)
	callTimeout = time.Millisecond
	_, err := b.DescribeCluster(context.Background(), simulator.ClusterIDFor("demo-pro"))
	if errdefs.KindOf(err) != errdefs.KindUnavailable {
		t.Fatalf("DescribeCluster with a stalled answer: %v (kind %v), want an unavailable error", err, errdefs.KindOf(err))
	}
}
