package expose

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ack-expose/ack-expose/internal/kubeserver"
	"github.com/ack-expose/ack-expose/internal/plural"
	"github.com/ack-expose/ack-expose/pkg/backend"
	"github.com/ack-expose/ack-expose/pkg/errdefs"
)

// Kubeconfig is what the lifecycle asks of the user's kubeconfig files when a
// change moves the public endpoint (pkg/kubeconfig's Source is one): which
// cluster entries point at an endpoint, and repointing them. The lifecycle
// itself reads and writes no file.
type Kubeconfig interface {
	// CheckWritable fails if the entries on endpoint could not be repointed.
	CheckWritable(endpoint string) error
	// ClustersAt lists the cluster entries whose server is endpoint.
	ClustersAt(endpoint string) ([]kubeserver.EndpointUse, error)
	// Repoint points the cluster entries on from at to, and lists them.
	Repoint(from, to string) ([]kubeserver.EndpointUse, error)
}

// Run is the one call of associate, change and disassociate: it plans the
// request, says first what the user should know (Progress.Warn: a context
// named after another cluster, the lockout on a dry run), restricts the
// sources before the EIP is associated (Request.Allow, with commit confirmed:
// ApplyOptions.Commit), applies the plan, says whether the API server is now
// open to any address, keeps the kubeconfig entries on the old endpoint
// (Request.UpdateKubeconfig), and checks the new endpoint (ApplyOptions.Check).
//
// As with Apply, an exposure comes back with the error when the cloud
// accepted the change but the wait ended early.
func (s *Service) Run(ctx context.Context, t Target, r Request, o ApplyOptions) (*Exposure, error) {
	defer s.progressDone()
	// --timeout bounds the whole operation, its first reads included.
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Minute
	}
	o.deadline = time.Now().Add(o.Timeout)
	pctx, cancel := context.WithDeadline(ctx, o.deadline)
	defer cancel()
	p, err := s.plan(pctx, t, r)
	if err != nil {
		if ctx.Err() != nil {
			return nil, errdefs.Errorf(errdefs.KindInterrupted, "interrupted before any change was made: nothing was changed")
		}
		if pctx.Err() != nil {
			return nil, errdefs.Errorf(errdefs.KindTimeout, "timed out after %s before any change was made (reading the cluster and the EIPs): nothing was changed", o.Timeout)
		}
		return nil, err
	}
	if m := p.Target.Mismatch; m != nil {
		// Its server reaches no cluster (a context named after another is refused).
		s.warn("%s. %s", m.Error(), m.Fix())
	}
	if r.UpdateKubeconfig && r.Action == Change && !o.DryRun && !p.NothingToDo && p.Cluster.PublicEndpoint != "" && s.Kubeconfig != nil {
		// Repointing must not fail after the change: check the files first.
		if err := s.Kubeconfig.CheckWritable(p.Cluster.PublicEndpoint); err != nil {
			return nil, fmt.Errorf("--update-kubeconfig: %w", err) // says nothing was changed
		}
	}
	if o.DryRun && p.Lockout != "" {
		s.warn("%s. Without --yes this would be refused.", p.Lockout)
	}
	allowed, err := s.restrictFirst(ctx, p, o)
	if err != nil {
		return nil, err
	}
	x, err := s.apply(ctx, p, o)
	if err != nil && allowed != nil && !o.DryRun {
		err = listStays(err, allowed, p.Cluster)
	}
	if err != nil {
		if x != nil && r.UpdateKubeconfig && x.Operation != nil && x.Operation.Phase == PhaseDone {
			// The change is done and a later step (the release) failed: the
			// kubeconfig follows the change all the same, or its context
			// would be left on the old address.
			if kerr := s.updateKubeconfig(p, x); kerr != nil {
				s.warn("updating the kubeconfig failed too: %v", kerr)
			}
		}
		return x, err
	}
	if allowed != nil {
		x.AccessControl = allowed
	}
	s.warnOpen(ctx, p, x)
	if x.AccessControl == nil && r.Action == Change {
		// The new EIP admits whom the list admits: say so, as status does.
		x.AccessControl = s.AccessStatus(ctx, p.Cluster, time.Now())
	}
	if r.UpdateKubeconfig && (x.Operation.Changed || x.Operation.DryRun) {
		if err := s.updateKubeconfig(p, x); err != nil {
			return nil, fmt.Errorf("the %s succeeded, but updating the kubeconfig failed: %w", r.Action, err)
		}
	}
	s.namesFollow(p, x)
	if op := x.Operation; o.Check != nil && o.Wait && !op.DryRun && op.Changed && x.PublicEndpoint != "" {
		// With the context's CA as resolved: the check is of this machine's view.
		if c := CheckExposure(ctx, o.Check, x, t, false); !c.OK() {
			s.warn("the change is done, but the check of %s from this machine failed: %s", c.Endpoint, c.Summary())
		}
	}
	return x, nil
}

