package expose

import (
	"context"

	"github.com/ack-expose/ack-expose/internal/eipspec"
	"github.com/ack-expose/ack-expose/pkg/backend"
)

// lookupEIPs is DescribeEIPs over both line types ack-expose allocates.
// DescribeEipAddresses' ISP filter is documented as "BGP (default)", so a
// BGP_PRO EIP is found only by asking for BGP_PRO: in the regions that have
// BGP_PRO, what the first call did not find is asked for again with it. Other
// regions, and lookups that found everything, cost one call as before.
func (s *Service) lookupEIPs(ctx context.Context, region string, q backend.EIPQuery) ([]backend.EIP, error) {
	list, err := s.Backend.DescribeEIPs(ctx, region, q)
	if err != nil || q.ISP != "" || !eipspec.BGPProIn(region) {
		return list, err
	}
	rest := backend.EIPQuery{ISP: eipspec.ISPBGPPro}
	ids, ips := map[string]bool{}, map[string]bool{}
	for _, e := range list {
		ids[e.AllocationID], ips[e.IPAddress] = true, true
	}
	for _, id := range q.AllocationIDs {
		if !ids[id] {
			rest.AllocationIDs = append(rest.AllocationIDs, id)
		}
	}
	for _, ip := range q.IPAddresses {
		if !ips[ip] {
			rest.IPAddresses = append(rest.IPAddresses, ip)
		}
	}
	if len(q.AllocationIDs)+len(q.IPAddresses) > 0 && len(rest.AllocationIDs)+len(rest.IPAddresses) == 0 {
		return list, nil
	}
	more, err := s.Backend.DescribeEIPs(ctx, region, rest)
	if err != nil {
		return nil, err
	}
	return append(list, more...), nil
}
