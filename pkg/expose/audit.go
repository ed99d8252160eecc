package expose

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/ack-expose/ack-expose/internal/kubeserver"
	"github.com/ack-expose/ack-expose/pkg/backend"
)

// ExposureList is the result of the audit: one item per kubeconfig context.
type ExposureList struct {
	TypeMeta
	Items []AuditItem `json:"items"`
	// Policy is the gate's outcome (status --fail-if).
	Policy *PolicyResult `json:"policy,omitempty"`
	// acls are the allow lists read so far (readWhitelists), each once.
	acls map[aclKey]aclRead
	// reaches are, for AuditClusters, the cluster ID each context given
	// reaches in the account, whether or not its row names that context
	// (a cluster's row names the first).
	reaches map[string]string
}

// AuditItem is the exposure of one context's cluster, or why there is none.
type AuditItem struct {
	Exposure `json:",inline"`
	Context  string `json:"context"`
	Error    string `json:"error"`
	// CloudError is set when the error came from the cloud (it fails the audit).
	CloudError bool `json:"-"`
	// Violations are the --fail-if rules this row breaks, each with why.
	Violations []string `json:"violations,omitempty"`
	// Unjudged are the --fail-if rules the gate could not judge for this
	// row (what it had to read could not be read), each with why.
	Unjudged []string `json:"unjudged,omitempty"`
	// Account and CredentialsProfile say which account, read with which
	// profile, the row comes from (the multi-account audit).
	Account            string `json:"account,omitempty"`
	CredentialsProfile string `json:"credentialsProfile,omitempty"`
	// svc is the service that read the row (its account's credentials).
	svc *Service
}

// eipBatch is the most addresses DescribeEipAddresses takes in one call.
const eipBatch = 50

// Audit reports the exposure of the cluster of every context. It batches: the
// clusters are listed page by page (DescribeClustersV1) and their EIPs looked
// up eipBatch addresses per call, so hundreds of contexts cost a handful of
// calls. A context that is not an ACK cluster is listed with the reason; a
// cloud error is listed on the contexts it concerns, without aborting the rest.
func (s *Service) Audit(ctx context.Context, contexts []kubeserver.Context) (*ExposureList, int, error) {
	list := &ExposureList{TypeMeta: TypeMeta{APIVersion: APIVersion, Kind: "APIServerExposureList"}, Items: []AuditItem{}}
	clusters, err := s.Backend.ListClusters(ctx, "")
	if err != nil {
		return nil, 0, err
	}
	index := newClusterIndex(clusters)
	byID := index.byID
	// Resolve each context with the rules of every command (resolve, reach),
	// over this listing: no more calls.
	listed := func(context.Context) (*clusterIndex, error) { return index, nil }
	found := make([]*backend.Cluster, len(contexts))
	reached := make([]string, len(contexts))
	for i, kc := range contexts {
		item := AuditItem{Context: kc.Name}
		t, err := resolve(ctx, "", kc, listed)
		switch re, ok := err.(*resolveError); {
		case ok:
			item.Error = re.short
		case err != nil:
			item.Error = err.Error()
		case byID[t.ClusterID] == nil:
			item.Error = fmt.Sprintf("cluster %s is not in the account (deleted, or another account's credentials are needed)", t.ClusterID)
		default:
			found[i] = byID[t.ClusterID]
			if t, err = reach(ctx, t, found[i], listed); err != nil {
				return nil, 0, err
			}
			reached[i] = t.Context
			if t.Mismatch != nil {
				item.Error = t.Mismatch.Error()
			}
		}
		list.Items = append(list.Items, item)
	}
	failed := s.fillAudit(ctx, list, found, reached)
	return list, failed, nil
}