// listStays adds to the error of an associate that failed after --allow set
// the allow list what the list is now (it stays: it is the user's
// restriction) and how to turn it off. The kind, and so the exit code, is
// err's.
func listStays(err error, a *AccessControl, c *backend.Cluster) error {
	var cidrs []string
	for _, e := range a.Entries {
		cidrs = append(cidrs, e.CIDR)
	}
	hint := fmt.Sprintf("The source allow list that --allow set stays on (%s list %s, %s: %s): only those sources may reach the API server, through its intranet endpoint too. To turn it off: `kubectl ack-expose allow --anyone --cluster-id %s --yes`.",
		a.Type, a.AclID, plural.N(len(cidrs), "entry", "entries"), strings.Join(cidrs, ", "), c.ID)
	return &errdefs.Error{Kind: errdefs.KindOf(err), Err: err, Hint: hint}
}

// restrictFirst applies Request.Allow before the EIP is associated, so the
// API server is never open to the world, not even for a moment. On a dry run
// it adds the planned list changes to the plan's steps.
func (s *Service) restrictFirst(ctx context.Context, p *Plan, o ApplyOptions) (*AccessControl, error) {
	if len(p.Request.Allow) == 0 {
		return nil, nil
	}
	if !o.DryRun && o.LockAccess != nil {
		unlock, err := o.LockAccess(ctx, p.Cluster.ID)
		if err != nil {
			return nil, err
		}
		defer unlock()
	}
	ap, err := s.planAccessFor(ctx, p.Target, p.Cluster, AccessRequest{Allow: p.Request.Allow}, time.Now())
	if err != nil {
		return nil, err
	}
	s.announceCommit(ap, o)
	if o.DryRun {
		if ap.Lockout != "" {
			s.warn("%s. Without --yes this would be refused.", ap.Lockout)
		}
		if !ap.NothingToDo {
			p.Steps = append(append([]string{}, ap.Steps...), p.Steps...)
		}
		return ap.After, nil
	}
	// Commit confirmed: the list turned on is checked from this machine (through
	// the endpoint the context uses, the intranet one until the EIP is there)
	// and reverted, before anything is associated, if it cut this machine off.
	if _, err := s.applyAccessConfirmed(ctx, ap, ApplyOptions{Confirm: o.Confirm, Commit: o.Commit}); err != nil {
		return nil, fmt.Errorf("restricting the sources before associating the EIP (no EIP was associated): %w", err)
	}
	return ap.After, nil
}

// warnOpen says, after an associate, that a cluster whose list admits every
// address (off, a blacklist, 0.0.0.0/0 or a covering set, with or without
// --allow) is now reachable from any address.
func (s *Service) warnOpen(ctx context.Context, p *Plan, x *Exposure) {
	op := x.Operation
	if p.Request.Action != Associate || op == nil || (!op.Changed && !op.DryRun) {
		return
	}
	a := x.AccessControl
	if a == nil || len(p.Request.Allow) == 0 {
		a = s.AccessStatus(ctx, p.Cluster, time.Now())
		x.AccessControl = a
	}
	if a != nil && a.Error != "" {
		msg := fmt.Sprintf("who may reach the API server of cluster %s is unknown: the allow list could not be read: %s; see `kubectl ack-expose status`", x.Cluster.Name, a.Error)
		op.Warnings = append(op.Warnings, msg)
		s.warn("%s", msg)
		return
	}
	if a == nil || !a.Anyone() {
		return
	}
	cluster := &x.Cluster
	endpoint := x.PublicEndpoint
	if endpoint == "" {
		endpoint = "its public endpoint"
	}
	msg := fmt.Sprintf("the API server of cluster %s is now reachable from any address on the Internet at %s (%s); restrict it with `kubectl ack-expose allow --only CIDR...`", cluster.Name, endpoint, a.OpenReason())
	if op.DryRun {
		msg = fmt.Sprintf("the API server of cluster %s would be reachable from any address on the Internet (%s); restrict it first with `kubectl ack-expose associate ... --allow CIDR...` or `kubectl ack-expose allow --only CIDR...`", cluster.Name, a.OpenReason())
	}
	op.Warnings = append(op.Warnings, msg)
	s.warn("%s", msg)
}

