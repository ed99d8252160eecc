package expose

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ack-expose/ack-expose/internal/kubectx"
	"github.com/ack-expose/ack-expose/pkg/errdefs"

	"github.com/ack-expose/ack-expose/pkg/backend"
)

// Progress receives what the lifecycle is doing. Step reports a finished
// step; Waiting reports the state of a wait in progress, repeatedly; Warn
// says what the user should know (the warnings of an operation that changes
// something, as they arise); Done ends a wait's display before the lifecycle
// returns.
type Progress interface {
	Step(msg string)
	Waiting(msg string, elapsed time.Duration)
	Warn(msg string)
	Done()
}

// ApplyOptions control how a plan is carried out.
type ApplyOptions struct {
	DryRun bool
	Wait   bool
	// Timeout bounds the whole operation: the requests and the wait.
	Timeout time.Duration
	// Confirm asks the user to accept the lockout described; nil refuses.
	Confirm func(lockout string) bool
	// Check, when set, checks the new public endpoint from this machine once
	// Run has waited for it (a failed check is a warning, not a failure).
	Check Checker
	// deadline, set by Run, is when Timeout ends, counted from the start
	// of the operation (its reads included), not from Apply's.
	deadline time.Time
	// Commit is commit confirmed for a change of the allow list that could
	// cut off the context in use (RunAccess, and Request.Allow in Run).
	Commit CommitOptions
	// LockAccess, when set, takes this machine's lock on the cluster's allow
	// list, as allow and revoke do, around associate --allow's list step (its
	// read, plan and change, not the rollout); it returns the unlock.
	LockAccess func(ctx context.Context, clusterID string) (unlock func(), err error)
}

// How long the lifecycle spends, after an interrupt or a lost answer, on
// finding out where things stand and on putting back what it allocated.
const (
	recoverAllocationFor = 5 * time.Second
	resolveFor           = 20 * time.Second
	rollbackFor          = 30 * time.Second
	// graceAfterTimeout is what --timeout leaves, once it is over, for
	// finding out where things stand and putting back what was allocated.
	graceAfterTimeout = 2 * time.Second
)

// graceCtx bounds the reads and the rollback that follow a lost answer, an
// interrupt or a timeout: not by the user's context (it has ended), but by
// --timeout (plus graceAfterTimeout), and d at most.
func (a *applier) graceCtx(d time.Duration) (context.Context, context.CancelFunc) {
	if dl, ok := a.opCtx.Deadline(); ok && a.ctx.Err() == nil {
		limit := max(time.Until(dl), 0) + graceAfterTimeout
		d = min(d, limit)
	}
	return context.WithTimeout(context.Background(), d)
}

// Apply carries out a plan: allocate (if asked), modify the cluster, wait for
// the task, the cluster and the EIP to settle, then release (if asked).
//
// Every way out ends in a known state. An EIP it allocated is released again
// if the cloud did not take the change; an answer lost in flight is resolved
// by reading the cluster and the EIP again, never guessed; an EIP bound to
// anything is never released; whatever is left unfinished is in the journal,
// named in the error with the command that finishes it (`cleanup`).
//
// When the cloud accepted the change but the wait ended early (timeout,
// interrupt, permission error), Apply returns both the exposure (phase
// accepted) and the error.
func (s *Service) Apply(ctx context.Context, p *Plan, o ApplyOptions) (*Exposure, error) {
	defer s.progressDone()
	op := &Operation{Action: string(p.Request.Action), DryRun: o.DryRun, Steps: p.Steps}
	if p.Lockout != "" {
		op.Warnings = append(op.Warnings, p.Lockout)
	}
	if p.NothingToDo {
		op.Phase = PhaseDone
		if ids := s.awaitingRelease(p.Cluster, p.Current); len(ids) > 0 {
			s.warnOp(op, "EIP %s of an earlier operation await%s release: run `kubectl ack-expose cleanup --cluster-id %s`",
				strings.Join(ids, ", "), map[bool]string{true: "s", false: ""}[len(ids) == 1], p.Cluster.ID)
		}
		return s.result(p, op, p.Cluster, p.Current), nil
	}
	if o.DryRun {
		op.Phase = PhasePlanned
		return s.result(p, op, p.Cluster, p.Current), nil
	}
	if p.Lockout != "" && (o.Confirm == nil || !o.Confirm(p.Lockout)) {
		return nil, &errdefs.Error{Kind: errdefs.KindRefused, Msg: "refused: " + p.Lockout,
			Hint: "Run again with --yes to go ahead anyway, or use --dry-run to review the plan."}
	}
	op.Steps = nil
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Minute
	}
	deadline := o.deadline
	if deadline.IsZero() {
		deadline = time.Now().Add(timeout)
	}
	opCtx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	a := &applier{s: s, p: p, o: o, op: op, c: p.Cluster, ctx: ctx, opCtx: opCtx, timeout: timeout, newEIP: p.New}
	return a.run()
}

