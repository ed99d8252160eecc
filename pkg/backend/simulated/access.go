package simulated

import (
	"context"
	"strings"

	"github.com/ack-expose/ack-expose/pkg/backend"
	"github.com/ack-expose/ack-expose/pkg/errdefs"
	"github.com/ack-expose/ack-expose/simulator"
)

func (b *Backend) APIServerLoadBalancer(ctx context.Context, clusterID string) (string, error) {
	list, err := do(ctx, func() ([]simulator.ClusterResource, error) { return b.Engine.DescribeClusterResources(clusterID) })
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
	v, err := do(ctx, func() (simulator.VPC, error) { return b.Engine.DescribeVpcAttribute(region, vpcID) })
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
	l, err := do(ctx, func() (simulator.ListenerView, error) {
		return b.Engine.DescribeLoadBalancerTCPListenerAttribute(region, lbID, port)
	})
	if err != nil {
		return nil, convert(err)
	}
	return &backend.ListenerACL{LoadBalancerID: l.LoadBalancerID, Port: l.Port, Status: l.AclStatus, Type: l.AclType, ACLID: l.AclID}, nil
}

func (b *Backend) SetListenerACL(ctx context.Context, region string, l backend.ListenerACL) error {
	return convert(doErr(ctx, func() error {
		return b.Engine.SetLoadBalancerTCPListenerAttribute(simulator.ListenerACLRequest{RegionID: region,
			LoadBalancerID: l.LoadBalancerID, Port: l.Port, AclStatus: l.Status, AclType: l.Type, AclID: l.ACLID})
	}))
}

func (b *Backend) CreateACL(ctx context.Context, region, name string) (string, error) {
	id, err := do(ctx, func() (string, error) { return b.Engine.CreateAccessControlList(region, name, "ipv4") })
	return id, convert(err)
}

// FindACLs is DescribeAccessControlLists with AclName, keeping the exact matches.
func (b *Backend) FindACLs(ctx context.Context, region, name string) ([]backend.ACL, error) {
	var out []backend.ACL
	seen := 0
	for page := 1; ; page++ {
		var total int
		list, err := do(ctx, func() (l []simulator.ACL, err error) {
			l, total, err = b.Engine.DescribeAccessControlLists(region, name, page, 50)
			return l, err
		})
		if err != nil {
			return nil, convert(err)
		}
		seen += len(list)
		for _, a := range list {
			if a.Name == name {
				out = append(out, backend.ACL{ID: a.ID, Name: a.Name, AddressIPVersion: a.AddressIPVersion})
			}
		}
		if len(list) == 0 || seen >= total {
			return out, nil
		}
	}
}

// DeleteACL is DeleteAccessControlList.
func (b *Backend) DeleteACL(ctx context.Context, region, aclID string) error {
	return convert(doErr(ctx, func() error { return b.Engine.DeleteAccessControlList(region, aclID) }))
}

func (b *Backend) DescribeACL(ctx context.Context, region, aclID string) (*backend.ACL, error) {
	var out *backend.ACL
	var a simulator.ACLView
	for page := 1; ; page++ {
		var total int
		v, err := do(ctx, func() (v simulator.ACLView, err error) {
			v, total, err = b.Engine.DescribeAccessControlListAttribute(region, aclID, page, simulator.ACLEntriesPageMax)
			return v, err
		})
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

// doErr is do for calls that return only an error.
func doErr(ctx context.Context, call func() error) error {
	_, err := do(ctx, func() (struct{}, error) { return struct{}{}, call() })
	return err
}

func entries(in []backend.ACLEntry) []simulator.ACLEntry {
	out := make([]simulator.ACLEntry, 0, len(in))
	for _, e := range in {
		out = append(out, simulator.ACLEntry{Entry: e.CIDR, Comment: e.Comment})
	}
	return out
}

func (b *Backend) AddACLEntries(ctx context.Context, region, aclID string, e []backend.ACLEntry) error {
	return convert(doErr(ctx, func() error { return b.Engine.AddAccessControlListEntry(region, aclID, entries(e)) }))
}

func (b *Backend) RemoveACLEntries(ctx context.Context, region, aclID string, e []backend.ACLEntry) error {
	return convert(doErr(ctx, func() error { return b.Engine.RemoveAccessControlListEntry(region, aclID, entries(e)) }))
}

func (b *Backend) ListLoadBalancers(ctx context.Context, region string) ([]backend.LoadBalancer, error) {
	page := func(n int) ([]backend.LoadBalancer, int, error) {
		var total int
		list, err := do(ctx, func() (l []simulator.LoadBalancer, err error) {
			l, total, err = b.Engine.DescribeLoadBalancers(region, n, 100)
			return l, err
		})
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
		var next string
		list, err := do(ctx, func() (l []simulator.ListenerView, err error) {
			l, next, err = b.Engine.DescribeLoadBalancerListeners(region, lbIDs, port, token, simulator.ListenersMaxResults)
			return l, err
		})
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
		var total int
		list, err := do(ctx, func() (l []simulator.ACL, err error) {
			l, total, err = b.Engine.DescribeAccessControlLists(region, "", page, 100)
			return l, err
		})
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
