package expose

import (
	"context"
	"testing"

	"github.com/ack-expose/ack-expose/pkg/backend"
	"github.com/ack-expose/ack-expose/simulator"
)

// A lookup asks for BGP_PRO only in the regions that have it, and only for
// what the default (BGP) lookup did not find.
func TestLookupEIPsAcrossLineTypes(t *testing.T) {
	svc, e := newService(t)
	ctx := context.Background()
	_ = e.Update(func(s *simulator.State) error {
		s.EIPs = append(s.EIPs,
			simulator.EIP{AllocationID: "eip-j6cbgp000000000001", IPAddress: "47.242.1.1", RegionID: "cn-hongkong", Status: "Available", ISP: "BGP"},
			simulator.EIP{AllocationID: "eip-j6cpro000000000001", IPAddress: "47.242.1.2", RegionID: "cn-hongkong", Status: "Available", ISP: "BGP_PRO"})
		s.Calls = map[string]int{}
		return nil
	})
	calls := func() int {
		n := 0
		_ = e.View(func(s *simulator.State) error { n = s.Calls["DescribeEipAddresses"]; return nil })
		return n
	}
	for _, tc := range []struct {
		name   string
		region string
		q      backend.EIPQuery
		found  int
		calls  int
	}{
		{"BGP region, found", "cn-hangzhou", backend.EIPQuery{IPAddresses: []string{"47.96.1.10"}}, 1, 1},
		{"BGP region, missing", "cn-hangzhou", backend.EIPQuery{IPAddresses: []string{"47.96.9.9"}}, 0, 1},
		{"BGP_PRO region, BGP EIP", "cn-hongkong", backend.EIPQuery{IPAddresses: []string{"47.242.1.1"}}, 1, 1},
		{"BGP_PRO region, BGP_PRO EIP", "cn-hongkong", backend.EIPQuery{IPAddresses: []string{"47.242.1.2"}}, 1, 2},
		{"BGP_PRO region, by ID", "cn-hongkong", backend.EIPQuery{AllocationIDs: []string{"eip-j6cpro000000000001"}}, 1, 2},
		{"BGP_PRO region, both", "cn-hongkong", backend.EIPQuery{IPAddresses: []string{"47.242.1.1", "47.242.1.2"}}, 2, 2},
		{"BGP_PRO region, all", "cn-hongkong", backend.EIPQuery{}, 2, 2},
	} {
		before := calls()
		got, err := svc.lookupEIPs(ctx, tc.region, tc.q)
		if err != nil || len(got) != tc.found || calls()-before != tc.calls {
			t.Errorf("%s: %d EIPs in %d calls (%v), want %d in %d", tc.name, len(got), calls()-before, err, tc.found, tc.calls)
		}
	}
}
