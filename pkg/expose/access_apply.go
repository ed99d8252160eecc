package expose

import (
	"context"
	"errors"
	"fmt"

	"github.com/ack-expose/ack-expose/internal/cloudenum"
	"github.com/ack-expose/ack-expose/internal/plural"
	"github.com/ack-expose/ack-expose/pkg/backend"
	"github.com/ack-expose/ack-expose/pkg/errdefs"
)

// Who may reach the API server: the access control list on the port 6443
// listener of the API server's CLB. One list governs both the public and the
// intranet endpoint; an enabled whitelist without entries lets every source
// through, so a whitelist is never enabled empty, and it always keeps the
// entries ACK and the nodes need (RequiredControlPlaneCIDR and the VPC's CIDR blocks).

// APIServerPort is the API server listener of the CLB.
const APIServerPort = 6443

// RequiredControlPlaneCIDR is where ACK's control-plane components connect from.
const RequiredControlPlaneCIDR = "100.104.0.0/16"

// ACLName is the name of the ACL ack-expose creates for a cluster.
func ACLName(clusterID string) string { return "ack-expose-" + clusterID }

// applyAccess carries out an access plan: entries are added before the list
// is turned on, so it is never on with fewer entries than planned. A step
// that fails returns the operation with the error: op.Changed says whether
// an earlier step changed the list (a batch of entries, say).
func (s *Service) applyAccess(ctx context.Context, p *AccessPlan, o ApplyOptions) (_ *Operation, err error) {
	op := &Operation{Action: p.Request.action(), DryRun: o.DryRun, Steps: p.Steps}
	op.Warnings = append(op.Warnings, p.Warnings...)
	if p.Lockout != "" {
		op.Warnings = append(op.Warnings, p.Lockout)
	}
	if p.NothingToDo || o.DryRun {
		return op, nil
	}
	if err := p.ask(o); err != nil {
		return nil, err
	}
	op.Steps = nil
	c, l := p.Cluster, p.Listener
	aclID := l.ACLID
	if p.CreateACL {
		var id string
		var created bool
		if id, created, err = s.clusterACL(ctx, p, op); err != nil {
			return op, err
		}
		aclID = id
		if created {
			// A list this run created and could not attach is deleted, not
			// left behind (50 lists per region).
			defer func() {
				if err != nil {
					s.dropACL(ctx, c, id, op)
				}
			}()
		}
	}
	if err := s.changeEntries(ctx, p, op, aclID); err != nil {
		return op, err
	}
	if err := s.setListener(ctx, p, op, aclID); err != nil {
		return op, err
	}
	if p.After != nil && p.CreateACL {
		p.After.AclID = aclID
	}
	return op, nil
}

// changeEntries adds and removes the plan's entries, in batches the API
// takes; add first, so the list never holds less than planned, unless
// adding first would pass the entry limit.
func (s *Service) changeEntries(ctx context.Context, p *AccessPlan, op *Operation, aclID string) error {
	c := p.Cluster
	add := func() error {
		for lo := 0; lo < len(p.Add); lo += backend.ACLEntriesPerCall {
			batch := p.Add[lo:min(lo+backend.ACLEntriesPerCall, len(p.Add))]
			if err := s.Backend.AddACLEntries(ctx, c.RegionID, aclID, batch); err != nil {
				return err
			}
			op.Changed = true
			for _, e := range batch {
				s.step(op, "allowed %s", describeEntry(e, p.Required))
			}
		}
		return nil
	}
	remove := func() error {
		for lo := 0; lo < len(p.Remove); lo += backend.ACLEntriesPerCall {
			batch := p.Remove[lo:min(lo+backend.ACLEntriesPerCall, len(p.Remove))]
			if err := s.Backend.RemoveACLEntries(ctx, c.RegionID, aclID, batch); err != nil {
				return err
			}
			op.Changed = true
			for _, e := range batch {
				s.step(op, "removed %s", e.CIDR)
			}
		}
		return nil
	}
	first, second := add, remove
	if p.ACL != nil && len(p.ACL.Entries)+len(p.Add) > backend.ACLEntriesMax {
		first, second = remove, add
	}
	if err := first(); err != nil {
		return err
	}
	return second()
}