func (s *Service) result(p *Plan, op *Operation, c *backend.Cluster, e *backend.EIP) *Exposure {
	x := newExposure(c, p.Target.Context, e)
	x.Operation = op
	return x
}

// applier is one run of Apply.
type applier struct {
	s       *Service
	p       *Plan
	o       ApplyOptions
	op      *Operation
	c       *backend.Cluster
	ctx     context.Context // the user's: ends on Ctrl-C
	opCtx   context.Context // ctx bounded by --timeout
	timeout time.Duration

	newEIP    *backend.EIP // the EIP to bind (nil to unbind)
	allocated *backend.EIP // the EIP this run allocated, until it is settled
	taskID    string
}

func (a *applier) clusterName() string { return fmt.Sprintf("%s (%s)", a.c.Name, a.c.ID) }

func (a *applier) cleanupCmd() string {
	return "`kubectl ack-expose cleanup --cluster-id " + a.c.ID + "`"
}

func (a *applier) statusCmd() string {
	return "`kubectl ack-expose status --cluster-id " + a.c.ID + "`"
}

func (a *applier) run() (*Exposure, error) {
	if err := a.recordRelease(); err != nil {
		return nil, err
	}
	if a.p.Request.Allocate != nil {
		if err := a.allocate(); err != nil {
			a.forgetRelease()
			return nil, err
		}
	}
	if a.ctx.Err() != nil || a.opCtx.Err() != nil {
		return nil, a.notChanged(a.opCtx.Err())
	}
	if err := a.modify(); err != nil {
		return nil, err
	}
	if a.newEIP != nil && a.allocated == nil {
		// The user bound this EIP (--eip): that supersedes what the journal
		// said of it (an earlier allocation or release left to cleanup).
		a.s.forgetEIP(a.newEIP.AllocationID)
	}
	a.accepted()
	if !a.o.Wait {
		a.op.Phase = PhaseAccepted
		x := a.statusNow()
		a.s.warnOp(a.op, "not waiting: the operation continues in the cloud%s; the cluster is running again when it is done (`kubectl ack-expose status --cluster-id %s` shows it)", a.taskNote(), a.c.ID)
		return x, nil
	}
	return a.wait()
}

func (a *applier) taskNote() string {
	if a.taskID == "" {
		return ""
	}
	return " (task " + a.taskID + ")"
}

