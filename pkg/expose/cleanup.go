package expose

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ack-expose/ack-expose/internal/cloudenum"
	"github.com/ack-expose/ack-expose/internal/kubeserver"
	"github.com/ack-expose/ack-expose/internal/plural"
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
//
// It then looks in the cloud for the EIPs ack-expose marked (name
// ack-expose-<cluster>, description "allocated by ack-expose for cluster
// ..."), whatever machine allocated them: those of cluster t's are listed,
// and kept (one kept by `disassociate` without --release looks the same);
// CleanupRegion releases them.
func (s *Service) Cleanup(ctx context.Context, t Target, dryRun bool) (*CleanupResult, error) {
	defer s.progressDone()
	c, err := s.Backend.DescribeCluster(ctx, t.ClusterID)
	if err != nil {
		return nil, err
	}
	// Releases act on the region of the cluster the context names: a
	// context that reaches another cluster is refused, as by every command
	// that changes things, dry run or not (associate --dry-run too): a dry
	// run that passes must foretell the real run.
	if _, err := s.mustReach(ctx, t, c); err != nil {
		return nil, err
	}
	return s.cleanup(ctx, c.RegionID, c.ID, dryRun)
}

// CleanupRegion is Cleanup for a whole region, without a cluster: every
// record of the journal in the region, and every EIP ack-expose marked
// there, for any cluster, deleted ones included.
func (s *Service) CleanupRegion(ctx context.Context, region string, dryRun bool) (*CleanupResult, error) {
	defer s.progressDone()
	return s.cleanup(ctx, region, "", dryRun)
}

// cleanup works in one region; cluster, when set, limits the EIPs found in
// the cloud to that cluster's.
func (s *Service) cleanup(ctx context.Context, region, cluster string, dryRun bool) (*CleanupResult, error) {
	res := &CleanupResult{TypeMeta: TypeMeta{APIVersion: APIVersion, Kind: "EIPCleanup"}, RegionID: region, DryRun: dryRun, Items: []CleanupItem{}}
	mine, forget, unsure, err := s.cleanupRecords(ctx, region, res)
	if err != nil {
		return nil, err
	}
	// One listing of the region's EIPs serves the lost allocations and the
	// EIPs marked in the cloud.
	all, err := s.lookupEIPs(ctx, region, backend.EIPQuery{})
	if err != nil {
		return nil, err
	}
	forget = append(forget, findLostAllocations(mine, all)...)
	var failed []string
	for _, r := range mine {
		if r.AllocationID == "" {
			continue // no EIP was allocated: nothing to release
		}
		it, done := s.cleanupRecorded(ctx, region, r, dryRun, &failed)
		if done != nil {
			forget = append(forget, *done)
		}
		res.Items = append(res.Items, it)
	}
	handled := map[string]bool{}
	for _, it := range res.Items {
		handled[it.AllocationID] = true
	}
	markedFailed, sweepErr := s.cleanupMarked(ctx, region, cluster, all, handled, dryRun, res)
	sweepErr = errors.Join(unsure, sweepErr) // what is left unknown, either way
	failed = append(failed, markedFailed...)
	if !dryRun {
		s.journalForget(forget...)
	}
	if len(failed) > 0 {
		also := ""
		if sweepErr != nil { // said too: the sweep's failure is not "nothing else"
			also = "; and " + sweepErr.Error()
		}
		return res, errdefs.Errorf(errdefs.KindInternal, "%s could not be released: %s; %s recorded: run `kubectl ack-expose cleanup` again%s", plural.N(len(failed), "EIP", "EIPs"), strings.Join(failed, ", "), plural.Word(len(failed), "it stays", "they stay"), also)
	}
	if sweepErr != nil {
		// Unknown is not "nothing to clean up": the sweep's failure is the
		// run's (exit 1).
		return res, sweepErr
	}
	if ctx.Err() != nil {
		return res, ctx.Err()
	}
	return res, nil
}