// updateKubeconfig repoints (change) or reports (disassociate) the kubeconfig
// cluster entries on the old public endpoint; on a dry run it only says so.
func (s *Service) updateKubeconfig(p *Plan, x *Exposure) error {
	op := x.Operation
	old := p.Cluster.PublicEndpoint
	if old == "" || s.Kubeconfig == nil {
		return nil // associate: no entry can point at an endpoint that did not exist
	}
	// The new endpoint: the result's, or on a dry run the planned EIP's
	// (unknown until --allocate has allocated it).
	next := x.PublicEndpoint
	if op.DryRun {
		next = "the new EIP's endpoint"
		if p.New != nil {
			next = kubeserver.WithHost(old, p.New.IPAddress)
		}
	}
	var uses []kubeserver.EndpointUse
	var err error
	action := KubeconfigUnreachable
	switch {
	case p.Request.Action == Disassociate:
		uses, err = s.Kubeconfig.ClustersAt(old)
	case op.DryRun:
		uses, err = s.Kubeconfig.ClustersAt(old)
		action = KubeconfigWouldRepoint
	default:
		uses, err = s.Kubeconfig.Repoint(old, next)
		action = KubeconfigRepointed
	}
	if err != nil {
		return err
	}
	for _, u := range uses {
		e := KubeconfigEntry{File: u.File, Cluster: u.Cluster, Server: u.Server, Action: action}
		if action == KubeconfigUnreachable {
			s.note("kubeconfig: cluster %q in %s points at %s, which no longer reaches the cluster", u.Cluster, u.File, old)
		} else {
			e.Server = next
			s.note("kubeconfig: %s cluster %q in %s from %s to %s", action, u.Cluster, u.File, old, next)
		}
		op.Kubeconfig = append(op.Kubeconfig, e)
	}
	return nil
}

// namesFollow says, after a change (or its dry run) of a cluster whose
// certificate holds DNS names, that those names' DNS records must follow the
// new EIP: ack-expose does not manage DNS, and leaves the kubeconfig
// entries that reach the cluster by a name alone (they are listed, "kept").
func (s *Service) namesFollow(p *Plan, x *Exposure) {
	op, old := x.Operation, p.Cluster.PublicEndpoint
	if p.Request.Action != Change || op == nil || (!op.Changed && !op.DryRun) || old == "" {
		return
	}
	next := "the new EIP"
	if !op.DryRun && x.PublicEndpoint != "" {
		next = kubeserver.EndpointHost(x.PublicEndpoint)
	} else if p.New != nil {
		next = p.New.IPAddress
	}
	// The context in use, when it reaches the endpoint by a DNS name the
	// certificate need not hold (tls-server-name), is kept as well.
	if host := kubeserver.EndpointHost(p.Target.Server); p.Request.UpdateKubeconfig && s.Kubeconfig != nil && isDNSName(host) && p.Target.Kube.Reaches(old) && !slices.Contains(p.Cluster.ExtraSANs, host) {
		if uses, err := s.Kubeconfig.ClustersAt(p.Target.Server); err == nil {
			for _, u := range uses {
				op.Kubeconfig = append(op.Kubeconfig, KubeconfigEntry{File: u.File, Cluster: u.Cluster, Server: u.Server, Action: KubeconfigKept})
			}
		}
	}
	for _, name := range p.Cluster.ExtraSANs {
		if !isDNSName(name) || strings.HasPrefix(name, "*.") {
			continue
		}
		s.warnOp(op, "the API server certificate names %s: if its DNS record points at %s, point it at %s now; contexts that reach the cluster as %s were left alone", name, kubeserver.EndpointHost(old), next, name)
		if !p.Request.UpdateKubeconfig || s.Kubeconfig == nil {
			continue
		}
		uses, err := s.Kubeconfig.ClustersAt(kubeserver.WithHost(old, name))
		if err != nil {
			continue
		}
		for _, u := range uses {
			op.Kubeconfig = append(op.Kubeconfig, KubeconfigEntry{File: u.File, Cluster: u.Cluster, Server: u.Server, Action: KubeconfigKept})
		}
	}
}