// AuditClusters reports the exposure of every cluster of the account, in
// every region, whether or not a context reaches it: one row per cluster,
// with the context of contexts that reaches it, if any. Same batching.
func (s *Service) AuditClusters(ctx context.Context, contexts []kubeserver.Context) (*ExposureList, int, error) {
	list := &ExposureList{TypeMeta: TypeMeta{APIVersion: APIVersion, Kind: "APIServerExposureList"}, Items: []AuditItem{}}
	clusters, err := s.Backend.ListClusters(ctx, "")
	if err != nil {
		return nil, 0, err
	}
	index := newClusterIndex(clusters)
	listed := func(context.Context) (*clusterIndex, error) { return index, nil }
	contextOf := map[string]string{}
	list.reaches = map[string]string{}
	for _, kc := range contexts {
		t, err := resolve(ctx, "", kc, listed)
		if err != nil || index.byID[t.ClusterID] == nil {
			continue
		}
		if t, err = reach(ctx, t, index.byID[t.ClusterID], listed); err == nil && t.Context != "" {
			list.reaches[t.Context] = t.ClusterID
			if contextOf[t.ClusterID] == "" {
				contextOf[t.ClusterID] = t.Context
			}
		}
	}
	sort.Slice(clusters, func(i, j int) bool {
		if clusters[i].RegionID != clusters[j].RegionID {
			return clusters[i].RegionID < clusters[j].RegionID
		}
		return clusters[i].Name < clusters[j].Name
	})
	found := make([]*backend.Cluster, len(clusters))
	reached := make([]string, len(clusters))
	for i := range clusters {
		found[i], reached[i] = &clusters[i], contextOf[clusters[i].ID]
		list.Items = append(list.Items, AuditItem{Context: reached[i]})
	}
	failed := s.fillAudit(ctx, list, found, reached)
	return list, failed, nil
}

// fillAudit fills the rows of the clusters found: their EIPs, region by
// region, eipBatch addresses per call, and their allow lists meanwhile. It
// returns how many rows a cloud error left unread.
func (s *Service) fillAudit(ctx context.Context, list *ExposureList, found []*backend.Cluster, reached []string) int {
	// The allow lists are read meanwhile (audit_access.go).
	accessDone := make(chan map[string]*AccessControl, 1)
	go func() { accessDone <- s.auditAccess(ctx, found) }()
	// Look the EIPs up, region by region, eipBatch addresses per call.
	byRegion := map[string][]string{}
	seen := map[string]bool{}
	for _, c := range found {
		if c == nil || c.PublicEndpoint == "" {
			continue
		}
		ip := kubeserver.EndpointHost(c.PublicEndpoint)
		if !seen[c.RegionID+"/"+ip] {
			seen[c.RegionID+"/"+ip] = true
			byRegion[c.RegionID] = append(byRegion[c.RegionID], ip)
		}
	}
	regions := make([]string, 0, len(byRegion))
	for r := range byRegion {
		regions = append(regions, r)
	}
	sort.Strings(regions)
	eips := map[string]*backend.EIP{}
	regionErr := map[string]error{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, r := range regions {
		// Regions at the same time; a region's batches one after another.
		wg.Add(1)
		go func() {
			defer wg.Done()
			ips := byRegion[r]
			for lo := 0; lo < len(ips); lo += eipBatch {
				batch := ips[lo:min(lo+eipBatch, len(ips))]
				got, err := s.lookupEIPs(ctx, r, backend.EIPQuery{IPAddresses: batch})
				mu.Lock()
				if err != nil {
					regionErr[r] = err
					mu.Unlock()
					return
				}
				for i := range got {
					eips[r+"/"+got[i].IPAddress] = &got[i]
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	access := <-accessDone
	failed := 0
	for i, c := range found {
		if c == nil {
			continue
		}
		var e *backend.EIP
		if c.PublicEndpoint != "" {
			if err := regionErr[c.RegionID]; err != nil {
				list.Items[i].Error, list.Items[i].CloudError = "looking up the EIP: "+err.Error(), true
			}
			e = eips[c.RegionID+"/"+kubeserver.EndpointHost(c.PublicEndpoint)]
		}
		x := newExposure(c, reached[i], e)
		x.AccessControl = access[c.ID]
		list.Items[i].Exposure = *x
		list.Items[i].Exposure.TypeMeta = TypeMeta{}
		list.Items[i].svc = s
	}
	// Open is open: a whitelist of a public endpoint whose entries admit
	// every address is "anyone", which only its entries tell.
	s.readWhitelists(ctx, list, false)
	for i := range list.Items {
		if list.Items[i].unread() {
			failed++
		}
	}
	return failed
}

// unread says whether a cloud error left part of the row unknown (the
// cluster's EIP or who may connect): the audit then fails (exit 1).
func (it *AuditItem) unread() bool {
	return it.CloudError || it.AccessControl != nil && (it.AccessControl.Error != "" || it.AccessControl.AclNameError != "")
}

func endpointsOf(c *backend.Cluster) string {
	if c.PublicEndpoint == "" {
		return c.IntranetEndpoint + " (intranet) and no public one"
	}
	return c.IntranetEndpoint + " (intranet) and " + c.PublicEndpoint + " (public)"
}
