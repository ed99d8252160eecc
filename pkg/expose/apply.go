package expose

import (
	"context"
	"fmt"
	"strings"
	"time"

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

// apply carries out a plan: allocate (if asked), modify the cluster, wait for
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
func (s *Service) apply(ctx context.Context, p *Plan, o ApplyOptions) (*Exposure, error) {
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

func (a *applier) clusterName() string { return clusterName(a.c) }

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
