package expose

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ack-expose/ack-expose/internal/kubeserver"
	"github.com/ack-expose/ack-expose/pkg/backend"
	"github.com/ack-expose/ack-expose/pkg/errdefs"
)

// Apply's wait: following the cluster's task to the end, and what a failed
// or abandoned wait leaves.

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
	if kubeserver.EndpointHost(now.PublicEndpoint) != a.newEIP.IPAddress {
		return nil, nil, false
	}
	list, err := a.s.lookupEIPs(ctx, a.c.RegionID, backend.EIPQuery{AllocationIDs: []string{a.newEIP.AllocationID}})
	if err != nil || len(list) == 0 || list[0].Status != backend.EIPInUse {
		return nil, nil, false
	}
	return now, &list[0], true
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
