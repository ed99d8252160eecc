package expose

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ack-expose/ack-expose/pkg/backend"
	"github.com/ack-expose/ack-expose/pkg/errdefs"
)

// CleanupResult is what `cleanup` found and did in one region.
type CleanupResult struct {
	TypeMeta
	RegionID string        `json:"regionId"`
	DryRun   bool          `json:"dryRun"`
	Items    []CleanupItem `json:"items"`
}

// CleanupAction is what cleanup did with an EIP.
type CleanupAction string

const (
	CleanupReleased     CleanupAction = "released"
	CleanupWouldRelease CleanupAction = "would release" // dry run
	CleanupKept         CleanupAction = "kept"          // in use or not releasable: forgotten
	CleanupGone         CleanupAction = "gone"          // already released
	CleanupSkipped      CleanupAction = "skipped"       // another ack-expose is at work on it
	CleanupFailed       CleanupAction = "failed"
)

// CleanupItem is one EIP the journal named.
type CleanupItem struct {
	AllocationID string `json:"allocationId"`
	IPAddress    string `json:"ipAddress"`
	ClusterID    string `json:"clusterId"`
	// Reason is why it is listed: "allocated and never associated" or
	// "asked to release".
	Reason string `json:"reason"`
	// Status is the EIP's status when it was checked ("" when it is gone).
	Status string `json:"status"`
	// Action is what cleanup did.
	Action CleanupAction `json:"action"`
	Note   string        `json:"note,omitempty"`
}