// setListener turns the listener's access control on (with the list) or
// off, as planned; a list this run found or created is attached only if
// the listener still is as planned.
func (s *Service) setListener(ctx context.Context, p *AccessPlan, op *Operation, aclID string) error {
	set := p.SetListener
	if set == nil {
		return nil
	}
	l := p.Listener
	c := p.Cluster
	req := *set
	if req.Status == cloudenum.ACLOn {
		req.ACLID = aclID
	}
	if p.CreateACL {
		if err := s.checkListenerUnchanged(ctx, p, aclID); err != nil {
			return err
		}
	}
	if err := s.Backend.SetListenerACL(ctx, c.RegionID, req); err != nil {
		return err
	}
	op.Changed = true
	if req.Status == cloudenum.ACLOff {
		s.step(op, "turned access control off on listener %d of CLB %s: every source may connect", APIServerPort, l.LoadBalancerID)
	} else {
		s.step(op, "turned the allow list %s on for listener %d of CLB %s", aclID, APIServerPort, l.LoadBalancerID)
	}
	return nil
}

// ask puts the lockout guard's question, and the plan's own, to o.Confirm.
func (p *AccessPlan) ask(o ApplyOptions) error {
	for _, ask := range []string{p.Lockout, p.Confirm} {
		if ask != "" && (o.Confirm == nil || !o.Confirm(ask)) {
			return &errdefs.Error{Kind: errdefs.KindRefused, Msg: "refused: " + ask,
				Hint: "Run again with --yes to go ahead anyway, or use --dry-run to review the plan."}
		}
	}
	return nil
}

// accessResult is the result of allow and revoke.
func (s *Service) accessResult(ctx context.Context, p *AccessPlan, op *Operation) (*Exposure, error) {
	e, err := s.currentEIP(ctx, p.Cluster)
	if err != nil {
		return nil, err
	}
	x := newExposure(p.Cluster, p.Target.Context, e)
	x.AccessControl = p.After
	if op.DryRun || !op.Changed {
		x.AccessControl = accessView(p.Listener, p.ACL, p.Required, p.now)
	}
	x.Operation = op
	return x, nil
}

// The ACL ack-expose creates for a cluster is named ACLName(cluster ID), and
// ACL names are unique in a region: a run that finds no list on the listener
// first looks for that name, and uses the list it finds (left by a run that
// failed before attaching it, or made by a run racing this one) instead of
// creating another. Two runs that both find none and both create: the cloud
// refuses the second name (AclNameExist), and that run uses the first's list.
// A list this run created and could not attach is deleted.

// codeACLNameExists is the cloud's error code for an ACL name already used in the region.
const codeACLNameExists = "AclNameExist"

// codeACLInUse is the cloud's error code for deleting an ACL a listener uses.
const codeACLInUse = "AclInUsed"

// clusterACL returns the cluster's ack-expose ACL, found or created; created
// says this run created it. A list found is read, and the plan adjusted to it:
// only the entries it lacks are added, and (--only) the others removed.
func (s *Service) clusterACL(ctx context.Context, p *AccessPlan, op *Operation) (id string, created bool, err error) {
	c := p.Cluster
	name := ACLName(c.ID)
	find := func() (string, error) {
		list, err := s.Backend.FindACLs(ctx, c.RegionID, name)
		if err != nil {
			return "", fmt.Errorf("looking for access control list %s: %w", name, err)
		}
		if len(list) == 0 {
			return "", nil
		}
		return list[0].ID, nil
	}
	if id, err = find(); err != nil {
		return "", false, err
	}
	if id == "" {
		id, err = s.Backend.CreateACL(ctx, c.RegionID, name)
		if err == nil {
			op.Changed = true
			s.step(op, "created access control list %s (%s)", name, id)
			return id, true, nil
		}
		var e *errdefs.Error
		if !errors.As(err, &e) || e.Code != codeACLNameExists {
			return "", false, fmt.Errorf("creating the access control list: %w", err)
		}
		// Another run created it meanwhile.
		if id, err = find(); err != nil || id == "" {
			return "", false, fmt.Errorf("creating the access control list %s: the cloud says the name is taken, but no list of that name is found: %w", name, err)
		}
	}
	if err := s.adoptACL(ctx, p, id); err != nil {
		return "", false, err
	}
	s.step(op, "using access control list %s (%s), which exists already with %s", name, id, plural.N(len(p.ACL.Entries), "entry", "entries"))
	return id, false, nil
}