// allocate allocates the new EIP, marked as ack-expose's in the cloud and
// recorded in the journal before the request is sent.
func (a *applier) allocate() error {
	s, c := a.s, a.c
	spec := *a.p.Request.Allocate
	spec.ClientToken = newToken()
	spec.Name = allocatedName(c.ID)
	spec.Description = allocatedDescription(c.ID, spec.ClientToken)
	pending := Record{Kind: RecordAllocated, ClusterID: c.ID, RegionID: c.RegionID, ClientToken: spec.ClientToken}
	if err := s.journalPut(pending); err != nil {
		return errdefs.Errorf(errdefs.KindInvalid, "nothing was changed: the allocation could not be recorded in the journal first (%v)", err).
			WithHint("Make the journal's directory writable.")
	}
	s.waiting("allocating a pay-as-you-go EIP in %s", time.Now(), c.RegionID)
	e, err := s.Backend.AllocateEIP(a.opCtx, c.RegionID, spec)
	if err != nil && errdefs.Ambiguous(err) {
		// The answer was lost (Ctrl-C, timeout, reset): ask again with the
		// same client token, which names the same allocation, to learn
		// which EIP it made, if any.
		rctx, cancel := a.graceCtx(recoverAllocationFor)
		e2, rerr := s.Backend.AllocateEIP(rctx, c.RegionID, spec)
		cancel()
		if rerr != nil {
			return a.stopped(err, fmt.Sprintf("nothing was changed on cluster %s, but the answer to AllocateEipAddress was lost, so an EIP may have been allocated (client token %s): asking again failed: %v",
				a.clusterName(), spec.ClientToken, errdefs.FirstLine(rerr)),
				fmt.Sprintf("Run %s: it finds that EIP by its description and releases it.", a.cleanupCmd()))
		}
		note, hint := a.releaseRecovered(e2, pending)
		return a.stopped(err, "nothing was changed on cluster "+a.clusterName()+"; "+note, hint)
	}
	if err != nil {
		// Refused, but an earlier attempt of the same request (retried by
		// the backend after a lost answer) may have made the EIP: look for
		// it by the client token in its description before forgetting it.
		rctx, cancel := a.graceCtx(recoverAllocationFor)
		found, ferr := a.findAllocated(rctx, spec.ClientToken)
		cancel()
		switch {
		case ferr != nil:
			return a.stopped(err, fmt.Sprintf("nothing was changed on cluster %s, but an earlier attempt whose answer was lost may have allocated an EIP (client token %s), and looking for it failed (%v); allocating an EIP",
				a.clusterName(), spec.ClientToken, errdefs.FirstLine(ferr)),
				fmt.Sprintf("Run %s: it finds that EIP by its description and releases it.", a.cleanupCmd()))
		case found == nil:
			s.journalForget(pending)
			return a.stopped(err, "allocating an EIP", "")
		}
		note, hint := a.releaseRecovered(found, pending)
		return a.stopped(err, fmt.Sprintf("nothing was changed on cluster %s; an earlier attempt whose answer was lost had allocated EIP %s (client token %s): %s; allocating an EIP",
			a.clusterName(), describeEIP(found), spec.ClientToken, note), hint)
	}
	if err := s.journalPut(Record{Kind: RecordAllocated, ClusterID: c.ID, RegionID: c.RegionID, AllocationID: e.AllocationID, IPAddress: e.IPAddress}); err != nil && s.Log != nil {
		s.Log("journal: %v", err)
	}
	s.journalForget(pending)
	a.allocated, a.newEIP = e, e
	a.op.AllocatedEIP = e.AllocationID
	s.step(a.op, "allocated EIP %s", describeEIP(e))
	return nil
}

// findAllocated finds the EIP an allocation with this client token made, by
// the token in the description ack-expose gives it (nil if there is none).
func (a *applier) findAllocated(ctx context.Context, token string) (*backend.EIP, error) {
	all, err := a.s.lookupEIPs(ctx, a.c.RegionID, backend.EIPQuery{})
	if err != nil {
		return nil, err
	}
	for _, e := range all {
		if strings.Contains(e.Description, "client token "+token) {
			return &e, nil
		}
	}
	return nil, nil
}

// recordRelease records the EIP --release is to release before anything is
// changed, so that it cannot be forgotten; a journal that cannot be written
// refuses the operation up front.
func (a *applier) recordRelease() error {
	old := a.p.Current
	if !a.p.Request.Release || old == nil || a.s.Journal == nil {
		return nil
	}
	err := a.s.journalPut(Record{Kind: RecordRelease, ClusterID: a.c.ID, RegionID: a.c.RegionID, AllocationID: old.AllocationID, IPAddress: old.IPAddress})
	if err != nil {
		return errdefs.Errorf(errdefs.KindInvalid, "nothing was changed: --release records EIP %s in the journal before the change, so that a release that cannot finish is not forgotten, and that failed: %v", old.AllocationID, err).
			WithHint("Make the journal's directory writable, or run without --release and release the EIP later.")
	}
	return nil
}

// forgetRelease drops the record of recordRelease: the change was not made.
func (a *applier) forgetRelease() {
	if a.p.Request.Release && a.p.Current != nil {
		a.s.journalForget(Record{Kind: RecordRelease, AllocationID: a.p.Current.AllocationID})
	}
}

