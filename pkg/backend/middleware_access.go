package backend

import (
	"context"
	"fmt"

	"github.com/ack-expose/ack-expose/internal/plural"
)

func (w *wrapped) APIServerLoadBalancer(ctx context.Context, clusterID string) (string, error) {
	return run(w, ctx, "DescribeClusterResources "+clusterID, func() (string, error) { return w.b.APIServerLoadBalancer(ctx, clusterID) })
}

func (w *wrapped) DescribeVPCCIDRs(ctx context.Context, region, vpcID string) ([]string, error) {
	return run(w, ctx, "DescribeVpcAttribute "+vpcID, func() ([]string, error) { return w.b.DescribeVPCCIDRs(ctx, region, vpcID) })
}

func (w *wrapped) DescribeListenerACL(ctx context.Context, region, lbID string, port int) (*ListenerACL, error) {
	name := fmt.Sprintf("DescribeLoadBalancerTCPListenerAttribute %s:%d", lbID, port)
	return run(w, ctx, name, func() (*ListenerACL, error) { return w.b.DescribeListenerACL(ctx, region, lbID, port) })
}

func (w *wrapped) SetListenerACL(ctx context.Context, region string, l ListenerACL) error {
	name := fmt.Sprintf("SetLoadBalancerTCPListenerAttribute %s:%d AclStatus=%q AclType=%q AclId=%q", l.LoadBalancerID, l.Port, l.Status, l.Type, l.ACLID)
	_, err := run(w, ctx, name, func() (struct{}, error) { return struct{}{}, w.b.SetListenerACL(ctx, region, l) })
	return err
}

func (w *wrapped) CreateACL(ctx context.Context, region, name string) (string, error) {
	return run(w, ctx, "CreateAccessControlList "+name, func() (string, error) { return w.b.CreateACL(ctx, region, name) })
}

func (w *wrapped) DescribeACL(ctx context.Context, region, aclID string) (*ACL, error) {
	return run(w, ctx, "DescribeAccessControlListAttribute "+aclID, func() (*ACL, error) { return w.b.DescribeACL(ctx, region, aclID) })
}

func (w *wrapped) AddACLEntries(ctx context.Context, region, aclID string, entries []ACLEntry) error {
	name := fmt.Sprintf("AddAccessControlListEntry %s (%s)", aclID, plural.N(len(entries), "entry", "entries"))
	_, err := run(w, ctx, name, func() (struct{}, error) { return struct{}{}, w.b.AddACLEntries(ctx, region, aclID, entries) })
	return err
}

func (w *wrapped) RemoveACLEntries(ctx context.Context, region, aclID string, entries []ACLEntry) error {
	name := fmt.Sprintf("RemoveAccessControlListEntry %s (%s)", aclID, plural.N(len(entries), "entry", "entries"))
	_, err := run(w, ctx, name, func() (struct{}, error) { return struct{}{}, w.b.RemoveACLEntries(ctx, region, aclID, entries) })
	return err
}

func (w *wrapped) ListLoadBalancers(ctx context.Context, region string) ([]LoadBalancer, error) {
	return run(w, ctx, "DescribeLoadBalancers "+region, func() ([]LoadBalancer, error) { return w.b.ListLoadBalancers(ctx, region) })
}

func (w *wrapped) ListListenerACLs(ctx context.Context, region string, lbIDs []string, port int) ([]ListenerACL, error) {
	name := fmt.Sprintf("DescribeLoadBalancerListeners %s port=%d ids=%v", region, port, lbIDs)
	return run(w, ctx, name, func() ([]ListenerACL, error) { return w.b.ListListenerACLs(ctx, region, lbIDs, port) })
}

func (w *wrapped) ListACLs(ctx context.Context, region string) ([]ACL, error) {
	return run(w, ctx, "DescribeAccessControlLists "+region, func() ([]ACL, error) { return w.b.ListACLs(ctx, region) })
}

func (w *wrapped) FindACLs(ctx context.Context, region, name string) ([]ACL, error) {
	return run(w, ctx, "DescribeAccessControlLists "+region+" AclName="+name, func() ([]ACL, error) { return w.b.FindACLs(ctx, region, name) })
}

func (w *wrapped) DeleteACL(ctx context.Context, region, aclID string) error {
	_, err := run(w, ctx, "DeleteAccessControlList "+aclID, func() (struct{}, error) { return struct{}{}, w.b.DeleteACL(ctx, region, aclID) })
	return err
}
