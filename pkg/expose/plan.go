package expose

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/ack-expose/ack-expose/internal/cloudenum"
	"github.com/ack-expose/ack-expose/internal/kubectx"
	"github.com/ack-expose/ack-expose/pkg/errdefs"

	"github.com/ack-expose/ack-expose/internal/eipspec"
	"github.com/ack-expose/ack-expose/pkg/backend"
)

// Action is what a mutating command asks for.
type Action string

const (
	Associate    Action = "associate"
	Change       Action = "change"
	Disassociate Action = "disassociate"
)

// Request is a mutating command's input.
type Request struct {
	Action Action
	// EIP names an existing EIP (associate, change); Allocate asks for a new one.
	EIP      *EIPRef
	Allocate *backend.AllocateSpec
	// Release releases the EIP that the operation removes (disassociate, change).
	Release bool
	// UpdateKubeconfig asks Run to repoint the kubeconfig cluster entries on
	// the old public endpoint to the new one (change: no lockout then), or to
	// report them (disassociate), through Service.Kubeconfig.
	UpdateKubeconfig bool
	// Allow are sources (as ParseSources returns them) Run allows before
	// the EIP is associated (associate --allow).
	Allow []string
	// SANs are the certificate names of a sans action, as ParseSANs
	// returns them.
	SANs []string
}

// Plan is a checked request: what would change, or that nothing needs to.
type Plan struct {
	Request Request
	Target  Target
	Cluster *backend.Cluster
	// Current is the EIP behind the public endpoint now; New the one to bind.
	Current *backend.EIP
	New     *backend.EIP
	// NothingToDo is set when the cluster is already as requested.
	NothingToDo bool
	Steps       []string
	// Lockout explains how the operation cuts off the context in use; empty if it does not.
	Lockout string
	// SANChange is the change a sans action sends, and SANsAfter the
	// certificate's extra names once it is done.
	SANChange *backend.SANChange
	SANsAfter []string
}

// Service runs the lifecycle against a backend.
type Service struct {
	Backend  backend.Backend
	Progress Progress
	Poll     PollPolicy
	// Journal records what an operation may leave unfinished; nil records nothing.
	Journal Journal
	// Retry paces the retries of a change the cloud refused for now
	// (throttling); zero is backend.DefaultRetry.
	Retry backend.RetryPolicy
	// Log, when set, receives debug lines.
	Log backend.Logf
	// Kubeconfig is the user's kubeconfig, for Request.UpdateKubeconfig; nil
	// leaves it alone.
	Kubeconfig Kubeconfig
}

// Status reads the exposure of a cluster: at most two API calls. What this
// machine's journal knows is added: a change still in flight (shown with the
// EIP it moves, in its transitional status) and EIPs awaiting release.
func (s *Service) Status(ctx context.Context, t Target) (*Exposure, error) {
	c, err := s.Backend.DescribeCluster(ctx, t.ClusterID)
	if err != nil {
		return nil, err
	}
	if t, err = s.reach(ctx, t, c); err != nil {
		return nil, err
	}
	var op *Record
	records := s.journalList()
	for i, r := range records {
		if r.Kind == RecordOperation && r.ClusterID == c.ID {
			op = &records[i]
		}
	}
	if !backend.IsBusy(c.State) {
		op = nil
	}
	var e *backend.EIP
	if op != nil && op.AllocationID != "" && c.PublicEndpoint == "" {
		// Associating: the endpoint does not show the EIP yet.
		list, err := s.lookupEIPs(ctx, c.RegionID, backend.EIPQuery{AllocationIDs: []string{op.AllocationID}})
		if err != nil {
			return nil, err
		}
		if len(list) > 0 {
			e = &list[0]
		}
	} else if e, err = s.currentEIP(ctx, c); err != nil {
		return nil, err
	}
	x := newExposure(c, t.Context, e)
	if t.Mismatch != nil {
		x.Mismatch = t.Mismatch.Error() + ". " + t.Mismatch.Fix()
	}
	x.ContextServer = contextServer(t, c)
	x.Unconfirmed = s.unconfirmed(c, records)
	x.AccessControl = s.AccessStatus(ctx, c, time.Now())
	if op != nil {
		x.InProgress = &InProgress{Action: op.Action, TaskID: op.TaskID, AllocationID: op.AllocationID, IPAddress: op.IPAddress}
		task := ""
		if op.TaskID != "" {
			task = ", task " + op.TaskID
		}
		x.Reason = fmt.Sprintf("cluster is %s: the %s started by ack-expose is in progress (EIP %s%s); wait until it is done and the cluster is running again", c.State, op.Action, op.AllocationID, task)
		if op.Action.IsSANs() {
			x.Reason = fmt.Sprintf("cluster is %s: the %s started by ack-expose is in progress (the API server restarts%s); wait until it is done and the cluster is running again", c.State, op.Action, task)
		}
	}
	x.AwaitingRelease = s.awaitingRelease(c, e, records...)
	if op != nil || backend.IsBusy(c.State) {
		x.AwaitingRelease = s.notBeingAssociated(ctx, c, op, x.AwaitingRelease)
	}
	return x, nil
}