// stopped is the error of a run that ends before the cloud took the change:
// interrupted (130), out of time (6), or the cause's own kind.
func (a *applier) stopped(cause error, msg, hint string) error {
	switch {
	case a.ctx.Err() != nil:
		return &errdefs.Error{Kind: errdefs.KindInterrupted, Msg: "interrupted: " + msg, Hint: hint}
	case a.opCtx.Err() != nil:
		return &errdefs.Error{Kind: errdefs.KindTimeout, Msg: fmt.Sprintf("timed out after %s: %s", a.timeout, msg), Hint: hint}
	}
	return &errdefs.Error{Kind: errdefs.KindOf(cause), Msg: msg, Err: cause, Hint: hint}
}

// notChanged ends a run the cloud did not take: the EIP allocated for it is
// released again (only if it is free), and the error says so.
func (a *applier) notChanged(cause error) error {
	a.forgetRelease()
	// Why the run ended is decided before the rollback, which may itself
	// run out of time.
	interrupted, timedOut := a.ctx.Err() != nil, a.opCtx.Err() != nil
	note, hint := "", ""
	if a.allocated != nil {
		var ok bool
		note, ok = a.releaseAllocated()
		if !ok {
			hint = fmt.Sprintf("Run %s to release it.", a.cleanupCmd())
		}
	}
	if interrupted {
		msg := "interrupted before any change was made: nothing was changed on cluster " + a.clusterName()
		if note != "" {
			msg += "; " + note
		}
		return &errdefs.Error{Kind: errdefs.KindInterrupted, Msg: msg, Hint: hint}
	}
	if timedOut {
		msg := fmt.Sprintf("timed out after %s before the change was accepted: nothing was changed on cluster %s", a.timeout, a.clusterName())
		if note != "" {
			msg += "; " + note
		}
		return &errdefs.Error{Kind: errdefs.KindTimeout, Msg: msg, Hint: hint}
	}
	if note == "" {
		return cause
	}
	err := fmt.Errorf("%w\n(%s)", cause, note)
	if hint != "" {
		err = fmt.Errorf("%w\n%s", err, hint)
	}
	return err
}

// releaseAllocated releases the EIP this run allocated, if it is free, and
// says what became of it. It never releases an EIP bound to anything.
// releaseRecovered records e, an EIP this operation allocated whose answer
// was lost and has now been found, in place of the pending record, and
// releases it; the hint names cleanup when that did not finish.
func (a *applier) releaseRecovered(e *backend.EIP, pending Record) (note, hint string) {
	c := a.c
	a.allocated = e
	_ = a.s.journalPut(Record{Kind: RecordAllocated, ClusterID: c.ID, RegionID: c.RegionID, AllocationID: e.AllocationID, IPAddress: e.IPAddress})
	a.s.journalForget(pending)
	note, ok := a.releaseAllocated()
	if !ok {
		hint = fmt.Sprintf("Run %s to release it.", a.cleanupCmd())
	}
	return note, hint
}

