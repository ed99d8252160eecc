package expose

import (
	"context"
	"sort"
	"sync"

	"github.com/ack-expose/ack-expose/internal/cloudenum"
	"github.com/ack-expose/ack-expose/internal/kubeserver"
	"github.com/ack-expose/ack-expose/pkg/backend"
	"github.com/ack-expose/ack-expose/pkg/errdefs"
)

// auditAccess reads the allow lists of many clusters in a bounded number of
// calls: per region, the CLBs page by page (the API server's CLB is the one
// whose address is the cluster's intranet endpoint), the API server
// listeners of ListenerLoadBalancersPerCall CLBs per call, and the ACL names
// page by page. The cloud has no batch read of ACL entries: the audit reads
// those of public endpoints' whitelists afterwards, one call each
// (readWhitelists), to tell whether they admit everyone, and leaves entries
// and sharedWithListeners null; `status` shows them.
func (s *Service) auditAccess(ctx context.Context, clusters []*backend.Cluster) map[string]*AccessControl {
	out := map[string]*AccessControl{}
	byRegion := map[string][]*backend.Cluster{}
	for _, c := range clusters {
		if c != nil && hasAccessControl(c) && out[c.ID] == nil {
			out[c.ID] = &AccessControl{}
			byRegion[c.RegionID] = append(byRegion[c.RegionID], c)
		}
	}
	regions := make([]string, 0, len(byRegion))
	for r := range byRegion {
		regions = append(regions, r)
	}
	sort.Strings(regions)
	// Regions are independent, and each writes only its clusters' entries
	// (through the pointers made above): read them at the same time.
	var wg sync.WaitGroup
	for _, r := range regions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.auditRegionAccess(ctx, r, byRegion[r], out)
		}()
	}
	wg.Wait()
	for _, a := range out {
		a.setOpen() // open when off or a blacklist; a whitelist's entries are read after
	}
	return out
}

// auditParallel is how many listener reads the audit has in flight.
const auditParallel = 10

// listenersPerPage is the MaxResults of a DescribeLoadBalancerListeners page.
const listenersPerPage = 100

// auditRegionAccess reads the allow lists of one region's clusters into out:
// their CLBs, then the API server listeners, then the lists' names (read
// meanwhile). A cloud error makes every cluster of the region unknown.
func (s *Service) auditRegionAccess(ctx context.Context, region string, clusters []*backend.Cluster, out map[string]*AccessControl) {
	// The ACL names are wanted for any list that is on: read them meanwhile.
	type aclResult struct {
		acls []backend.ACL
		err  error
	}
	aclDone := make(chan aclResult, 1)
	go func() {
		acls, err := s.Backend.ListACLs(ctx, region)
		aclDone <- aclResult{acls, err}
	}()
	defer func() { <-aclDone }()
	lbs, err := s.Backend.ListLoadBalancers(ctx, region)
	if err != nil {
		failRegion(clusters, out, err)
		return
	}
	clusterOf := apiServerLoadBalancers(region, clusters, lbs, out)
	listeners, err := s.apiServerListeners(ctx, region, clusterOf, len(lbs))
	if err != nil {
		failRegion(clusters, out, err)
		return
	}
	named := false
	for _, l := range listeners {
		a := out[clusterOf[l.LoadBalancerID].ID]
		a.Enabled, a.Type, a.AclID = l.Status == cloudenum.ACLOn, l.Type, l.ACLID
		named = named || l.ACLID != ""
	}
	r := <-aclDone
	aclDone <- r // for the deferred receive
	if !named {
		return
	}
	if r.err != nil {
		// The states are known; the names are not, and say so (exit 1).
		for _, c := range clusters {
			if a := out[c.ID]; a.AclID != "" && a.Error == "" {
				a.AclNameError = "the list's name could not be read: " + errdefs.FirstLine(r.err)
			}
		}
		return
	}
	names := map[string]string{}
	for _, a := range r.acls {
		names[a.ID] = a.Name
	}
	for _, c := range clusters {
		if a := out[c.ID]; a.AclID != "" {
			a.AclName = names[a.AclID]
		}
	}
}

// failRegion makes the access control of the region's clusters unknown.
func failRegion(clusters []*backend.Cluster, out map[string]*AccessControl, err error) {
	for _, c := range clusters {
		if a := out[c.ID]; a.Error == "" {
			*a = AccessControl{Error: errdefs.FirstLine(err), LoadBalancerID: a.LoadBalancerID}
		}
	}
}

// apiServerLoadBalancers finds each cluster's API server CLB among the
// region's (the one whose address is the intranet endpoint's, in the
// cluster's VPC), records it in out, and returns the cluster of each CLB.
func apiServerLoadBalancers(region string, clusters []*backend.Cluster, lbs []backend.LoadBalancer, out map[string]*AccessControl) map[string]*backend.Cluster {
	byAddress := map[string][]backend.LoadBalancer{}
	for _, lb := range lbs {
		byAddress[lb.Address] = append(byAddress[lb.Address], lb)
	}
	clusterOf := map[string]*backend.Cluster{}
	for _, c := range clusters {
		host := kubeserver.EndpointHost(c.IntranetEndpoint)
		for _, lb := range byAddress[host] {
			if c.VPCID == "" || lb.VPCID == "" || lb.VPCID == c.VPCID {
				out[c.ID].LoadBalancerID = lb.ID
				clusterOf[lb.ID] = c
				break
			}
		}
		if out[c.ID].LoadBalancerID == "" {
			out[c.ID].Error = "no CLB of region " + region + " has the intranet endpoint's address " + host
		}
	}
	return clusterOf
}

// apiServerListeners reads the API server listeners of the CLBs of
// clusterOf: ListenerLoadBalancersPerCall CLBs a call, auditParallel calls
// at a time; or, when the region's listeners page by page (listenersPerPage
// a call, no CLB named) take fewer calls, one region-wide listing. It
// returns the listeners on the API server port of those CLBs only.
func (s *Service) apiServerListeners(ctx context.Context, region string, clusterOf map[string]*backend.Cluster, regionLBs int) ([]backend.ListenerACL, error) {
	ids := make([]string, 0, len(clusterOf))
	for id := range clusterOf {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var batches [][]string
	for lo := 0; lo < len(ids); lo += backend.ListenerLoadBalancersPerCall {
		batches = append(batches, ids[lo:min(lo+backend.ListenerLoadBalancersPerCall, len(ids))])
	}
	if pages := (regionLBs + listenersPerPage - 1) / listenersPerPage; pages < len(batches) {
		batches = [][]string{nil} // nil: every CLB of the region
	}
	results := make([][]backend.ListenerACL, len(batches))
	errs := make([]error, len(batches))
	var wg sync.WaitGroup
	sem := make(chan struct{}, auditParallel)
	for i, batch := range batches {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			results[i], errs[i] = s.Backend.ListListenerACLs(ctx, region, batch, APIServerPort)
		}()
	}
	wg.Wait()
	var out []backend.ListenerACL
	for i := range batches {
		if errs[i] != nil {
			return nil, errs[i]
		}
		for _, l := range results[i] {
			if clusterOf[l.LoadBalancerID] != nil && l.Port == APIServerPort {
				out = append(out, l)
			}
		}
	}
	return out, nil
}
