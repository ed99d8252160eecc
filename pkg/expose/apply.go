package expose

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/ack-expose/ack-expose/pkg/errdefs"

	"github.com/ack-expose/ack-expose/pkg/backend"
)

// Progress receives what the lifecycle is doing. Step reports a finished
// step; Waiting reports the state of a wait in progress, repeatedly.
type Progress interface {
	Step(msg string)
	Waiting(msg string, elapsed time.Duration)
}

// ApplyOptions control how a plan is carried out.
type ApplyOptions struct {
	DryRun  bool
	Wait    bool
	Timeout time.Duration
	// Confirm asks the user to accept the lockout described; nil refuses.
	Confirm func(lockout string) bool
}

// Apply carries out a plan: allocate (if asked), modify the cluster, wait for
// the task, the cluster and the EIP to settle, then release (if asked). An EIP
// it allocated is released again if anything fails before the cloud took the
// change over, so nothing leaks.
func (s *Service) Apply(ctx context.Context, p *Plan, o ApplyOptions) (_ *Exposure, retErr error) {
	op := &Operation{Action: string(p.Request.Action), DryRun: o.DryRun, Steps: p.Steps}
	result := func(c *backend.Cluster, e *backend.EIP) *Exposure {
		x := newExposure(c, p.Target.Context, e)
		x.Operation = op
		return x
	}
	if p.Lockout != "" {
		op.Warnings = append(op.Warnings, p.Lockout)
	}
	if p.NothingToDo {
		return result(p.Cluster, p.Current), nil
	}
	if o.DryRun {
		return result(p.Cluster, p.Current), nil
	}
	if p.Lockout != "" && (o.Confirm == nil || !o.Confirm(p.Lockout)) {
		return nil, &errdefs.Error{Kind: errdefs.KindRefused, Msg: "refused: " + p.Lockout,
			Hint: "Run again with --yes to go ahead anyway, or use --dry-run to review the plan."}
	}
	op.Steps = nil
	c := p.Cluster

	newEIP := p.New
	modifyStarted := false
	if p.Request.Allocate != nil {
		spec := *p.Request.Allocate
		if spec.ClientToken == "" {
			spec.ClientToken = newToken()
		}
		if spec.Name == "" {
			spec.Name = "ack-expose-" + c.Name
		}
		if spec.Description == "" {
			spec.Description = "API server EIP of ACK cluster " + c.ID + ", allocated by kubectl ack-expose"
		}
		e, err := s.Backend.AllocateEIP(ctx, c.RegionID, spec)
		if err != nil {
			return nil, fmt.Errorf("allocating an EIP: %w", err)
		}
		newEIP = e
		op.AllocatedEIP = e.AllocationID
		s.step(op, "allocated EIP %s", describeEIP(e))
		defer func() {
			if retErr != nil && !modifyStarted {
				retErr = s.rollback(e, c.RegionID, retErr)
			}
		}()
	}

	eipID := ""
	if newEIP != nil {
		eipID = newEIP.AllocationID
	}
	if err := ctx.Err(); err != nil {
		return nil, interrupted(c, "")
	}
	taskID, err := s.Backend.ModifyAPIServerEIP(ctx, c.ID, eipID)
	if err != nil {
		if ctx.Err() != nil {
			// Interrupted mid-request: the cloud may have taken the change, so
			// an allocated EIP must stay; say where things stand instead.
			modifyStarted = true
			ie := interrupted(c, "")
			ie.Msg = "interrupted while requesting the change; it may or may not have been accepted"
			ie.Hint = fmt.Sprintf("Check with `kubectl ack-expose status --cluster-id %s`.", c.ID)
			if op.AllocatedEIP != "" {
				ie.Hint += fmt.Sprintf(" If the cluster does not use it, release the EIP %s allocated for this operation.", op.AllocatedEIP)
			}
			return nil, ie
		}
		return nil, err
	}
	// From here the cloud owns the change: an allocated EIP is released only
	// if the task itself fails, never because we stopped watching.
	modifyStarted = true
	op.TaskID = taskID
	op.Changed = true
	switch p.Request.Action {
	case Disassociate:
		s.step(op, "requested disassociation of EIP %s from cluster %s (task %s)", currentName(p), c.Name, taskID)
	default:
		s.step(op, "requested association of EIP %s with cluster %s (task %s)", describeEIP(newEIP), c.Name, taskID)
	}

	if !o.Wait {
		x, err := s.Status(ctx, p.Target)
		if err != nil {
			return nil, err
		}
		x.Operation = op
		op.Warnings = append(op.Warnings, fmt.Sprintf("not waiting: the operation continues; follow it with `kubectl ack-expose status --cluster-id %s`", c.ID))
		return x, nil
	}

	waitCtx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	if _, err := s.waitTask(waitCtx, taskID); err != nil {
		// A failed task is over: nothing holds the new EIP any more.
		var failed *taskFailedError
		modifyStarted = !errors.As(err, &failed)
		return nil, s.waitError(ctx, err, c, taskID, o.Timeout)
	}

	final, err := s.waitCluster(waitCtx, c.ID)
	if err != nil {
		return nil, s.waitError(ctx, err, c, taskID, o.Timeout)
	}
	var settled *backend.EIP
	if newEIP != nil {
		if settled, err = s.waitEIP(waitCtx, c.RegionID, newEIP.AllocationID, backend.EIPInUse); err != nil {
			return nil, s.waitError(ctx, err, c, taskID, o.Timeout)
		}
	}
	s.step(op, "cluster %s is %s; public endpoint: %s", final.Name, final.State, orNone(final.PublicEndpoint))

	if p.Request.Release && p.Current != nil {
		if _, err := s.waitEIP(waitCtx, c.RegionID, p.Current.AllocationID, backend.EIPAvailable); err != nil {
			return nil, s.waitError(ctx, err, c, taskID, o.Timeout)
		}
		if err := s.Backend.ReleaseEIP(ctx, c.RegionID, p.Current.AllocationID); err != nil {
			return nil, fmt.Errorf("the EIP change succeeded, but releasing the old EIP %s failed (release it in the VPC console): %w", describeEIP(p.Current), err)
		}
		op.ReleasedEIP = p.Current.AllocationID
		s.step(op, "released EIP %s", describeEIP(p.Current))
	}
	return result(final, settled), nil
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func (s *Service) step(op *Operation, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	op.Steps = append(op.Steps, msg)
	if s.Progress != nil {
		s.Progress.Step(msg)
	}
}

// rollback releases an EIP allocated by a failed operation, and says so in the error.
func (s *Service) rollback(e *backend.EIP, region string, cause error) error {
	// The operation's context may be cancelled; the rollback must still happen.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, werr := s.waitEIP(ctx, region, e.AllocationID, backend.EIPAvailable); werr == nil {
		if rerr := s.Backend.ReleaseEIP(ctx, region, e.AllocationID); rerr == nil {
			if s.Progress != nil {
				s.Progress.Step(fmt.Sprintf("released EIP %s, which this operation had allocated", describeEIP(e)))
			}
			return fmt.Errorf("%w\n(the EIP %s allocated for this operation was released again)", cause, describeEIP(e))
		} else {
			return fmt.Errorf("%w\nand releasing the EIP %s allocated for this operation failed too: %v; release it in the VPC console", cause, describeEIP(e), rerr)
		}
	} else {
		return fmt.Errorf("%w\nand the EIP %s allocated for this operation could not be released: %v; release it in the VPC console", cause, describeEIP(e), werr)
	}
}