func (a *applier) releaseAllocated() (note string, ok bool) {
	e := a.allocated
	a.allocated = nil
	rec := Record{Kind: RecordAllocated, AllocationID: e.AllocationID}
	if a.ctx.Err() != nil && a.s.Progress != nil {
		a.s.Progress.Step(fmt.Sprintf("interrupted: releasing EIP %s, which this operation allocated (Ctrl-C again leaves it recorded for %s)", describeEIP(e), a.cleanupCmd()))
	}
	ctx, cancel := a.graceCtx(rollbackFor)
	defer cancel()
	cur, err := a.s.settledEIP(ctx, a.c.RegionID, e.AllocationID)
	switch {
	case err != nil:
		return fmt.Sprintf("the EIP %s allocated for this operation could not be checked (%v); it is recorded for cleanup", describeEIP(e), errdefs.FirstLine(err)), false
	case cur == nil || cur.Status == backend.EIPReleasing:
		a.s.journalForget(rec)
		return fmt.Sprintf("the EIP %s allocated for this operation is already released", describeEIP(e)), true
	case cur.Status != backend.EIPAvailable:
		return fmt.Sprintf("the EIP %s allocated for this operation is %s (%s %s), so it was not released; it is recorded for cleanup", describeEIP(e), cur.Status, cur.InstanceType, cur.InstanceID), false
	}
	if err := a.s.Backend.ReleaseEIP(ctx, a.c.RegionID, e.AllocationID); err != nil {
		if gone, _ := a.s.eipGone(ctx, a.c.RegionID, e.AllocationID); !gone {
			return fmt.Sprintf("releasing the EIP %s allocated for this operation failed (%v); it is recorded for cleanup", describeEIP(e), errdefs.FirstLine(err)), false
		}
	}
	a.s.journalForget(rec)
	if a.s.Progress != nil {
		a.s.Progress.Step(fmt.Sprintf("released EIP %s, which this operation had allocated", describeEIP(e)))
	}
	return fmt.Sprintf("the EIP %s allocated for this operation was released again", describeEIP(e)), true
}

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
		case target != nil && now.PublicEndpoint != "" && kubectx.EndpointHost(now.PublicEndpoint) == target.IPAddress:
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
	if err := a.s.journalPut(recs...); err != nil && a.s.Log != nil {
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

// statusNow reads the exposure as it is, for a result that did not wait; if
// the cloud cannot be read, the plan's picture is used.
func (a *applier) statusNow() *Exposure {
	ctx := a.ctx
	if ctx.Err() != nil || a.opCtx.Err() != nil {
		var cancel context.CancelFunc
		ctx, cancel = a.graceCtx(5 * time.Second)
		defer cancel()
	}
	x, err := a.s.Status(ctx, a.p.Target)
	if err != nil {
		x = newExposure(a.c, a.p.Target.Context, a.p.Current)
	}
	x.Operation = a.op
	return x
}

// wait follows the accepted change to its end, then releases the old EIP if asked.
func (a *applier) wait() (*Exposure, error) {
	s, c := a.s, a.c
	if a.taskID != "" {
		if _, err := s.waitTask(a.opCtx, a.taskID); err != nil {
			if errdefs.KindOf(err) != errdefs.KindNotFound {
				return a.waitFailed(err)
			}
			// The task is gone (tasks expire): follow the cluster instead.
			if s.Log != nil {
				s.Log("task %s: %v; following the cluster's state instead", a.taskID, errdefs.FirstLine(err))
			}
		}
	}
	final, err := s.waitCluster(a.opCtx, c.ID)
	if err != nil {
		return a.waitFailed(err)
	}
	var settled *backend.EIP
	if a.newEIP != nil {
		if settled, err = s.waitEIP(a.opCtx, c.RegionID, a.newEIP.AllocationID, backend.EIPInUse); err != nil {
			return a.waitFailed(err)
		}
	}
	return a.finish(final, settled)
}

// finish ends a change that is done: the new EIP is in use, nothing is in
// flight; it releases the old EIP if asked. A release that cannot finish
// leaves the change done (phase done, with a warning), the EIP recorded.
func (a *applier) finish(final *backend.Cluster, settled *backend.EIP) (*Exposure, error) {
	s, c := a.s, a.c
	done := []Record{{Kind: RecordOperation, ClusterID: c.ID}}
	if a.allocated != nil {
		done = append(done, Record{Kind: RecordAllocated, AllocationID: a.allocated.AllocationID})
		a.allocated = nil
	}
	s.journalForget(done...)
	if a.p.SANChange != nil {
		// The EIP stays: the result shows it as planned.
		settled = a.p.Current
		s.step(a.op, "cluster %s is %s; certificate names: %s", final.Name, final.State, joinNames(final.ExtraSANs))
	} else {
		s.step(a.op, "cluster %s is %s; public endpoint: %s", final.Name, final.State, cmp.Or(final.PublicEndpoint, "none"))
	}
	if a.p.Request.Release && a.p.Current != nil {
		if err := a.release(); err != nil {
			a.op.Phase = PhaseDone
			s.warnOp(a.op, "%s", errdefs.FirstLine(err))
			return a.s.result(a.p, a.op, final, settled), err
		}
	}
	a.op.Phase = PhaseDone
	return s.result(a.p, a.op, final, settled), nil
}

// doneNow reads, once, whether the change is done: the cluster running with
// the new EIP in use behind its public endpoint, or with none when
// disassociating.
func (a *applier) doneNow() (*backend.Cluster, *backend.EIP, bool) {
	ctx, cancel := a.graceCtx(resolveFor)
	defer cancel()
	now, err := a.s.Backend.DescribeCluster(ctx, a.c.ID)
	if err != nil || now.State != backend.StateRunning {
		return nil, nil, false
	}
	if a.p.SANChange != nil {
		return now, a.p.Current, sameSet(now.ExtraSANs, a.p.SANsAfter)
	}
	if a.newEIP == nil {
		return now, nil, now.PublicEndpoint == ""
	}
	if kubectx.EndpointHost(now.PublicEndpoint) != a.newEIP.IPAddress {
		return nil, nil, false
	}
	list, err := a.s.lookupEIPs(ctx, a.c.RegionID, backend.EIPQuery{AllocationIDs: []string{a.newEIP.AllocationID}})
	if err != nil || len(list) == 0 || list[0].Status != backend.EIPInUse {
		return nil, nil, false
	}
	return now, &list[0], true
}

// release releases the EIP the change removed, once it is free. The cloud
// releasing it by itself is success too.
func (a *applier) release() error {
	s, c, old := a.s, a.c, a.p.Current
	rec := Record{Kind: RecordRelease, AllocationID: old.AllocationID}
	released := func(how string) error {
		s.journalForget(rec)
		a.op.ReleasedEIP = old.AllocationID
		s.step(a.op, how, describeEIP(old))
		return nil
	}
	ctx := a.opCtx
	if ctx.Err() != nil && a.ctx.Err() == nil {
		// The change was found done after --timeout (a late answer): the
		// release gets the grace that follows it.
		var cancel context.CancelFunc
		ctx, cancel = a.graceCtx(rollbackFor)
		defer cancel()
	}
	e, err := s.waitEIPFree(ctx, c.RegionID, old.AllocationID)
	if err != nil {
		return a.releaseLeft(err)
	}
	if e == nil || e.Status == backend.EIPReleasing {
		return released("EIP %s was released by the cloud itself")
	}
	rerr := s.Backend.ReleaseEIP(ctx, c.RegionID, old.AllocationID)
	if rerr == nil {
		return released("released EIP %s")
	}
	rctx, cancel := a.graceCtx(rollbackFor)
	defer cancel()
	if gone, _ := s.eipGone(rctx, c.RegionID, old.AllocationID); gone {
		return released("EIP %s was released by the cloud itself")
	}
	return a.releaseLeft(rerr)
}

// releaseLeft is the error of a release that could not finish: the change is
// done, the EIP is recorded, and cleanup finishes the job.
func (a *applier) releaseLeft(err error) error {
	old := a.p.Current
	hint := fmt.Sprintf("EIP %s awaits release: run %s to release it.", old.AllocationID, a.cleanupCmd())
	switch {
	case a.ctx.Err() != nil:
		return &errdefs.Error{Kind: errdefs.KindInterrupted, Hint: hint,
			Msg: fmt.Sprintf("interrupted while waiting to release EIP %s; the %s itself is done", describeEIP(old), a.p.Request.Action)}
	case a.opCtx.Err() != nil:
		return &errdefs.Error{Kind: errdefs.KindTimeout, Hint: hint,
			Msg: fmt.Sprintf("timed out after %s waiting to release EIP %s; the %s itself is done", a.timeout, describeEIP(old), a.p.Request.Action)}
	}
	return &errdefs.Error{Kind: errdefs.KindOf(err), Err: err, Hint: hint,
		Msg: fmt.Sprintf("the %s is done, but releasing the old EIP %s failed", a.p.Request.Action, describeEIP(old))}
}

// waitFailed turns a wait that ended early into the result and the error the
// user sees: the change failed in the cloud (exit 1), or it was accepted and
// goes on while we stopped watching (timeout 6, interrupt 130, permission 6).
func (a *applier) waitFailed(err error) (*Exposure, error) {
	c := a.c
	var failed *taskFailedError
	if errors.As(err, &failed) {
		a.op.Phase = PhaseFailed
		notes := []string{}
		if a.allocated != nil {
			note, ok := a.releaseAllocated()
			if !ok {
				note += "; run " + a.cleanupCmd() + " to release it"
			}
			notes = append(notes, note)
		}
		forget := []Record{{Kind: RecordOperation, ClusterID: c.ID}}
		if a.p.Request.Release && a.p.Current != nil {
			forget = append(forget, Record{Kind: RecordRelease, AllocationID: a.p.Current.AllocationID})
			notes = append(notes, fmt.Sprintf("EIP %s was not released: the change failed", describeEIP(a.p.Current)))
		}
		a.s.journalForget(forget...)
		ctx, cancel := a.graceCtx(resolveFor)
		defer cancel()
		msg := err.Error()
		x := a.s.result(a.p, a.op, c, nil)
		if now, rerr := a.s.Status(ctx, a.p.Target); rerr == nil {
			msg += fmt.Sprintf("\ncluster %s is now %s, public endpoint: %s", now.Cluster.Name, now.Cluster.State, cmp.Or(now.PublicEndpoint, "none"))
			now.Operation = a.op
			x = now
		}
		for _, n := range notes {
			msg += "\n(" + n + ")"
		}
		return x, errors.New(msg)
	}
	if a.ctx.Err() == nil && (a.opCtx.Err() != nil || errors.Is(err, context.DeadlineExceeded)) {
		// Out of time: if the change is done all the same (the answer to
		// the change was late, not the change), that is the result.
		if final, settled, ok := a.doneNow(); ok {
			return a.finish(final, settled)
		}
	}
	a.op.Phase = PhaseAccepted
	x := a.statusNow()
	var hints []string
	hints = append(hints, fmt.Sprintf("Check on it with %s.", a.statusCmd()))
	if a.allocated != nil {
		hints = append(hints, fmt.Sprintf("EIP %s, allocated for this operation, is recorded: if the change fails, %s releases it.", a.allocated.AllocationID, a.cleanupCmd()))
	}
	if a.p.Request.Release && a.p.Current != nil {
		hints = append(hints, fmt.Sprintf("EIP %s awaits release: once the operation is over, run %s to release it.", a.p.Current.AllocationID, a.cleanupCmd()))
	}
	hint := strings.Join(hints, "\n")
	task := a.taskNote()
	switch {
	case a.ctx.Err() != nil:
		return x, &errdefs.Error{Kind: errdefs.KindInterrupted, Hint: hint,
			Msg: fmt.Sprintf("interrupted while waiting; the operation continues in the cloud%s", task)}
	case a.opCtx.Err() != nil || errors.Is(err, context.DeadlineExceeded):
		what := "task " + a.taskID
		if a.taskID == "" {
			what = "the change"
		}
		return x, &errdefs.Error{Kind: errdefs.KindTimeout, Hint: hint,
			Msg: fmt.Sprintf("timed out after %s waiting for %s on cluster %s; the operation continues in the cloud", a.timeout, what, c.ID)}
	case errdefs.KindOf(err) == errdefs.KindForbidden:
		return x, &errdefs.Error{Kind: errdefs.KindTimeout, Hint: hint,
			Msg: fmt.Sprintf("the change was accepted and continues in the cloud%s, but following it is not permitted: %s", task, errdefs.FirstLine(err))}
	}
	return x, &errdefs.Error{Kind: errdefs.KindOf(err), Err: err, Hint: hint,
		Msg: fmt.Sprintf("the change was accepted%s, but waiting for it failed", task)}
}

// warnOp adds a warning to the operation, and tells it at once unless the
// operation is a dry run (whose plan is the whole answer). The lockout is
// not told this way: Confirm asks about it.
func (s *Service) warnOp(op *Operation, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	op.Warnings = append(op.Warnings, msg)
	if !op.DryRun {
		s.warn("%s", msg)
	}
}

func (s *Service) step(op *Operation, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	op.Steps = append(op.Steps, msg)
	if s.Progress != nil {
		s.Progress.Step(msg)
	}
}

// taskFailedError is a change the cloud gave up: a task that ended in
// failure, or a cluster that reached a terminal state.
type taskFailedError struct{ msg string }

func (e *taskFailedError) Error() string { return e.msg }

func newToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
