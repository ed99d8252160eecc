package backend

import (
	"context"
	"sync"
)

// AccessControl is what the lifecycle needs to manage who may reach the API
// server: its CLB (found through the cluster's resources), the VPC's address
// space, the API server listener's access control settings and the CLB
// access control lists. Each method is one API call.
type AccessControl interface {
	// APIServerLoadBalancer returns the ID of the cluster's API server CLB
	// (CS DescribeClusterResources, the ALIYUN::SLB::LoadBalancer entry).
	APIServerLoadBalancer(ctx context.Context, clusterID string) (string, error)
	// DescribeVPCCIDRs returns a VPC's primary and secondary IPv4 CIDR blocks (VPC DescribeVpcAttribute).
	DescribeVPCCIDRs(ctx context.Context, region, vpcID string) ([]string, error)
	// DescribeListenerACL returns the access control settings of a TCP
	// listener (SLB DescribeLoadBalancerTCPListenerAttribute).
	DescribeListenerACL(ctx context.Context, region, lbID string, port int) (*ListenerACL, error)
	// SetListenerACL changes them (SLB SetLoadBalancerTCPListenerAttribute);
	// empty fields are left as they are.
	SetListenerACL(ctx context.Context, region string, l ListenerACL) error
	// CreateACL creates an empty IPv4 ACL (SLB CreateAccessControlList).
	CreateACL(ctx context.Context, region, name string) (string, error)
	// FindACLs returns the region's ACLs named name, without their entries
	// (SLB DescribeAccessControlLists with AclName; names are unique in a region).
	FindACLs(ctx context.Context, region, name string) ([]ACL, error)
	// DeleteACL deletes an ACL that no listener uses (SLB DeleteAccessControlList).
	DeleteACL(ctx context.Context, region, aclID string) error
	// DescribeACL returns an ACL, its entries and the listeners that use it
	// (SLB DescribeAccessControlListAttribute).
	DescribeACL(ctx context.Context, region, aclID string) (*ACL, error)
	// AddACLEntries adds at most ACLEntriesPerCall entries (SLB AddAccessControlListEntry).
	AddACLEntries(ctx context.Context, region, aclID string, entries []ACLEntry) error
	// RemoveACLEntries removes at most ACLEntriesPerCall entries (SLB RemoveAccessControlListEntry).
	RemoveACLEntries(ctx context.Context, region, aclID string, entries []ACLEntry) error

	// Batch reads for the fleet audit.

	// ListLoadBalancers returns a region's CLBs (SLB DescribeLoadBalancers, page by page).
	ListLoadBalancers(ctx context.Context, region string) ([]LoadBalancer, error)
	// ListListenerACLs returns the access control of the listeners on port of
	// at most ListenerLoadBalancersPerCall CLBs (SLB DescribeLoadBalancerListeners).
	ListListenerACLs(ctx context.Context, region string, lbIDs []string, port int) ([]ListenerACL, error)
	// ListACLs returns a region's ACLs, without their entries (SLB DescribeAccessControlLists).
	ListACLs(ctx context.Context, region string) ([]ACL, error)
}

// ListenerLoadBalancersPerCall is how many CLBs one DescribeLoadBalancerListeners call takes.
const ListenerLoadBalancersPerCall = 10

// LoadBalancer is a CLB as the audit needs it: its address finds the
// cluster whose intranet endpoint it serves.
type LoadBalancer struct {
	ID      string
	Address string
	VPCID   string
}

// Limits of CLB access control lists (SLB API reference, AddAccessControlListEntry).
const (
	ACLEntriesPerCall = 50
	ACLEntriesMax     = 300
)

// ListenerACL is the access control of a CLB listener.
type ListenerACL struct {
	LoadBalancerID string
	Port           int
	// Status is "on" or "off"; Type "white" or "black".
	Status string
	Type   string
	ACLID  string
}

// ACL is a CLB access control list.
type ACL struct {
	ID               string
	Name             string
	AddressIPVersion string
	Entries          []ACLEntry
	RelatedListeners []RelatedListener
}

// ACLEntry is one entry: a CIDR block and its comment.
type ACLEntry struct {
	CIDR    string
	Comment string
}

// RelatedListener is a listener that uses an ACL.
type RelatedListener struct {
	LoadBalancerID string
	Port           int
	Protocol       string
	AclType        string
}

// AllPages reads a paged list: the first page says how many there are, the
// others are then read at the same time (at most 8 in flight).
func AllPages[T any](ctx context.Context, size int, page func(n int) ([]T, int, error)) ([]T, error) {
	first, total, err := page(1)
	if err != nil {
		return nil, err
	}
	pages := (total + size - 1) / size
	if pages <= 1 || len(first) == 0 {
		return first, nil
	}
	results := make([][]T, pages+1)
	errs := make([]error, pages+1)
	results[1] = first
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for n := 2; n <= pages; n++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			results[n], _, errs[n] = page(n)
		}()
	}
	wg.Wait()
	var out []T
	for n := 1; n <= pages; n++ {
		if errs[n] != nil {
			return nil, errs[n]
		}
		out = append(out, results[n]...)
	}
	return out, nil
}