// notBeingAssociated drops from ids the EIPs a change in flight is
// associating with cluster c: the one its operation record names, and any
// found Associating or InUse (one lookup). Such an EIP is about to serve
// the cluster, not to be released; after the change, status tells again.
func (s *Service) notBeingAssociated(ctx context.Context, c *backend.Cluster, op *Record, ids []string) []string {
	var rest, lookup []string
	for _, id := range ids {
		switch {
		case op != nil && id == op.AllocationID && op.Action != "disassociate":
		case strings.HasPrefix(id, "eip-"):
			lookup = append(lookup, id)
			rest = append(rest, id)
		default:
			rest = append(rest, id)
		}
	}
	if len(lookup) == 0 {
		return rest
	}
	list, err := s.lookupEIPs(ctx, c.RegionID, backend.EIPQuery{AllocationIDs: lookup})
	if err != nil {
		return rest
	}
	bound := map[string]bool{}
	for _, e := range list {
		if e.Status == backend.EIPAssociating {
			bound[e.AllocationID] = true
		}
	}
	out := rest[:0]
	for _, id := range rest {
		if !bound[id] {
			out = append(out, id)
		}
	}
	return out
}

// awaitingRelease lists the EIPs of cluster c that the journal says await
// release (current is the EIP the cluster uses now, never listed); records
// are read from the journal when not given.
func (s *Service) awaitingRelease(c *backend.Cluster, current *backend.EIP, records ...Record) []string {
	if records == nil {
		records = s.journalList()
	}
	var out []string
	for _, r := range records {
		if r.RegionID != c.RegionID || r.ClusterID != c.ID || r.Kind == RecordOperation || r.Kind == RecordUnconfirmed || (s.Journal != nil && s.Journal.Owned(r)) {
			continue
		}
		if current != nil && r.AllocationID == current.AllocationID && r.Kind == RecordAllocated {
			continue // in use by this cluster now
		}
		id := r.AllocationID
		if id == "" {
			id = "an EIP allocated with client token " + r.ClientToken
		}
		out = append(out, id)
	}
	return out
}

// currentEIP finds the EIP behind the cluster's public endpoint, if any.
func (s *Service) currentEIP(ctx context.Context, c *backend.Cluster) (*backend.EIP, error) {
	if c.PublicEndpoint == "" {
		return nil, nil
	}
	list, err := s.lookupEIPs(ctx, c.RegionID, backend.EIPQuery{IPAddresses: []string{kubectx.EndpointHost(c.PublicEndpoint)}})
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, nil
	}
	s.associationSeen(c, list[0])
	return &list[0], nil
}

// associationSeen forgets the journal's records (allocated or to release)
// of an EIP once a running cluster, any cluster, serves through it: whatever
// the record said is over (the association is confirmed, e.g. after
// --wait=false, or the user bound that EIP again), and cleanup must not
// release an EIP the user later kept (disassociate without --release).
func (s *Service) associationSeen(c *backend.Cluster, e backend.EIP) {
	if c.State != backend.StateRunning {
		return
	}
	s.forgetEIP(e.AllocationID)
}

// forgetEIP drops the allocated and release records of an EIP.
func (s *Service) forgetEIP(id string) {
	for _, r := range s.journalList() {
		if (r.Kind == RecordAllocated || r.Kind == RecordRelease) && r.AllocationID == id && id != "" {
			s.journalForget(r)
		}
	}
}