// RunAccess is the one call of allow and revoke: it plans the request, warns
// of the lockout on a dry run, applies the plan (Confirm asks before a
// lockout) with commit confirmed (ApplyOptions.Commit), warns of what the
// plan removes, and reads the result.
func (s *Service) RunAccess(ctx context.Context, t Target, r AccessRequest, o ApplyOptions) (*Exposure, error) {
	defer s.progressDone()
	p, err := s.planAccess(ctx, t, r, time.Now())
	if err != nil {
		return nil, err
	}
	if o.DryRun && p.Lockout != "" {
		s.warn("%s. Without --yes this would be refused.", p.Lockout)
	}
	s.announceCommit(p, o)
	op, err := s.applyAccessConfirmed(ctx, p, o)
	if err != nil {
		return nil, err
	}
	for _, w := range p.Warnings {
		s.warn("%s", w)
	}
	return s.accessResult(ctx, p, op)
}

// warn tells the user what they should know, through Progress.
func (s *Service) warn(format string, args ...any) {
	if s.Progress != nil {
		s.Progress.Warn(fmt.Sprintf(format, args...))
	}
}

// note tells the user what was done outside the operation's steps.
func (s *Service) note(format string, args ...any) {
	if s.Progress != nil {
		s.Progress.Step(fmt.Sprintf(format, args...))
	}
}

// progressDone ends the live line of a wait, before the lifecycle returns.
func (s *Service) progressDone() {
	if s.Progress != nil {
		s.Progress.Done()
	}
}

// ContextPlan is where a new kubeconfig context for a cluster points, and the
// context whose CA and user it copies (the kubeconfig command).
type ContextPlan struct {
	Cluster *backend.Cluster
	// From is the context in use: one that reaches the cluster, or one
	// named after it whose endpoint went away.
	From kubeserver.Context
	// Server is the endpoint the new context reaches the cluster through.
	Server string
	// Endpoints are every endpoint of the cluster: a context reaching one of
	// them reaches this cluster.
	Endpoints []string
}

// PlanContext reads the cluster and checks that the context in use is one of
// its contexts (or its CA and user would be wrong), and that the endpoint
// asked for exists: the public one, or with private the intranet one.
func (s *Service) PlanContext(ctx context.Context, t Target, private bool) (*ContextPlan, error) {
	cl, err := s.Backend.DescribeCluster(ctx, t.ClusterID)
	if err != nil {
		return nil, err
	}
	t, err = s.mustMatch(ctx, t, cl)
	if err != nil {
		return nil, err
	}
	if t.Context == "" && t.Mismatch == nil {
		if t.Kube.Name != "" {
			return nil, errdefs.Errorf(errdefs.KindInvalid, "context %q is not a context of cluster %s (%s), so its CA and user cannot be copied; select one of that cluster's contexts with --context", t.Kube.Name, cl.Name, cl.ID)
		}
		return nil, errdefs.Errorf(errdefs.KindInvalid, "kubeconfig copies the CA and user of a kubeconfig context of the cluster; select one with --context")
	}
	server := cl.PublicEndpoint
	if private {
		server = cl.IntranetEndpoint
	}
	if server == "" {
		if private {
			return nil, errdefs.Errorf(errdefs.KindConflict, "cluster %s (%s) reports no intranet endpoint", cl.Name, cl.ID)
		}
		return nil, errdefs.Errorf(errdefs.KindConflict, "cluster %s (%s) has no public endpoint", cl.Name, cl.ID).
			WithHint("Associate an EIP first: kubectl ack-expose associate --eip ID|IP (or --allocate); or use --private for the intranet endpoint.")
	}
	return &ContextPlan{Cluster: cl, From: t.Kube, Server: server, Endpoints: []string{cl.IntranetEndpoint, cl.PublicEndpoint}}, nil
}
