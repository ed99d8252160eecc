package expose

import (
	"cmp"
	"fmt"
	"time"

	"github.com/ack-expose/ack-expose/internal/kubeserver"
	"github.com/ack-expose/ack-expose/pkg/backend"
	"github.com/ack-expose/ack-expose/pkg/errdefs"
)

// Apply's change: ModifyClusterEIP (or its unbind), and what a lost answer
// turns out to be once the cluster and the EIP are read again.

// verdict is what re-reading the cloud says of a change whose answer was lost.
type verdict int

const (
	undecided verdict = iota
	wasAccepted
	wasRejected
)

// modify sends the change. Throttling is retried; a lost answer (timeout,
// reset, Ctrl-C, 5xx) is resolved by reading the cluster and the EIP.
func (a *applier) modify() error {
	s := a.s
	eipID := ""
	if a.newEIP != nil {
		eipID = a.newEIP.AllocationID
	}
	policy := s.Retry
	if policy.Attempts == 0 {
		policy = backend.DefaultRetry
	}
	for n := 1; ; n++ {
		var taskID string
		var err error
		if ch := a.p.SANChange; ch != nil {
			taskID, err = s.Backend.ModifyAPIServerSANs(a.opCtx, a.c.ID, *ch)
		} else {
			taskID, err = s.Backend.ModifyAPIServerEIP(a.opCtx, a.c.ID, eipID)
		}
		if err == nil {
			a.taskID = taskID
			return nil
		}
		if errdefs.Ambiguous(err) {
			switch v, detail := a.resolve(); v {
			case wasAccepted:
				if s.Log != nil {
					s.Log("the answer to ModifyCluster was lost (%v), but the cloud took the change: %s", errdefs.FirstLine(err), detail)
				}
				s.step(a.op, "the answer to the change request was lost, but cluster %s took the change (%s)", a.c.Name, detail)
				return nil
			case undecided:
				return a.undecided(err, detail)
			}
		}
		if a.ctx.Err() != nil || a.opCtx.Err() != nil || !errdefs.Retryable(err) || n >= policy.Attempts {
			return a.notChanged(err)
		}
		pause := policy.Pause(n)
		if s.Log != nil {
			s.Log("ModifyCluster %s: %v; retrying in %s (attempt %d of %d)", a.c.ID, errdefs.FirstLine(err), pause.Round(time.Millisecond), n+1, policy.Attempts)
		}
		select {
		case <-a.opCtx.Done():
			return a.notChanged(err)
		case <-time.After(pause):
		}
	}
}

// resolve reads the cluster and the EIP being moved to tell whether a change
// whose answer was lost was taken.
func (a *applier) resolve() (verdict, string) {
	ctx, cancel := a.graceCtx(resolveFor)
	defer cancel()
	s, c := a.s, a.c
	now, err := s.Backend.DescribeCluster(ctx, c.ID)
	if err != nil {
		return undecided, "reading the cluster failed: " + errdefs.FirstLine(err)
	}
	target := a.newEIP
	if a.p.Request.Action == Disassociate {
		target = a.p.Current
	}
	var e *backend.EIP
	if target != nil {
		list, err := s.lookupEIPs(ctx, c.RegionID, backend.EIPQuery{AllocationIDs: []string{target.AllocationID}})
		if err != nil {
			return undecided, "reading EIP " + target.AllocationID + " failed: " + errdefs.FirstLine(err)
		}
		if len(list) > 0 {
			e = &list[0]
		}
	}
	if a.p.SANChange != nil {
		return sansVerdict(a.p, now), fmt.Sprintf("cluster %s, certificate names %s", now.State, joinNames(now.ExtraSANs))
	}
	state := fmt.Sprintf("cluster %s, public endpoint %s", now.State, cmp.Or(now.PublicEndpoint, "none"))
	if e != nil {
		state += fmt.Sprintf(", EIP %s %s", e.AllocationID, e.Status)
	}
	switch a.p.Request.Action {
	case Disassociate:
		switch {
		case c.PublicEndpoint != "" && now.PublicEndpoint == "":
			return wasAccepted, state
		case backend.IsBusy(now.State) && e != nil && e.Status == backend.EIPUnassociating:
			return wasAccepted, state
		case now.State == backend.StateRunning && now.PublicEndpoint == c.PublicEndpoint && (e == nil || e.Status == backend.EIPInUse):
			return wasRejected, state
		}
	default:
		switch {
		case target != nil && now.PublicEndpoint != "" && kubeserver.EndpointHost(now.PublicEndpoint) == target.IPAddress:
			return wasAccepted, state
		case e != nil && (e.Status == backend.EIPAssociating || e.Status == backend.EIPInUse):
			return wasAccepted, state
		case now.State == backend.StateRunning && e != nil && e.Status == backend.EIPAvailable:
			return wasRejected, state
		}
	}
	return undecided, state
}