// Plan reads the cluster and the EIPs involved and checks the request against
// the rules: cluster kind and state, idempotency, conflicts, EIP region and
// status, and the lockout guard. It makes no mutating call.
func (s *Service) Plan(ctx context.Context, t Target, r Request) (*Plan, error) {
	c, err := s.Backend.DescribeCluster(ctx, t.ClusterID)
	if err != nil {
		return nil, err
	}
	if t, err = s.mustReach(ctx, t, c); err != nil {
		return nil, err
	}
	p := &Plan{Request: r, Target: t, Cluster: c}
	if r.Action.IsSANs() {
		if err := s.planSANs(ctx, p); err != nil {
			return nil, err
		}
		return p, nil
	}
	if err := checkMutable(c); err != nil {
		return nil, err
	}
	name := fmt.Sprintf("%s (%s)", c.Name, c.ID)
	exposed := c.PublicEndpoint != ""
	switch r.Action {
	case Associate, Change:
		if r.Action == Associate && r.Allocate != nil && exposed {
			return nil, errdefs.Errorf(errdefs.KindConflict, "cluster %s is already exposed at %s; to replace its EIP use `kubectl ack-expose change --allocate`", name, c.PublicEndpoint)
		}
		if r.Action == Change && !exposed {
			return nil, errdefs.Errorf(errdefs.KindConflict, "cluster %s has no public endpoint, so there is no EIP to change; use `kubectl ack-expose associate`", name)
		}
		if r.EIP != nil {
			if err := s.planTarget(ctx, p, *r.EIP); err != nil || p.NothingToDo {
				return p, err
			}
		}
		if exposed {
			if r.Action == Associate {
				return nil, errdefs.Errorf(errdefs.KindConflict, "cluster %s is already exposed at %s through another EIP; to replace it use `kubectl ack-expose change`", name, c.PublicEndpoint)
			}
			if p.Current, err = s.currentEIP(ctx, c); err != nil {
				return nil, err
			}
		}
		if r.Allocate != nil {
			a := r.Allocate
			if a.ISP == eipspec.ISPBGPPro && !eipspec.BGPProIn(c.RegionID) {
				return nil, errdefs.Errorf(errdefs.KindInvalid, "--isp BGP_PRO: cluster %s is in %s, and BGP (Multi-ISP) Pro EIPs exist only in %s; use --isp BGP", name, c.RegionID, eipspec.BGPProRegionList())
			}
			p.Steps = append(p.Steps, fmt.Sprintf("allocate a pay-as-you-go EIP in %s (%d Mbps, %s, %s)", c.RegionID, a.Bandwidth, a.InternetChargeType, a.ISP))
		}
		newName := "the new EIP"
		if p.New != nil {
			newName = "EIP " + describeEIP(p.New)
		}
		if r.Action == Associate {
			p.Steps = append(p.Steps, fmt.Sprintf("associate %s with the API server of cluster %s", newName, name))
		} else {
			p.Steps = append(p.Steps, fmt.Sprintf("replace EIP %s with %s on the API server of cluster %s", currentName(p), newName, name))
		}
	case Disassociate:
		if !exposed {
			p.NothingToDo = true
			p.Steps = []string{fmt.Sprintf("nothing to do: cluster %s has no public endpoint", name)}
			return p, nil
		}
		if p.Current, err = s.currentEIP(ctx, c); err != nil {
			return nil, err
		}
		p.Steps = append(p.Steps, fmt.Sprintf("disassociate EIP %s from the API server of cluster %s", currentName(p), name))
	default:
		return nil, errdefs.Errorf(errdefs.KindInvalid, "unknown action %q", r.Action)
	}
	if r.Release && p.Current == nil {
		return nil, errdefs.Errorf(errdefs.KindNotFound, "--release: no EIP with the address of %s was found in region %s, so there is nothing this command could release; drop --release", c.PublicEndpoint, c.RegionID)
	}
	if r.Release && p.Current != nil {
		if p.Current.ChargeType == cloudenum.ChargePrePaid {
			return nil, errdefs.Errorf(errdefs.KindConflict, "EIP %s is a subscription (PrePaid) EIP and cannot be released; drop --release", describeEIP(p.Current))
		}
		p.Steps = append(p.Steps, fmt.Sprintf("release EIP %s", describeEIP(p.Current)))
	}
	p.Lockout = lockout(p)
	return p, nil
}

