package expose

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/ack-expose/ack-expose/pkg/backend"
	"github.com/ack-expose/ack-expose/pkg/errdefs"
)

// Apply's EIP: allocating it (with a token that finds it again after a lost
// answer) and releasing it when the change did not happen.

// allocate allocates the new EIP, marked as ack-expose's in the cloud and
// recorded in the journal before the request is sent.
func (a *applier) allocate() error {
	s, c := a.s, a.c
	spec := *a.p.Request.Allocate
	spec.ClientToken = newToken()
	spec.Name = allocatedName(c.ID)
	spec.Description = allocatedDescription(c.ID, spec.ClientToken)
	pending := Record{Kind: RecordAllocated, ClusterID: c.ID, RegionID: c.RegionID, ClientToken: spec.ClientToken}
	if err := s.journalPut(a.opCtx, pending); err != nil {
		return errdefs.Errorf(errdefs.KindInvalid, "nothing was changed: the allocation could not be recorded in the journal first (%v)", err).
			WithHint("Make the journal's directory writable.")
	}
	if err := a.opCtx.Err(); err != nil {
		// Out of time (or interrupted) before the request: nothing sent,
		// nothing to look for.
		s.journalForget(pending)
		return a.stopped(err, "nothing was changed on cluster "+a.clusterName()+"; allocating an EIP", "")
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
	if err := s.journalPut(a.opCtx, Record{Kind: RecordAllocated, ClusterID: c.ID, RegionID: c.RegionID, AllocationID: e.AllocationID, IPAddress: e.IPAddress}); err != nil && s.Log != nil {
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
	err := a.s.journalPut(a.opCtx, Record{Kind: RecordRelease, ClusterID: a.c.ID, RegionID: a.c.RegionID, AllocationID: old.AllocationID, IPAddress: old.IPAddress})
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

// releaseAllocated releases the EIP this run allocated, if it is free, and
// says what became of it. It never releases an EIP bound to anything.
// releaseRecovered records e, an EIP this operation allocated whose answer
// was lost and has now been found, in place of the pending record, and
// releases it; the hint names cleanup when that did not finish.
func (a *applier) releaseRecovered(e *backend.EIP, pending Record) (note, hint string) {
	c := a.c
	a.allocated = e
	_ = a.s.journalPut(a.opCtx, Record{Kind: RecordAllocated, ClusterID: c.ID, RegionID: c.RegionID, AllocationID: e.AllocationID, IPAddress: e.IPAddress})
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

func newToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