// adoptACL adjusts a plan made for a new, empty list to the existing list id.
func (s *Service) adoptACL(ctx context.Context, p *AccessPlan, id string) error {
	a, err := s.Backend.DescribeACL(ctx, p.Cluster.RegionID, id)
	if err != nil {
		return fmt.Errorf("reading access control list %s: %w", id, err)
	}
	var users []string
	for _, r := range a.RelatedListeners {
		if r.LoadBalancerID != p.Listener.LoadBalancerID || r.Port != p.Listener.Port {
			users = append(users, fmt.Sprintf("%s:%d", r.LoadBalancerID, r.Port))
		}
	}
	if len(users) > 0 { // a racing run attaching it to this listener is fine
		return errdefs.Errorf(errdefs.KindConflict, "access control list %s (%s) already exists and is used by listeners %v, while the API server listener of cluster %s uses no list", a.Name, id, users, p.Cluster.ID).
			WithHint("Another run may be changing this cluster's list right now: check with `kubectl ack-expose status`, then run this again.")
	}
	has := map[string]bool{}
	for _, e := range a.Entries {
		has[e.CIDR] = true
	}
	var add []backend.ACLEntry
	want := map[string]bool{}
	for _, e := range p.Add {
		want[e.CIDR] = true
		if !has[e.CIDR] {
			add = append(add, e)
		}
	}
	p.Add = add
	for _, e := range a.Entries {
		switch {
		case want[e.CIDR]:
		case p.Request.Only:
			p.Remove = append(p.Remove, e)
		default: // allow keeps what is listed
			if p.After != nil {
				p.After.Entries = append(p.After.Entries, entryView(e, p.Required, p.now))
			}
		}
	}
	p.ACL = a
	return nil
}

// checkListenerUnchanged makes sure, before attaching the list aclID, that
// no other list was attached to the listener since the plan read it.
func (s *Service) checkListenerUnchanged(ctx context.Context, p *AccessPlan, aclID string) error {
	l := p.Listener
	now, err := s.Backend.DescribeListenerACL(ctx, p.Cluster.RegionID, l.LoadBalancerID, l.Port)
	if err != nil {
		return err
	}
	if now.ACLID == "" || now.ACLID == aclID {
		return nil
	}
	return errdefs.Errorf(errdefs.KindConflict, "the API server listener of cluster %s was given access control list %s while this ran (another run, or the console): not replacing it", p.Cluster.ID, now.ACLID).
		WithHint("Check with `kubectl ack-expose status`, then run this again: it then changes that list.")
}

// dropACL deletes a list this run created and did not attach; when it cannot,
// it says which list is left.
func (s *Service) dropACL(ctx context.Context, c *backend.Cluster, id string, op *Operation) {
	if err := s.Backend.DeleteACL(context.WithoutCancel(ctx), c.RegionID, id); err != nil {
		var e *errdefs.Error
		if errors.As(err, &e) && e.Code == codeACLInUse {
			return // attached after all (an answer lost), or by a racing run: not orphaned
		}
		msg := fmt.Sprintf("access control list %s (%s), created by this run, is left unattached: deleting it failed: %s; delete it in the CLB console, or the next allow uses it", ACLName(c.ID), id, errdefs.FirstLine(err))
		op.Warnings = append(op.Warnings, msg)
		s.warn("%s", msg)
		return
	}
	s.note("deleted access control list %s (%s), which this run created and could not attach", ACLName(c.ID), id)
}