// cleanupRecords sorts the journal's records of the region: mine, the
// allocations to release; forget, the operation records that are over.
// A record another ack-expose is at work on gets a skipped item in res.
// unsure says how many records were left because whose credentials these
// are could not be told: unknown, not "nothing to clean up".
func (s *Service) cleanupRecords(ctx context.Context, region string, res *CleanupResult) (mine, forget []Record, unsure, err error) {
	var records []Record
	if s.Journal != nil {
		if records, err = s.Journal.List(); err != nil {
			return nil, nil, nil, err
		}
	}
	caller, callerErr, asked, unknown := "", error(nil), false, 0
	for _, r := range records {
		if r.RegionID != region || r.Kind == RecordUnconfirmed {
			continue // an unconfirmed change is the user's to judge: status tells
		}
		if r.AccountID != "" {
			// Another account's record: its EIP and cluster are not
			// these credentials' to read (a namesake at most), so it is
			// neither released nor forgotten here.
			if !asked {
				asked = true
				if s.Account == nil {
					callerErr = errors.New("no way to ask")
				} else {
					caller, callerErr = s.Account(ctx)
				}
			}
			if callerErr != nil || caller != r.AccountID {
				if callerErr != nil && r.Kind != RecordOperation {
					unknown++
				}
				if r.Kind != RecordOperation {
					res.Items = append(res.Items, CleanupItem{AllocationID: r.AllocationID, IPAddress: r.IPAddress, ClusterID: r.ClusterID,
						Reason: reasonOf(r), Action: CleanupSkipped, Note: s.otherAccountNote(r, caller, callerErr)})
				}
				continue
			}
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
	if unknown > 0 {
		unsure = errdefs.Errorf(errdefs.KindInternal, "%s left recorded: whose credentials these are is unknown (%s); run `kubectl ack-expose cleanup` again",
			plural.N(unknown, "EIP", "EIPs"), errdefs.FirstLine(callerErr))
	}
	return mine, forget, unsure, nil
}

// otherAccountNote says why cleanup leaves a record of account uid alone:
// the credentials are of account caller, or whose they are is unknown.
func (s *Service) otherAccountNote(r Record, caller string, callerErr error) string {
	uid := r.AccountID
	use := fmt.Sprintf("`kubectl ack-expose cleanup --profile NAME` with a profile of account %s", uid)
	if r.Profile != "" {
		use = "`kubectl ack-expose cleanup --profile " + r.Profile + "`"
	} else if s.ProfilesFor != nil {
		if names := s.ProfilesFor(uid); len(names) > 0 {
			use = "`kubectl ack-expose cleanup --profile " + names[0] + "`"
		}
	}
	if callerErr != nil {
		return fmt.Sprintf("recorded with the credentials of account %s, and whose credentials these are is unknown (%s): left recorded; run `kubectl ack-expose cleanup` again (or %s)", uid, errdefs.FirstLine(callerErr), use)
	}
	return fmt.Sprintf("recorded with the credentials of account %s, not this one (%s): left recorded; run %s", uid, caller, use)
}

// findLostAllocations fills in the EIP of the allocations whose answer was
// lost, found by the client token in the description ack-expose gave them;
// it returns the records whose EIP was never allocated, to forget.
func findLostAllocations(mine []Record, all []backend.EIP) (forget []Record) {
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
	return forget
}

// cleanupRecorded releases (or, dry, would release) the EIP of one journal
// record, unless the rules keep it; done is the record to forget, if any.
func (s *Service) cleanupRecorded(ctx context.Context, region string, r Record, dryRun bool, failed *[]string) (it CleanupItem, done *Record) {
	it = CleanupItem{AllocationID: r.AllocationID, IPAddress: r.IPAddress, ClusterID: r.ClusterID, Reason: reasonOf(r)}
	rec := r
	if rec.ClientToken != "" {
		rec.AllocationID = "" // its key in the journal
	}
	e, err := s.settledEIP(ctx, region, r.AllocationID)
	switch {
	case err != nil:
		it.Action, it.Note = CleanupFailed, cleanupNote(ctx, err)
		*failed = append(*failed, r.AllocationID)
		return it, nil
	case e == nil || e.Status == backend.EIPReleasing:
		it.Action, it.Note = CleanupGone, "already released"
		if e != nil {
			it.Status = e.Status
		}
	case e.Status != backend.EIPAvailable:
		it.Status, it.Action = e.Status, CleanupKept
		c, cerr := s.Backend.DescribeCluster(ctx, r.ClusterID)
		if cerr != nil && errdefs.KindOf(cerr) != errdefs.KindNotFound {
			// Whether a change is in flight is unknown: forgetting the
			// record could lose the EIP; the next run decides.
			it.Note = fmt.Sprintf("in use by %s %s; whether its cluster is changing is unknown (%s): still recorded", e.InstanceType, e.InstanceID, cleanupNote(ctx, cerr))
			return it, nil
		}
		if c != nil && backend.IsBusy(c.State) {
			// A change in flight: the EIP still bound now may be freed by
			// it (the old one, not yet Unassociating), or the one being
			// bound freed again if it fails. The record outlives it.
			it.Note = fmt.Sprintf("in use by %s %s while cluster %s is %s: never released while associated; still recorded: run `kubectl ack-expose cleanup` again once the cluster is running",
				e.InstanceType, e.InstanceID, c.Name, c.State)
			return it, nil
		}
		it.Note = fmt.Sprintf("in use by %s %s: never released while associated; forgotten", e.InstanceType, e.InstanceID)
	case !describes(rec, e):
		it.Status, it.Action = e.Status, CleanupKept
		it.Note = "its description no longer says ack-expose allocated it for this cluster: never released; forgotten"
	case e.ChargeType == cloudenum.ChargePrePaid:
		it.Status, it.Action, it.Note = e.Status, CleanupKept, "a subscription (PrePaid) EIP cannot be released; forgotten"
	case !s.cleanupSettled(ctx, r, e, &it, failed):
		// Its cluster may be binding it, or serves through it: kept.
		if it.Action == CleanupKept && it.Note == servesNote {
			return it, &rec
		}
		return it, nil
	case dryRun:
		it.Status, it.Action, it.IPAddress = e.Status, CleanupWouldRelease, e.IPAddress
		return it, nil
	default:
		it.Status, it.IPAddress = e.Status, e.IPAddress
		if !s.cleanupRelease(ctx, region, &it, failed) {
			return it, nil
		}
	}
	return it, &rec
}

const servesNote = "its cluster serves through it: never released; forgotten"

// cleanupSettled reports whether the Available EIP e of record r is settled:
// its cluster (when it still exists) is not in the middle of an operation,
// which may be binding it while VPC still shows it Available, and does not
// serve through it. Otherwise it fills in it (kept, or failed when the
// cluster cannot be read) and returns false.
func (s *Service) cleanupSettled(ctx context.Context, r Record, e *backend.EIP, it *CleanupItem, failed *[]string) bool {
	it.Status = e.Status
	c, err := s.Backend.DescribeCluster(ctx, r.ClusterID)
	switch {
	case errdefs.KindOf(err) == errdefs.KindNotFound:
		return true // the cluster is gone: nothing can bind it
	case err != nil:
		it.Action, it.Note = CleanupFailed, "cannot tell whether its cluster is binding it: "+cleanupNote(ctx, err)
		*failed = append(*failed, r.AllocationID)
		return false
	case backend.IsBusy(c.State):
		it.Action, it.Note = CleanupKept, fmt.Sprintf("cluster %s is %s: an operation may be binding it; still recorded: run `kubectl ack-expose cleanup` again once the cluster is running", c.Name, c.State)
		return false
	case c.PublicEndpoint != "" && kubeserver.EndpointHost(c.PublicEndpoint) == e.IPAddress:
		it.Action, it.Note = CleanupKept, servesNote
		return false
	}
	return true
}

// cleanupMarked releases the EIPs ack-expose marked in the cloud (name
// ack-expose-<cluster> and the description's form) that no journal record
// named: Available, pay-as-you-go, old enough, and whose cluster is gone or
// not in the middle of an operation (which may be about to associate it: an
// Available EIP serves nothing). It lists what it did in res and returns
// the IDs it failed to release, and an error when the EIPs could not be
// judged at all (their clusters could not be listed).
func (s *Service) cleanupMarked(ctx context.Context, region, cluster string, all []backend.EIP, handled map[string]bool, dryRun bool, res *CleanupResult) ([]string, error) {
	var marked []backend.EIP
	for _, e := range all {
		id, ok := allocatedFor(e.Description)
		if !ok || handled[e.AllocationID] || e.Name != allocatedName(id) || (cluster != "" && id != cluster) || e.Status != backend.EIPAvailable {
			continue
		}
		marked = append(marked, e)
	}
	if len(marked) == 0 {
		return nil, nil
	}
	clusters, err := s.Backend.ListClusters(ctx, region)
	if err != nil {
		for _, e := range marked {
			id, _ := allocatedFor(e.Description)
			res.Items = append(res.Items, CleanupItem{AllocationID: e.AllocationID, IPAddress: e.IPAddress, ClusterID: id, Reason: markedReason,
				Status: e.Status, Action: CleanupFailed, Note: "cannot tell whether its cluster uses it: " + errdefs.FirstLine(err)})
		}
		return nil, errdefs.Errorf(errdefs.KindInternal, "%s marked by ack-expose in %s could not be checked, so none was released: listing the clusters failed: %s; run `kubectl ack-expose cleanup` again",
			plural.N(len(marked), "EIP", "EIPs"), region, errdefs.FirstLine(err))
	}
	byID := map[string]*backend.Cluster{}
	for i := range clusters {
		byID[clusters[i].ID] = &clusters[i]
	}
	var failed []string
	for _, e := range marked {
		id, _ := allocatedFor(e.Description)
		it := CleanupItem{AllocationID: e.AllocationID, IPAddress: e.IPAddress, ClusterID: id, Reason: markedReason, Status: e.Status}
		c := byID[id]
		recent := !e.AllocationTime.IsZero() && time.Since(e.AllocationTime) < markedGrace
		if cluster != "" && recent {
			continue // an operation's own, most likely: not worth a line
		}
		switch {
		case e.ChargeType == cloudenum.ChargePrePaid:
			it.Action, it.Note = CleanupKept, "a subscription (PrePaid) EIP cannot be released"
		case cluster != "":
			// The cluster's cleanup keeps what `disassociate` without
			// --release kept; the region's sweep is the explicit ask.
			it.Action, it.Note = CleanupKept, fmt.Sprintf("not in this machine's journal: `kubectl ack-expose cleanup --region %s` releases it", region)
		case recent:
			it.Action, it.Note = CleanupKept, fmt.Sprintf("allocated %s ago: an ack-expose elsewhere may be about to associate it (released once %s old)",
				time.Since(e.AllocationTime).Round(time.Second), markedGrace)
		case c != nil && backend.IsBusy(c.State):
			it.Action, it.Note = CleanupKept, fmt.Sprintf("cluster %s is %s: an operation may be about to associate it", c.Name, c.State)
		case c != nil && c.PublicEndpoint != "" && strings.Contains(c.PublicEndpoint, "//"+e.IPAddress+":"):
			it.Action, it.Note = CleanupKept, "its cluster serves through it"
		case dryRun:
			it.Action = CleanupWouldRelease
		default:
			s.cleanupRelease(ctx, region, &it, &failed)
		}
		if it.Note == "" && c == nil {
			it.Note = "its cluster no longer exists"
		}
		res.Items = append(res.Items, it)
	}
	return failed, nil
}

// cleanupRelease releases it's EIP and records the outcome in it: released
// (an EIP found gone after a failed answer counts), or failed (its ID added
// to failed). It reports whether the EIP is released.
func (s *Service) cleanupRelease(ctx context.Context, region string, it *CleanupItem, failed *[]string) bool {
	if err := s.Backend.ReleaseEIP(ctx, region, it.AllocationID); err != nil {
		if gone, _ := s.eipGone(ctx, region, it.AllocationID); !gone {
			it.Action, it.Note = CleanupFailed, cleanupNote(ctx, err)
			*failed = append(*failed, it.AllocationID)
			return false
		}
	}
	it.Action = CleanupReleased
	return true
}

// markedGrace is how old an EIP found by its mark must be before cleanup
// releases it: an ack-expose on another machine associates the EIP it
// allocated within seconds, and may retry for minutes.
const markedGrace = 15 * time.Minute

// markedReason is the reason of an EIP found by its mark in the cloud.
const markedReason = "marked by ack-expose, not in use"

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