// taskFailedError is a task that ended in failure: the cloud gave up the change.
type taskFailedError struct{ msg string }

func (e *taskFailedError) Error() string { return e.msg }

// waitError turns a failed wait into the error the user sees: timed out or
// interrupted (the operation goes on), or failed (with the cluster's state now).
func (s *Service) waitError(ctx context.Context, err error, c *backend.Cluster, taskID string, timeout time.Duration) error {
	if ctx.Err() != nil {
		return interrupted(c, taskID)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &errdefs.Error{Kind: errdefs.KindTimeout,
			Msg:  fmt.Sprintf("timed out after %s waiting for task %s on cluster %s; the operation continues in the cloud", timeout, taskID, c.ID),
			Hint: fmt.Sprintf("Check on it with `kubectl ack-expose status --cluster-id %s`.", c.ID)}
	}
	var failed *taskFailedError
	if errors.As(err, &failed) {
		// Say where the failed task left the cluster: one more read.
		rctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if now, rerr := s.Backend.DescribeCluster(rctx, c.ID); rerr == nil {
			return fmt.Errorf("%w\ncluster %s is now %s, public endpoint: %s", err, now.Name, now.State, orNone(now.PublicEndpoint))
		}
	}
	return err
}

func interrupted(c *backend.Cluster, taskID string) *errdefs.Error {
	msg := "interrupted before any change was made"
	hint := ""
	if taskID != "" {
		msg = fmt.Sprintf("interrupted while waiting; the operation continues in the cloud (task %s)", taskID)
		hint = fmt.Sprintf("Check on it with `kubectl ack-expose status --cluster-id %s`.", c.ID)
	}
	return &errdefs.Error{Kind: errdefs.KindInterrupted, Msg: msg, Hint: hint}
}

func newToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
