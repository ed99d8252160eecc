package expose

// Planning an access change (allow, revoke, open, restrict): the list to reach
// from the one the listener has, with the guards that refuse a lockout.

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ack-expose/ack-expose/internal/cloudenum"
	"github.com/ack-expose/ack-expose/internal/plural"
	"github.com/ack-expose/ack-expose/pkg/backend"
	"github.com/ack-expose/ack-expose/pkg/errdefs"
)

// AccessRequest is what allow or revoke asks for.
type AccessRequest struct {
	// Allow adds sources (canonical CIDR blocks, as ParseSources returns them);
	// with Only the list becomes exactly these (and the required entries).
	Allow []string
	Only  bool
	// Anyone turns access control off.
	Anyone bool
	// Revoke removes sources; Expired removes the expired ones.
	Revoke  []string
	Expired bool
	// Comment and For (a temporary entry) apply to the sources allowed.
	Comment string
	For     time.Duration
	// Force lets Revoke remove required entries.
	Force bool
}

// action names the request as the command that makes it: "allow --only", "revoke"...
func (r AccessRequest) action() string {
	switch {
	case r.Anyone:
		return "allow --anyone"
	case r.Only:
		return "allow --only"
	case len(r.Allow) > 0:
		return "allow"
	case r.Expired && len(r.Revoke) == 0:
		return "revoke --expired"
	}
	return "revoke"
}

// AccessPlan is a checked access request.
type AccessPlan struct {
	Request  AccessRequest
	Target   Target
	Cluster  *backend.Cluster
	Listener *backend.ListenerACL
	ACL      *backend.ACL // nil when the listener has none
	Required []string
	// CreateACL is set when a new ACL must be created.
	CreateACL bool
	Add       []backend.ACLEntry
	Remove    []backend.ACLEntry
	// SetListener is the listener change, if any.
	SetListener *backend.ListenerACL
	// After is the list as it will be.
	After       *AccessControl
	NothingToDo bool
	Steps       []string
	Warnings    []string
	// Lockout says how the change could cut off the context in use; Confirm
	// says why --anyone asks first.
	Lockout string
	Confirm string
	now     time.Time
}

// planAccess reads the cluster and its list and checks the request: conflicts
// (an ACL shared with other listeners, a blacklist), required entries, the
// size limit, idempotency and the lockout guard. It makes no mutating call.
func (s *Service) planAccess(ctx context.Context, t Target, r AccessRequest, now time.Time) (*AccessPlan, error) {
	c, err := s.Backend.DescribeCluster(ctx, t.ClusterID)
	if err != nil {
		return nil, err
	}
	// A context named after this cluster that reaches another would change
	// one cluster's list while its user works on the other: refused, as
	// every command that changes things refuses it.
	if t, err = s.mustReach(ctx, t, c); err != nil {
		return nil, err
	}
	return s.planAccessFor(ctx, t, c, r, now)
}

func (s *Service) planAccessFor(ctx context.Context, t Target, c *backend.Cluster, r AccessRequest, now time.Time) (*AccessPlan, error) {
	name := fmt.Sprintf("%s (%s)", c.Name, c.ID)
	if !hasAccessControl(c) {
		return nil, errdefs.Errorf(errdefs.KindUnsupported, "cluster %s is a registered cluster: its API server is not behind an ACK CLB, so its sources are controlled in its own infrastructure", name)
	}
	l, a, err := s.readAccess(ctx, c)
	if err != nil {
		return nil, err
	}
	if err := refuseForeignList(c, l, a, r, name); err != nil {
		return nil, err
	}
	p := &AccessPlan{Request: r, Target: t, Cluster: c, Listener: l, ACL: a, now: now}
	enabled := l.Status == cloudenum.ACLOn
	if r.Anyone {
		planAnyone(p, name, enabled)
		return p, nil
	}

	if p.Required, err = s.required(ctx, c); err != nil {
		return nil, err
	}
	current := []backend.ACLEntry{}
	if a != nil {
		current = a.Entries
	}
	expired := expiredCIDRs(p, current, now)
	desired, err := desiredEntries(p, current, expired)
	if err != nil {
		return nil, err
	}
	p.Add, p.Remove = entryChanges(current, desired)
	allowing := len(r.Allow) > 0
	if allowing {
		if a == nil {
			p.CreateACL = true
		}
		if !enabled || l.Type != cloudenum.ACLWhite {
			p.SetListener = &backend.ListenerACL{LoadBalancerID: l.LoadBalancerID, Port: l.Port, Status: cloudenum.ACLOn, Type: cloudenum.ACLWhite, ACLID: l.ACLID}
		}
	} else if enabled && len(desired) == 0 {
		return nil, errdefs.Errorf(errdefs.KindInvalid, "this would leave the enabled allow list empty, and an empty list lets every source through").
			WithHint("To let every source connect, say so: `kubectl ack-expose allow --anyone`.")
	}
	planSteps(p, name, expired, desired)
	if allowing && !p.NothingToDo && p.After.Enabled && p.After.Anyone() {
		// An allow list that admits every address is no restriction: say
		// so, and ask, as --anyone does.
		var cidrs []string
		for _, e := range desired {
			cidrs = append(cidrs, e.CIDR)
		}
		p.Confirm = fmt.Sprintf("the allow list would admit every IPv4 address (%s): the API server of cluster %s would accept connections from any address%s, as `kubectl ack-expose allow --anyone` (the honest spelling) does",
			EveryoneNote(cidrs), name, publicNote(c))
	}
	cutting := p.SetListener != nil || len(p.Remove) > 0
	if !p.NothingToDo && cutting && (enabled || p.SetListener != nil) && !p.After.Anyone() {
		p.Lockout = accessLockout(p)
	}
	return p, nil
}