// undecided ends a run whose change may or may not have been taken.
func (a *applier) undecided(cause error, detail string) error {
	a.recordOperation()
	hint := fmt.Sprintf("Run %s to see whether the change was made.", a.statusCmd())
	if a.allocated != nil {
		hint += fmt.Sprintf(" The EIP %s allocated for it is recorded: if the cluster does not use it, %s releases it.", describeEIP(a.allocated), a.cleanupCmd())
	}
	if a.p.Request.Release && a.p.Current != nil {
		hint += fmt.Sprintf(" EIP %s awaits release: once the operation is over, %s releases it if it is free.", a.p.Current.AllocationID, a.cleanupCmd())
	}
	msg := fmt.Sprintf("could not tell whether cluster %s took the change: the answer to ModifyCluster was lost (%v), and reading the cloud again did not settle it (%s)",
		a.clusterName(), errdefs.FirstLine(cause), detail)
	kind := errdefs.KindInternal
	switch {
	case a.ctx.Err() != nil:
		kind, msg = errdefs.KindInterrupted, "interrupted: "+msg
	case a.opCtx.Err() != nil:
		kind = errdefs.KindTimeout
	}
	return &errdefs.Error{Kind: kind, Msg: msg, Hint: hint}
}

// recordOperation records the change as in flight, and the EIP the user asked
// to release as awaiting release.
func (a *applier) recordOperation() {
	c := a.c
	recs := []Record{{Kind: RecordOperation, ClusterID: c.ID, RegionID: c.RegionID, Action: a.p.Request.Action, TaskID: a.taskID}}
	if a.newEIP != nil {
		recs[0].AllocationID, recs[0].IPAddress = a.newEIP.AllocationID, a.newEIP.IPAddress
	} else if a.p.Current != nil {
		recs[0].AllocationID, recs[0].IPAddress = a.p.Current.AllocationID, a.p.Current.IPAddress
	}
	if a.p.Request.Release && a.p.Current != nil {
		recs = append(recs, Record{Kind: RecordRelease, ClusterID: c.ID, RegionID: c.RegionID, AllocationID: a.p.Current.AllocationID, IPAddress: a.p.Current.IPAddress})
	}
	if err := a.s.journalPut(a.opCtx, recs...); err != nil && a.s.Log != nil {
		a.s.Log("journal: %v", err)
	}
}

// accepted notes that the cloud took the change.
func (a *applier) accepted() {
	a.op.TaskID = a.taskID
	a.op.Changed = true
	a.recordOperation()
	task := ""
	if a.taskID != "" {
		task = " (task " + a.taskID + ")"
	}
	switch a.p.Request.Action {
	case SANsAdd, SANsRemove, SANsSet:
		a.s.step(a.op, "requested the certificate names %s on cluster %s%s; the API server restarts", joinNames(a.p.SANsAfter), a.c.Name, task)
	case Disassociate:
		a.s.step(a.op, "requested disassociation of EIP %s from cluster %s%s", currentName(a.p), a.c.Name, task)
	default:
		a.s.step(a.op, "requested association of EIP %s with cluster %s%s", describeEIP(a.newEIP), a.c.Name, task)
	}
}

// taskFailedError is a change the cloud gave up: a task that ended in
// failure, or a cluster that reached a terminal state.
type taskFailedError struct{ msg string }

func (e *taskFailedError) Error() string { return e.msg }
