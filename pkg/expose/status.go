package expose

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ack-expose/ack-expose/internal/kubeserver"
	"github.com/ack-expose/ack-expose/pkg/backend"
)

// Status: where a cluster's exposure stands, from the cluster, its EIP and
// the journal.

// Status reads the exposure of a cluster: at most two API calls. What this
// machine's journal knows is added: a change still in flight (shown with the
// EIP it moves, in its transitional status) and EIPs awaiting release.
func (s *Service) Status(ctx context.Context, t Target) (*Exposure, error) {
	c, err := s.Backend.DescribeCluster(ctx, t.ClusterID)
	if err != nil {
		return nil, err
	}
	if t, err = s.reach(ctx, t, c); err != nil {
		return nil, err
	}
	var op *Record
	records := s.journalList()
	for i, r := range records {
		if r.Kind == RecordOperation && r.ClusterID == c.ID {
			op = &records[i]
		}
	}
	if !backend.IsBusy(c.State) {
		op = nil
	}
	var e *backend.EIP
	if op != nil && op.AllocationID != "" && c.PublicEndpoint == "" {
		// Associating: the endpoint does not show the EIP yet.
		list, err := s.lookupEIPs(ctx, c.RegionID, backend.EIPQuery{AllocationIDs: []string{op.AllocationID}})
		if err != nil {
			return nil, err
		}
		if len(list) > 0 {
			e = &list[0]
		}
	} else if e, err = s.currentEIP(ctx, c); err != nil {
		return nil, err
	}
	x := newExposure(c, t.Context, e)
	if t.Mismatch != nil {
		x.Mismatch = t.Mismatch.Error() + ". " + t.Mismatch.Fix()
	}
	x.ContextServer = contextServer(t, c)
	if k := t.Kube; t.Mismatch == nil && t.Context != "" && k.Reach.Err != "" {
		// No MISMATCH says it (a context not named after a cluster): the
		// name leads nowhere known, and changes on it are refused.
		x.ContextServer = fmt.Sprintf("%s (%s: where it leads is not known; changes on this context are refused until it resolves, or pass --cluster-id %s)",
			kubeserver.EndpointHost(k.Server), k.Reach.Err, c.ID)
	}
	x.Unconfirmed = s.unconfirmed(c, records)
	x.AccessControl = s.AccessStatus(ctx, c, time.Now())
	if op != nil {
		x.InProgress = &InProgress{Action: op.Action, TaskID: op.TaskID, AllocationID: op.AllocationID, IPAddress: op.IPAddress}
		task := ""
		if op.TaskID != "" {
			task = ", task " + op.TaskID
		}
		x.Reason = fmt.Sprintf("cluster is %s: the %s started by ack-expose is in progress (EIP %s%s); wait until it is done and the cluster is running again", c.State, op.Action, op.AllocationID, task)
		if op.Action.IsSANs() {
			x.Reason = fmt.Sprintf("cluster is %s: the %s started by ack-expose is in progress (the API server restarts%s); wait until it is done and the cluster is running again", c.State, op.Action, task)
		}
	}
	x.AwaitingRelease = s.notBound(ctx, c, op, s.awaitingRelease(c, e, records...))
	return x, nil
}

// notBound drops from ids the EIPs that are bound or being bound: the one
// the operation record of a change in flight associates with cluster c, and
// any found InUse or Associating (one lookup), such as the old EIP of an
// interrupted `change --release` that VPC still shows in use. Only an EIP
// that is free, or being freed (Unassociating: cleanup releases it once
// Available), awaits release; after the change, status tells again.
func (s *Service) notBound(ctx context.Context, c *backend.Cluster, op *Record, ids []string) []string {
	var rest, lookup []string
	for _, id := range ids {
		switch {
		case op != nil && id == op.AllocationID && op.Action != "disassociate":
		case strings.HasPrefix(id, "eip-"):
			lookup = append(lookup, id)
			rest = append(rest, id)
		default:
			rest = append(rest, id)
		}
	}
	if len(lookup) == 0 {
		return rest
	}
	list, err := s.lookupEIPs(ctx, c.RegionID, backend.EIPQuery{AllocationIDs: lookup})
	if err != nil {
		return rest
	}
	bound := map[string]bool{}
	for _, e := range list {
		if e.Status == backend.EIPAssociating || e.Status == backend.EIPInUse {
			bound[e.AllocationID] = true
		}
	}
	out := rest[:0]
	for _, id := range rest {
		if !bound[id] {
			out = append(out, id)
		}
	}
	return out
}

// awaitingRelease lists the EIPs of cluster c that the journal says await
// release (current is the EIP the cluster uses now, never listed); records
// are read from the journal when not given.
func (s *Service) awaitingRelease(c *backend.Cluster, current *backend.EIP, records ...Record) []string {
	if records == nil {
		records = s.journalList()
	}
	var out []string
	for _, r := range records {
		if r.RegionID != c.RegionID || r.ClusterID != c.ID || r.Kind == RecordOperation || r.Kind == RecordUnconfirmed || (s.Journal != nil && s.Journal.Owned(r)) {
			continue
		}
		if current != nil && r.AllocationID == current.AllocationID && r.Kind == RecordAllocated {
			continue // in use by this cluster now
		}
		id := r.AllocationID
		if id == "" {
			id = "an EIP allocated with client token " + r.ClientToken
		}
		out = append(out, id)
	}
	return out
}

// currentEIP finds the EIP behind the cluster's public endpoint, if any.
func (s *Service) currentEIP(ctx context.Context, c *backend.Cluster) (*backend.EIP, error) {
	if c.PublicEndpoint == "" {
		return nil, nil
	}
	list, err := s.lookupEIPs(ctx, c.RegionID, backend.EIPQuery{IPAddresses: []string{kubeserver.EndpointHost(c.PublicEndpoint)}})
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, nil
	}
	s.associationSeen(c, list[0])
	return &list[0], nil
}

// associationSeen forgets the journal's records (allocated or to release)
// of an EIP once a running cluster, any cluster, serves through it: whatever
// the record said is over (the association is confirmed, e.g. after
// --wait=false, or the user bound that EIP again), and cleanup must not
// release an EIP the user later kept (disassociate without --release).
func (s *Service) associationSeen(c *backend.Cluster, e backend.EIP) {
	if c.State != backend.StateRunning {
		return
	}
	s.forgetEIP(e.AllocationID)
}

// forgetEIP drops the allocated and release records of an EIP.
func (s *Service) forgetEIP(id string) {
	for _, r := range s.journalList() {
		if (r.Kind == RecordAllocated || r.Kind == RecordRelease) && r.AllocationID == id && id != "" {
			s.journalForget(r)
		}
	}
}