// Cleanup releases, in the region of the cluster t names, the EIPs that ack-expose allocated and never
// associated, or was asked to release, once they are Available (pay-as-you-go
// only); an EIP in use is never released, and is forgotten. It waits while an
// EIP is Associating or Unassociating (an operation still in flight), until
// ctx ends. A dry run changes nothing, in the cloud or the journal.
func (s *Service) Cleanup(ctx context.Context, t Target, dryRun bool) (*CleanupResult, error) {
	defer s.progressDone()
	c, err := s.Backend.DescribeCluster(ctx, t.ClusterID)
	if err != nil {
		return nil, err
	}
	if !dryRun {
		// Releases act on the region of the cluster the context names: a
		// context that reaches another cluster is refused, as by every
		// command that changes things.
		if _, err := s.mustReach(ctx, t, c); err != nil {
			return nil, err
		}
	}
	region := c.RegionID
	res := &CleanupResult{TypeMeta: TypeMeta{APIVersion: APIVersion, Kind: "EIPCleanup"}, RegionID: region, DryRun: dryRun, Items: []CleanupItem{}}
	if s.Journal == nil {
		return res, nil
	}
	records, err := s.Journal.List()
	if err != nil {
		return nil, err
	}
	var mine []Record
	var forget []Record
	for _, r := range records {
		if r.RegionID != region || r.Kind == RecordUnconfirmed {
			continue // an unconfirmed change is the user's to judge: status tells
		}
		if r.Kind == RecordOperation {
			// An operation record only informs status; it ends with its cluster's wait.
			if !s.Journal.Owned(r) {
				// Forgotten once the cluster is no longer busy, or gone; a
				// failed read (throttling, a network error) keeps it.
				c, err := s.Backend.DescribeCluster(ctx, r.ClusterID)
				if (err == nil && !backend.IsBusy(c.State)) || errdefs.KindOf(err) == errdefs.KindNotFound {
					forget = append(forget, r)
				}
			}
			continue
		}
		if s.Journal.Owned(r) {
			res.Items = append(res.Items, CleanupItem{AllocationID: r.AllocationID, IPAddress: r.IPAddress, ClusterID: r.ClusterID,
				Reason: reasonOf(r), Action: CleanupSkipped, Note: fmt.Sprintf("another ack-expose (process %d) is at work on it", r.PID)})
			continue
		}
		mine = append(mine, r)
	}
	// Allocations whose answer was lost: find their EIPs by the client token
	// in the description ack-expose gave them.
	var tokens []Record
	for _, r := range mine {
		if r.AllocationID == "" {
			tokens = append(tokens, r)
		}
	}
	if len(tokens) > 0 {
		all, err := s.lookupEIPs(ctx, region, backend.EIPQuery{})
		if err != nil {
			return nil, err
		}
		for i, r := range mine {
			if r.AllocationID != "" {
				continue
			}
			for _, e := range all {
				if strings.Contains(e.Description, "client token "+r.ClientToken) {
					mine[i].AllocationID, mine[i].IPAddress = e.AllocationID, e.IPAddress
				}
			}
			if mine[i].AllocationID == "" {
				forget = append(forget, r)
			}
		}
	}
	var failed []string
	for _, r := range mine {
		if r.AllocationID == "" {
			continue // no EIP was allocated: nothing to release
		}
		it := CleanupItem{AllocationID: r.AllocationID, IPAddress: r.IPAddress, ClusterID: r.ClusterID, Reason: reasonOf(r)}
		rec := r
		if rec.ClientToken != "" {
			rec.AllocationID = "" // its key in the journal
		}
		e, err := s.settledEIP(ctx, region, r.AllocationID)
		switch {
		case err != nil:
			it.Action, it.Note = CleanupFailed, cleanupNote(ctx, err)
			failed = append(failed, r.AllocationID)
		case e == nil || e.Status == backend.EIPReleasing:
			it.Action, it.Note = CleanupGone, "already released"
			if e != nil {
				it.Status = e.Status
			}
			forget = append(forget, rec)
		case e.Status != backend.EIPAvailable:
			it.Status, it.Action = e.Status, CleanupKept
			it.Note = fmt.Sprintf("in use by %s %s: never released while associated; forgotten", e.InstanceType, e.InstanceID)
			forget = append(forget, rec)
		case !describes(rec, e):
			it.Status, it.Action = e.Status, CleanupKept
			it.Note = "its description no longer says ack-expose allocated it for this cluster: never released; forgotten"
			forget = append(forget, rec)
		case e.ChargeType == "PrePaid":
			it.Status, it.Action, it.Note = e.Status, CleanupKept, "a subscription (PrePaid) EIP cannot be released; forgotten"
			forget = append(forget, rec)
		case dryRun:
			it.Status, it.Action, it.IPAddress = e.Status, CleanupWouldRelease, e.IPAddress
		default:
			it.Status, it.IPAddress = e.Status, e.IPAddress
			if err := s.Backend.ReleaseEIP(ctx, region, r.AllocationID); err != nil {
				if gone, _ := s.eipGone(ctx, region, r.AllocationID); !gone {
					it.Action, it.Note = CleanupFailed, cleanupNote(ctx, err)
					failed = append(failed, r.AllocationID)
					break
				}
			}
			it.Action = CleanupReleased
			forget = append(forget, rec)
		}
		res.Items = append(res.Items, it)
	}
	if !dryRun {
		s.journalForget(forget...)
	}
	if len(failed) > 0 {
		return res, errdefs.Errorf(errdefs.KindInternal, "%d EIP(s) could not be released: %s; they stay recorded: run `kubectl ack-expose cleanup` again", len(failed), strings.Join(failed, ", "))
	}
	if ctx.Err() != nil {
		return res, ctx.Err()
	}
	return res, nil
}

func reasonOf(r Record) string {
	if r.Kind == RecordRelease {
		return "asked to release"
	}
	return "allocated by ack-expose and never associated"
}

// describes reports whether the EIP is still what the record says: one
// ack-expose allocated for the record's cluster (allocated records), or not
// one it allocated for another cluster (release records).
func describes(r Record, e *backend.EIP) bool {
	id, ok := allocatedFor(e.Description)
	if r.Kind == RecordAllocated {
		return ok && id == r.ClusterID
	}
	return !ok || id == r.ClusterID
}

// cleanupNote says why an EIP was not released, in the user's words when
// the run itself was stopped.
func cleanupNote(ctx context.Context, err error) string {
	switch {
	case errors.Is(ctx.Err(), context.Canceled):
		return "interrupted before it was released: still recorded"
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return "--timeout ran out before it was released: still recorded"
	}
	return errdefs.FirstLine(err)
}
