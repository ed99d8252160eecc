package expose

import (
	"cmp"
	"context"
	"fmt"
	"net"
	"strings"

	"github.com/ack-expose/ack-expose/internal/cloudenum"
	"github.com/ack-expose/ack-expose/internal/kubeserver"
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
	// Account, when set, returns the account UID of the credentials in use
	// (STS GetCallerIdentity, asked once): journal records carry it, and
	// cleanup leaves other accounts' records alone. Nil: unknown.
	Account func(ctx context.Context) (string, error)
	// Profile is the name of the credentials profile in use, if one was
	// named (--profile, ALIBABA_CLOUD_PROFILE); journal records carry it.
	Profile string
	// ProfilesFor, when set, names the credential profiles of an account,
	// for the note of a record cleanup leaves to that account.
	ProfilesFor func(accountID string) []string
}

// plan reads the cluster and the EIPs involved and checks the request against
// the rules: cluster kind and state, idempotency, conflicts, EIP region and
// status, and the lockout guard. It makes no mutating call.
func (s *Service) plan(ctx context.Context, t Target, r Request) (*Plan, error) {
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
	switch r.Action {
	case Associate, Change:
		err = s.planAttach(ctx, p)
	case Disassociate:
		err = s.planDetach(ctx, p)
	default:
		err = errdefs.Errorf(errdefs.KindInvalid, "unknown action %q", r.Action)
	}
	if err != nil || p.NothingToDo {
		return p, err
	}
	if err := planRelease(p); err != nil {
		return nil, err
	}
	p.Lockout = lockout(p)
	return p, nil
}

// clusterName names a cluster in messages: "name (id)".
func clusterName(c *backend.Cluster) string { return fmt.Sprintf("%s (%s)", c.Name, c.ID) }

// planAttach plans an associate or a change: the cluster exposed or not as
// the action needs, the EIP given (nothing to do if it is the one in use) or
// the one to allocate, and the EIP in use that a change replaces.
func (s *Service) planAttach(ctx context.Context, p *Plan) error {
	r, c, name := p.Request, p.Cluster, clusterName(p.Cluster)
	exposed := c.PublicEndpoint != ""
	if r.Action == Associate && r.Allocate != nil && exposed {
		return errdefs.Errorf(errdefs.KindConflict, "cluster %s is already exposed at %s; to replace its EIP use `kubectl ack-expose change --allocate`", name, c.PublicEndpoint)
	}
	if r.Action == Change && !exposed {
		return errdefs.Errorf(errdefs.KindConflict, "cluster %s has no public endpoint, so there is no EIP to change; use `kubectl ack-expose associate`", name)
	}
	if r.EIP != nil {
		if err := s.planTarget(ctx, p, *r.EIP); err != nil || p.NothingToDo {
			return err
		}
	}
	if exposed {
		if r.Action == Associate {
			return errdefs.Errorf(errdefs.KindConflict, "cluster %s is already exposed at %s through another EIP; to replace it use `kubectl ack-expose change`", name, c.PublicEndpoint)
		}
		var err error
		if p.Current, err = s.currentEIP(ctx, c); err != nil {
			return err
		}
	}
	if a := r.Allocate; a != nil {
		if a.ISP == eipspec.ISPBGPPro && !eipspec.BGPProIn(c.RegionID) {
			return errdefs.Errorf(errdefs.KindInvalid, "--isp BGP_PRO: cluster %s is in %s, and BGP (Multi-ISP) Pro EIPs exist only in %s; use --isp BGP", name, c.RegionID, eipspec.BGPProRegionList())
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
	return nil
}

// planDetach plans a disassociate: nothing to do without a public endpoint,
// else the EIP in use.
func (s *Service) planDetach(ctx context.Context, p *Plan) error {
	c, name := p.Cluster, clusterName(p.Cluster)
	if c.PublicEndpoint == "" {
		p.NothingToDo = true
		p.Steps = []string{fmt.Sprintf("nothing to do: cluster %s has no public endpoint", name)}
		return nil
	}
	var err error
	if p.Current, err = s.currentEIP(ctx, c); err != nil {
		return err
	}
	p.Steps = append(p.Steps, fmt.Sprintf("disassociate EIP %s from the API server of cluster %s", currentName(p), name))
	return nil
}

// planRelease checks --release: an EIP in use to release, never a
// subscription (PrePaid) one, which the cloud cannot release.
func planRelease(p *Plan) error {
	r, c := p.Request, p.Cluster
	if r.Release && p.Current == nil {
		return errdefs.Errorf(errdefs.KindNotFound, "--release: no EIP with the address of %s was found in region %s, so there is nothing this command could release; drop --release", c.PublicEndpoint, c.RegionID)
	}
	if r.Release && p.Current != nil {
		if p.Current.ChargeType == cloudenum.ChargePrePaid {
			return errdefs.Errorf(errdefs.KindConflict, "EIP %s is a subscription (PrePaid) EIP and cannot be released; drop --release", describeEIP(p.Current))
		}
		p.Steps = append(p.Steps, fmt.Sprintf("release EIP %s", describeEIP(p.Current)))
	}
	return nil
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
	if host, port, ok := kubeserver.HostPort(server); ok {
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
	return kubeserver.EndpointHost(p.Cluster.PublicEndpoint)
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
	if c.PublicEndpoint != "" && kubeserver.EndpointHost(c.PublicEndpoint) == e.IPAddress {
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
	byName := p.Target.How == HowServerName || NamesEndpoint(p.Target.Server, c)
	if p.Request.Action == Change {
		if host := kubeserver.EndpointHost(p.Target.Server); isDNSName(host) && (NamesEndpoint(p.Target.Server, c) || p.Target.Kube.Reaches(c.PublicEndpoint)) {
			// A name follows the EIP only once its DNS record does, which
			// ack-expose does not manage: --update-kubeconfig cannot help.
			return fmt.Sprintf("context %q reaches the API server as %s, whose DNS record points at %s, the public endpoint this change removes: kubectl with this context will stop working until you point the record of %s at the new EIP (--update-kubeconfig cannot repoint a name; it leaves the context as it is)",
				cmp.Or(p.Target.Context, "in use"), host, kubeserver.EndpointHost(c.PublicEndpoint), host)
		}
		if p.Request.UpdateKubeconfig {
			return "" // the context's entry follows the endpoint to the new EIP
		}
	}
	if !byName && !p.Target.Kube.Reaches(c.PublicEndpoint) && !kubeserver.SameEndpoint(p.Target.Server, c.PublicEndpoint) && kubeserver.EndpointHost(p.Target.Server) != kubeserver.EndpointHost(c.PublicEndpoint) {
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