// refuseForeignList refuses a list ack-expose must not change: one shared
// with other listeners (except to turn the listener's list off, which
// changes no other listener), or a blacklist.
func refuseForeignList(c *backend.Cluster, l *backend.ListenerACL, a *backend.ACL, r AccessRequest, name string) error {
	if a != nil {
		others := shared(a, l)
		if len(others) > 0 && !r.Anyone { // turning the listener's list off changes no other listener
			return errdefs.Errorf(errdefs.KindConflict, "the API server listener of cluster %s uses ACL %s (%s), which listeners %s use too: changing it would change who may reach them as well",
				name, a.ID, a.Name, strings.Join(others, ", ")).
				WithHint("Unbind that ACL from the API server listener, or from the other listeners, in the CLB console, then run this again: ack-expose then creates its own list %s.", ACLName(c.ID))
		}
	}
	if l.Type == cloudenum.ACLBlack && l.ACLID != "" && !r.Anyone {
		return errdefs.Errorf(errdefs.KindConflict, "the API server listener of cluster %s uses ACL %s as a blacklist (AclType black): ack-expose manages an allow list (whitelist) and will not turn a deny list into one", name, l.ACLID).
			WithHint("Turn access control of listener %d on CLB %s off, or switch it to a whitelist, in the CLB console, then run this again.", APIServerPort, l.LoadBalancerID)
	}
	return nil
}

// planAnyone plans `allow --anyone`: the listener's access control off.
func planAnyone(p *AccessPlan, name string, enabled bool) {
	l := p.Listener
	if !enabled {
		p.NothingToDo = true
		p.Steps = []string{fmt.Sprintf("nothing to do: access control of the API server of cluster %s is already off; every source may connect", name)}
	} else {
		p.SetListener = &backend.ListenerACL{LoadBalancerID: l.LoadBalancerID, Port: l.Port, Status: cloudenum.ACLOff}
		p.Steps = []string{fmt.Sprintf("turn access control off on listener %d of CLB %s: every source may connect", APIServerPort, l.LoadBalancerID)}
		p.Confirm = fmt.Sprintf("the API server of cluster %s will accept connections from any address%s", name, publicNote(p.Cluster))
	}
	p.After = accessView(afterListener(l, p.SetListener), p.ACL, nil, p.now)
}

// expiredCIDRs are the entries whose expiry (in their comment) has
// passed, except the required ones, which never expire.
func expiredCIDRs(p *AccessPlan, current []backend.ACLEntry, now time.Time) map[string]bool {
	expired := map[string]bool{}
	for _, e := range current {
		if t, ok := ParseExpiry(e.Comment); ok && !now.Before(t) && !slices.Contains(p.Required, e.CIDR) {
			expired[e.CIDR] = true
		}
	}
	return expired
}

// desiredEntries is the list the request asks for: the current entries
// (but the expired ones, and without --only), the required ones and the
// sources allowed; or the current ones but those revoked.
func desiredEntries(p *AccessPlan, current []backend.ACLEntry, expired map[string]bool) ([]backend.ACLEntry, error) {
	r, c := p.Request, p.Cluster
	has := map[string]backend.ACLEntry{}
	for _, e := range current {
		has[e.CIDR] = e
	}
	comment := r.Comment
	if r.For > 0 {
		comment = ExpiryComment(r.Comment, p.now.Add(r.For))
	}
	var desired []backend.ACLEntry
	keep := func(e backend.ACLEntry) { desired = append(desired, e) }
	in := func(cidr string) bool {
		return slices.ContainsFunc(desired, func(e backend.ACLEntry) bool { return e.CIDR == cidr })
	}
	switch {
	case len(r.Allow) > 0:
		if !r.Only {
			for _, e := range current {
				if !expired[e.CIDR] {
					keep(e)
				}
			}
		}
		for _, x := range p.Required {
			if in(x) {
				continue
			}
			if e, ok := has[x]; ok {
				keep(e)
			} else {
				keep(backend.ACLEntry{CIDR: x, Comment: requiredComment(x, c)})
			}
		}
		for _, x := range r.Allow {
			if in(x) {
				continue
			}
			if e, ok := has[x]; ok && !expired[x] {
				keep(e)
			} else {
				keep(backend.ACLEntry{CIDR: x, Comment: comment})
			}
		}
	default: // revoke
		for _, x := range r.Revoke {
			if slices.Contains(p.Required, x) && !r.Force {
				return nil, errdefs.Errorf(errdefs.KindInvalid, "%s is a required entry of the API server's allow list (%s): without it %s",
					x, requiredComment(x, c), requiredLoss(x)).
					WithHint("Keep it; or, if you are sure, run again with --force.")
			}
		}
		for _, e := range current {
			if expired[e.CIDR] || slices.Contains(r.Revoke, e.CIDR) {
				continue
			}
			keep(e)
		}
		for _, x := range r.Revoke {
			if slices.Contains(p.Required, x) && has[x].CIDR != "" {
				p.Warnings = append(p.Warnings, fmt.Sprintf("removing required entry %s: %s", x, requiredLoss(x)))
			}
		}
	}
	if len(desired) > backend.ACLEntriesMax {
		return nil, errdefs.Errorf(errdefs.KindInvalid, "the list would hold %d entries (with the %s): a CLB access control list holds at most %d; merge addresses into wider CIDR blocks, or use --only",
			len(desired), plural.N(len(p.Required), "required one", "required ones"), backend.ACLEntriesMax)
	}
	return desired, nil
}