// contextServer says where the context's server leads, when it is a name or
// a tunnel in front of an endpoint of c: "api.pro.example (resolves to
// 47.96.1.20, the public endpoint)"; "" for an endpoint's own address.
func contextServer(t Target, c *backend.Cluster) string {
	k := t.Kube
	if t.Context == "" || k.Reach.Note == "" {
		return ""
	}
	which := ""
	switch {
	case k.Reaches(c.PublicEndpoint):
		which = ", the public endpoint"
	case k.Reaches(c.IntranetEndpoint):
		which = ", the intranet endpoint"
	}
	server := k.Server
	if host, port, ok := kubectx.HostPort(server); ok {
		server = host
		if strings.HasPrefix(k.Reach.Note, "a tunnel") {
			server = net.JoinHostPort(host, port)
		}
	}
	return server + " (" + k.Reach.Note + which + ")"
}

func currentName(p *Plan) string {
	if p.Current != nil {
		return describeEIP(p.Current)
	}
	return kubectx.EndpointHost(p.Cluster.PublicEndpoint)
}

// planTarget looks up the requested EIP and checks it can be bound.
func (s *Service) planTarget(ctx context.Context, p *Plan, ref EIPRef) error {
	c := p.Cluster
	list, err := s.lookupEIPs(ctx, c.RegionID, ref.query())
	if err != nil {
		return err
	}
	if len(list) == 0 {
		return errdefs.Errorf(errdefs.KindNotFound, "EIP %s not found in region %s, the region of cluster %s; the EIP must be in the cluster's region", ref, c.RegionID, c.Name).
			WithHint("List the region's EIPs with `aliyun vpc DescribeEipAddresses --RegionId %s`, or use --allocate.", c.RegionID)
	}
	e := &list[0]
	p.New = e
	if c.PublicEndpoint != "" && kubectx.EndpointHost(c.PublicEndpoint) == e.IPAddress {
		p.Current = e
		p.NothingToDo = true
		p.Steps = []string{fmt.Sprintf("nothing to do: EIP %s is already associated with the API server of cluster %s", describeEIP(e), c.Name)}
		return nil
	}
	switch e.Status {
	case backend.EIPAvailable:
		return nil
	case backend.EIPInUse:
		return errdefs.Errorf(errdefs.KindConflict, "EIP %s is in use by %s %s; choose an Available EIP, or use --allocate", describeEIP(e), e.InstanceType, e.InstanceID)
	}
	return errdefs.Errorf(errdefs.KindConflict, "EIP %s is %s; it must be Available (try again when it has settled)", describeEIP(e), e.Status)
}

// lockout tells whether the plan removes the public endpoint that the context
// in use reaches the cluster through, and how to reach the cluster afterwards.
func lockout(p *Plan) string {
	c := p.Cluster
	if p.NothingToDo || c.PublicEndpoint == "" || p.Target.Server == "" {
		return ""
	}
	if p.Request.Action == Change && p.Request.UpdateKubeconfig {
		return "" // the context's entry follows the endpoint to the new EIP
	}
	byName := p.Target.How == HowServerName || NamesEndpoint(p.Target.Server, c)
	if byName && p.Request.Action == Change {
		return "" // the name follows the EIP once its DNS record does (namesFollow says so)
	}
	if !byName && !p.Target.Kube.Reaches(c.PublicEndpoint) && !kubectx.SameEndpoint(p.Target.Server, c.PublicEndpoint) && kubectx.EndpointHost(p.Target.Server) != kubectx.EndpointHost(c.PublicEndpoint) {
		return ""
	}
	ctxName := p.Target.Context
	if ctxName == "" {
		ctxName = "in use"
	}
	after := fmt.Sprintf("afterwards, reach the cluster through its intranet endpoint %s from inside VPC %s", c.IntranetEndpoint, c.VPCID)
	if p.Request.Action == Change {
		after = "run the change with --update-kubeconfig to repoint the context at the new public endpoint in the same step (or afterwards reach the cluster through its intranet endpoint " + c.IntranetEndpoint + ")"
	}
	return fmt.Sprintf("context %q reaches the API server through %s, the public endpoint this %s removes: kubectl with this context will stop working; %s",
		ctxName, c.PublicEndpoint, p.Request.Action, after)
}
