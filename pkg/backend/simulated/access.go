package simulated

import (
	"context"
	"strings"

	"github.com/ack-expose/ack-expose/pkg/backend"
	"github.com/ack-expose/ack-expose/pkg/errdefs"
	"github.com/ack-expose/ack-expose/simulator"
)

func (b *Backend) APIServerLoadBalancer(ctx context.Context, clusterID string) (string, error) {
	list, err := b.Engine.DescribeClusterResources(clusterID)
	if err != nil {
		return "", convert(err)
	}
	for _, r := range list {
		if r.ResourceType == "SLB" || r.ResourceType == "ALIYUN::SLB::LoadBalancer" {
			return r.InstanceID, nil
		}
	}
	return "", errdefs.Errorf(errdefs.KindNotFound, "cluster %s: DescribeClusterResources lists no API server CLB (resource type ALIYUN::SLB::LoadBalancer)", clusterID)
}

func (b *Backend) DescribeVPCCIDRs(ctx context.Context, region, vpcID string) ([]string, error) {
	v, err := b.Engine.DescribeVpcAttribute(region, vpcID)
	if err != nil {
		return nil, convert(err)
	}
	out := []string{}
	for _, c := range append([]string{v.CidrBlock}, v.SecondaryCidrBlocks...) {
		if c != "" && !strings.Contains(c, ":") {
			out = append(out, c)
		}
	}
	return out, nil
}

func (b *Backend) DescribeListenerACL(ctx context.Context, region, lbID string, port int) (*backend.ListenerACL, error) {
	l, err := b.Engine.DescribeLoadBalancerTCPListenerAttribute(region, lbID, port)
	if err != nil {
		return nil, convert(err)
	}
	return &backend.ListenerACL{LoadBalancerID: l.LoadBalancerID, Port: l.Port, Status: l.AclStatus, Type: l.AclType, ACLID: l.AclID}, nil
}

func (b *Backend) SetListenerACL(ctx context.Context, region string, l backend.ListenerACL) error {
	return convert(b.Engine.SetLoadBalancerTCPListenerAttribute(simulator.ListenerACLRequest{RegionID: region,
		LoadBalancerID: l.LoadBalancerID, Port: l.Port, AclStatus: l.Status, AclType: l.Type, AclID: l.ACLID}))
}

func (b *Backend) CreateACL(ctx context.Context, region, name string) (string, error) {
	id, err := b.Engine.CreateAccessControlList(region, name, "ipv4")
	return id, convert(err)
}

func (b *Backend) DescribeACL(ctx context.Context, region, aclID string) (*backend.ACL, error) {
	var out *backend.ACL
	var a simulator.ACLView
	for page := 1; ; page++ {
		v, total, err := b.Engine.DescribeAccessControlListAttribute(region, aclID, page, simulator.ACLEntriesPageMax)
		if err != nil {
			return nil, convert(err)
		}
		if out == nil {
			a = v
			out = &backend.ACL{ID: a.ID, Name: a.Name, AddressIPVersion: a.AddressIPVersion, Entries: []backend.ACLEntry{}}
		}
		for _, e := range v.Entries {
			out.Entries = append(out.Entries, backend.ACLEntry{CIDR: e.Entry, Comment: e.Comment})
		}
		if len(v.Entries) == 0 || len(out.Entries) >= total {
			break
		}
	}
	for _, r := range a.RelatedListeners {
		out.RelatedListeners = append(out.RelatedListeners, backend.RelatedListener{LoadBalancerID: r.LoadBalancerID, Port: r.Port, Protocol: r.Protocol, AclType: r.AclType})
	}
	return out, nil
}

func entries(in []backend.ACLEntry) []simulator.ACLEntry {
	out := make([]simulator.ACLEntry, 0, len(in))
	for _, e := range in {
		out = append(out, simulator.ACLEntry{Entry: e.CIDR, Comment: e.Comment})
	}
	return out
}

func (b *Backend) AddACLEntries(ctx context.Context, region, aclID string, e []backend.ACLEntry) error {
	return convert(b.Engine.AddAccessControlListEntry(region, aclID, entries(e)))
}

func (b *Backend) RemoveACLEntries(ctx context.Context, region, aclID string, e []backend.ACLEntry) error {
	return convert(b.Engine.RemoveAccessControlListEntry(region, aclID, entries(e)))
}

func (b *Backend) ListLoadBalancers(ctx context.Context, region string) ([]backend.LoadBalancer, error) {
	page := func(n int) ([]backend.LoadBalancer, int, error) {
		list, total, err := b.Engine.DescribeLoadBalancers(region, n, 100)
		if err != nil {
			return nil, 0, convert(err)
		}
		out := make([]backend.LoadBalancer, 0, len(list))
		for _, lb := range list {
			out = append(out, backend.LoadBalancer{ID: lb.ID, Address: lb.Address, VPCID: lb.VPCID})
		}
		return out, total, nil
	}
	return backend.AllPages(ctx, 100, page)
}

func (b *Backend) ListListenerACLs(ctx context.Context, region string, lbIDs []string, port int) ([]backend.ListenerACL, error) {
	var out []backend.ListenerACL
	token := ""
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		list, next, err := b.Engine.DescribeLoadBalancerListeners(region, lbIDs, port, token, simulator.ListenersMaxResults)
		if err != nil {
			return nil, convert(err)
		}
		for _, l := range list {
			out = append(out, backend.ListenerACL{LoadBalancerID: l.LoadBalancerID, Port: l.Port, Status: l.AclStatus, Type: l.AclType, ACLID: l.AclID})
		}
		if next == "" {
			return out, nil
		}
		token = next
	}
}

func (b *Backend) ListACLs(ctx context.Context, region string) ([]backend.ACL, error) {
	var out []backend.ACL
	for page := 1; ; page++ {
		list, total, err := b.Engine.DescribeAccessControlLists(region, page, 100)
		if err != nil {
			return nil, convert(err)
		}
		for _, a := range list {
			out = append(out, backend.ACL{ID: a.ID, Name: a.Name, AddressIPVersion: a.AddressIPVersion})
		}
		if len(list) == 0 || len(out) >= total {
			return out, nil
		}
	}
}