// entryChanges is what turns the current list into the desired one.
func entryChanges(current, desired []backend.ACLEntry) (add, remove []backend.ACLEntry) {
	has := map[string]bool{}
	for _, e := range current {
		has[e.CIDR] = true
	}
	want := map[string]bool{}
	for _, e := range desired {
		want[e.CIDR] = true
		if !has[e.CIDR] {
			add = append(add, e)
		}
	}
	for _, e := range current {
		if !want[e.CIDR] {
			remove = append(remove, e)
		}
	}
	return add, remove
}

// planSteps says the plan's steps, one a line, and the list it leaves (After).
func planSteps(p *AccessPlan, name string, expired map[string]bool, desired []backend.ACLEntry) {
	l, a := p.Listener, p.ACL
	aclName := ACLName(p.Cluster.ID)
	if a != nil {
		aclName = a.Name
	}
	if p.CreateACL {
		p.Steps = append(p.Steps, fmt.Sprintf("create access control list %s", aclName))
	}
	for _, e := range p.Add {
		p.Steps = append(p.Steps, "allow "+describeEntry(e, p.Required))
	}
	for _, e := range p.Remove {
		why := ""
		if expired[e.CIDR] {
			why = " (expired)"
		}
		p.Steps = append(p.Steps, "remove "+e.CIDR+why)
	}
	if p.SetListener != nil {
		p.Steps = append(p.Steps, fmt.Sprintf("turn the allow list on for listener %d of CLB %s: only the listed sources may connect, to the public and the intranet endpoint", APIServerPort, l.LoadBalancerID))
	}
	if len(p.Steps) == 0 {
		p.NothingToDo = true
		p.Steps = []string{fmt.Sprintf("nothing to do: the allow list of cluster %s already is as requested", name)}
	}
	afterACL := &backend.ACL{ID: l.ACLID, Name: aclName, Entries: desired}
	if a != nil {
		afterACL.RelatedListeners = a.RelatedListeners
	}
	after := afterListener(l, p.SetListener)
	if p.CreateACL {
		after.ACLID = "(new)"
	}
	p.After = accessView(after, afterACL, p.Required, p.now)
}

func afterListener(l *backend.ListenerACL, set *backend.ListenerACL) *backend.ListenerACL {
	out := *l
	if set != nil {
		if set.Status != "" {
			out.Status = set.Status
		}
		if set.Type != "" {
			out.Type = set.Type
		}
		if set.ACLID != "" {
			out.ACLID = set.ACLID
		}
	}
	return &out
}

func publicNote(c *backend.Cluster) string {
	if c.PublicEndpoint != "" {
		return ", including every address on the Internet through " + c.PublicEndpoint
	}
	return ""
}

func requiredComment(cidr string, c *backend.Cluster) string {
	if cidr == RequiredControlPlaneCIDR {
		return "required: ACK control plane"
	}
	return "required: VPC " + c.VPCID
}

func requiredLoss(cidr string) string {
	if cidr == RequiredControlPlaneCIDR {
		return "ACK's control-plane components can no longer reach the API server, and the cluster stops being managed"
	}
	return "nodes and pods in that VPC block can no longer reach the API server"
}

func describeEntry(e backend.ACLEntry, required []string) string {
	s := e.CIDR
	if slices.Contains(required, e.CIDR) {
		s += " (required)"
	}
	if e.Comment != "" && !slices.Contains(required, e.CIDR) {
		s += fmt.Sprintf(" %q", e.Comment)
	}
	return s
}

// accessLockout says how a change of the list could cut off the context in use.
func accessLockout(p *AccessPlan) string {
	if p.Target.Server == "" {
		return ""
	}
	ctxName := p.Target.Context
	if ctxName == "" {
		ctxName = "in use"
	}
	return fmt.Sprintf("this %s limits who may reach the API server of cluster %s, through both endpoints: context %q (server %s) stops working if this machine connects from an address the list does not allow; include the address you connect from (for example `kubectl ack-expose allow <your public IP>`)",
		p.Request.action(), p.Cluster.Name, ctxName, p.Target.Server)
}
