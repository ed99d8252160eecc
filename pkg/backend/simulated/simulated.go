// Package simulated is the Backend over the offline simulator engine,
// in-process: the same rules and call counts as the simulator's HTTP front.
//
// A Go program imports it to run the lifecycle offline, in tests or a demo:
// New over a simulator state file (written with the simulator package's
// DemoWorld and Engine.Write) gives a backend.Backend.
package simulated

import (
	"context"
	"errors"
	"github.com/ack-expose/ack-expose/internal/probe"
	"strconv"
	"time"

	"github.com/ack-expose/ack-expose/pkg/errdefs"

	"github.com/ack-expose/ack-expose/pkg/backend"
	"github.com/ack-expose/ack-expose/simulator"
)

// Backend runs every call against the state file of an engine.
type Backend struct {
	Engine *simulator.Engine
	// AccessKeyID is whose credentials the calls stand for (empty: the
	// account's RAM user), for GetCallerIdentity: an assumed role's.
	AccessKeyID string
	// Net is how its endpoint check reaches what is real on this machine:
	// the proxy of a context (dialed), ACK_EXPOSE_CONNECT_TO (reported).
	Net probe.Options
	// Lookup, when set, resolves a name the simulated DNS records do not
	// hold, as status does (ACK_EXPOSE_HOSTS, else the system resolver):
	// the check then follows the name where status says it leads.
	Lookup func(ctx context.Context, host string) ([]string, error)
}

// New returns a backend over the state file at path.
func New(path string) *Backend { return &Backend{Engine: simulator.New(path)} }

var _ backend.Backend = (*Backend)(nil)

// convert turns engine errors into backend errors of the kind errdefs gives
// their code, as the aliyun backend does for the same code over HTTP.
func convert(err error) error {
	if err == nil {
		return nil
	}
	var apiErr *simulator.APIError
	if errors.As(err, &apiErr) {
		kind := errdefs.KindForCloudCode(apiErr.Code, apiErr.HTTPStatus)
		if apiErr.Dropped {
			// What a client sees of a reset connection: no answer, no code.
			return &errdefs.Error{Kind: errdefs.KindUnavailable, Msg: apiErr.Action + ": connection reset by peer"}
		}
		return &errdefs.Error{Kind: kind, Msg: apiErr.Action + ": " + errdefs.Printable(apiErr.Message), Code: apiErr.Code,
			RequestID: apiErr.RequestID, HTTPStatus: apiErr.HTTPStatus}
	}
	var stErr *simulator.StateError
	if errors.As(err, &stErr) {
		return &errdefs.Error{Kind: errdefs.KindInvalid, Msg: stErr.Error()}
	}
	return err
}

func cluster(v simulator.ClusterView) *backend.Cluster {
	return &backend.Cluster{ID: v.ID, Name: v.Name, RegionID: v.RegionID, ClusterType: v.ClusterType,
		Profile: v.Profile, ClusterSpec: v.ClusterSpec, State: v.State, VPCID: v.VPCID,
		IntranetEndpoint: v.IntranetEndpoint, PublicEndpoint: v.PublicEndpoint}
}

func eip(e simulator.EIP) backend.EIP {
	return backend.EIP{AllocationID: e.AllocationID, IPAddress: e.IPAddress, RegionID: e.RegionID,
		Status: e.Status, InstanceID: e.InstanceID, InstanceType: e.InstanceType, Bandwidth: e.Bandwidth,
		InternetChargeType: e.InternetChargeType, ChargeType: e.ChargeType, Name: e.Name, Description: e.Description,
		AllocationTime: allocatedAt(e)}
}

func allocatedAt(e simulator.EIP) time.Time {
	if e.AllocatedAt == nil {
		return time.Time{}
	}
	return e.AllocatedAt.UTC().Truncate(time.Second)
}

// callTimeout is backend.CallTimeout; tests shorten it.
var callTimeout = backend.CallTimeout

// do runs one engine call, giving up (but not stopping it) when ctx ends or
// no answer came within the call timeout (a fault's --delay), as a client
// gives up on a request in flight: the engine may still carry it out,
// exactly as the cloud would.
func do[T any](ctx context.Context, call func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	if err := ctx.Err(); err != nil {
		var zero T
		return zero, err
	}
	ch := make(chan result, 1)
	go func() {
		v, err := call()
		ch <- result{v, err}
	}()
	timer := time.NewTimer(callTimeout)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	case <-timer.C:
		var zero T
		return zero, errdefs.Errorf(errdefs.KindUnavailable, "no answer within %s, the read timeout of a call (the cloud may still carry it out)", callTimeout)
	case r := <-ch:
		return r.v, r.err
	}
}

func (b *Backend) DescribeCluster(ctx context.Context, id string) (*backend.Cluster, error) {
	v, err := do(ctx, func() (simulator.ClusterView, error) { return b.Engine.DescribeClusterDetail(id) })
	if err != nil {
		return nil, convert(err)
	}
	c := cluster(v)
	c.ExtraSANs = append([]string{}, v.ExtraSans...) // the detail has extra_sans, a list does not
	return c, nil
}

func (b *Backend) ListClusters(ctx context.Context, region string) ([]backend.Cluster, error) {
	// Pages after the first are read at the same time (backend.AllPages).
	return backend.AllPages(ctx, 100, func(page int) ([]backend.Cluster, int, error) {
		var total int
		views, err := do(ctx, func() (v []simulator.ClusterView, err error) {
			v, total, err = b.Engine.DescribeClustersV1(region, "", page, 100)
			return v, err
		})
		if err != nil {
			return nil, 0, convert(err)
		}
		out := make([]backend.Cluster, 0, len(views))
		for _, v := range views {
			out = append(out, *cluster(v))
		}
		return out, total, nil
	})
}

func (b *Backend) DescribeEIPs(ctx context.Context, region string, q backend.EIPQuery) ([]backend.EIP, error) {
	var out []backend.EIP
	for page := 1; ; page++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var total int
		list, err := do(ctx, func() (l []simulator.EIP, err error) {
			l, total, err = b.Engine.DescribeEipAddresses(region,
				simulator.EIPFilter{AllocationIDs: q.AllocationIDs, IPAddresses: q.IPAddresses, ISP: q.ISP}, page, 100)
			return l, err
		})
		if err != nil {
			return nil, convert(err)
		}
		for _, e := range list {
			out = append(out, eip(e))
		}
		if len(list) == 0 || len(out) >= total {
			return out, nil
		}
	}
}

func (b *Backend) AllocateEIP(ctx context.Context, region string, s backend.AllocateSpec) (*backend.EIP, error) {
	e, err := do(ctx, func() (simulator.EIP, error) {
		return b.Engine.AllocateEipAddress(simulator.AllocateRequest{RegionID: region,
			Bandwidth: strconv.Itoa(s.Bandwidth), InternetChargeType: s.InternetChargeType, ISP: s.ISP,
			Name: s.Name, Description: s.Description, ClientToken: s.ClientToken})
	})
	if err != nil {
		return nil, convert(err)
	}
	out := eip(e)
	return &out, nil
}

func (b *Backend) ReleaseEIP(ctx context.Context, region, id string) error {
	_, err := do(ctx, func() (struct{}, error) { return struct{}{}, b.Engine.ReleaseEipAddress(region, id) })
	return convert(err)
}

func (b *Backend) ModifyAPIServerEIP(ctx context.Context, clusterID, eipID string) (string, error) {
	id, err := do(ctx, func() (string, error) {
		return b.Engine.ModifyCluster(simulator.ModifyClusterRequest{ClusterID: clusterID,
			APIServerEIP: eipID != "", APIServerEIPID: eipID})
	})
	return id, convert(err)
}

func (b *Backend) ModifyAPIServerSANs(ctx context.Context, clusterID string, c backend.SANChange) (string, error) {
	id, err := do(ctx, func() (string, error) {
		return b.Engine.ModifyCluster(simulator.ModifyClusterRequest{ClusterID: clusterID,
			CertSANs: &simulator.CertSANs{Action: c.Action, Names: c.Names}})
	})
	return id, convert(err)
}

func (b *Backend) DescribeTask(ctx context.Context, id string) (*backend.Task, error) {
	t, err := do(ctx, func() (simulator.Task, error) { return b.Engine.DescribeTaskInfo(id) })
	if err != nil {
		return nil, convert(err)
	}
	out := &backend.Task{ID: t.ID, ClusterID: t.ClusterID, State: t.State, Created: t.Created, Updated: t.Updated}
	if t.Error != nil {
		out.ErrorCode, out.ErrorMsg = t.Error.Code, t.Error.Message
	}
	return out, nil
}

func (b *Backend) CallerIdentity(ctx context.Context) (*backend.Caller, error) {
	c, err := do(ctx, func() (simulator.Caller, error) { return b.Engine.GetCallerIdentity(b.AccessKeyID) })
	if err != nil {
		return nil, convert(err)
	}
	return &backend.Caller{AccountID: c.AccountID, Arn: c.Arn, IdentityType: c.IdentityType, Provider: "simulator"}, nil
}

func (b *Backend) ListRegions(ctx context.Context) ([]string, error) {
	r, err := do(ctx, b.Engine.DescribeRegions)
	return r, convert(err)
}

// AssumeRole is STS AssumeRole in the simulated cloud, with the credentials
// of accessKeyID: the backend of the account the role is in, signing as the
// role.
func AssumeRole(ctx context.Context, accounts *simulator.Accounts, accessKeyID, roleArn, session string) (*Backend, error) {
	r, err := do(ctx, func() (simulator.AssumedRole, error) { return accounts.AssumeRole(accessKeyID, roleArn, session, 0) })
	if err != nil {
		return nil, convert(err)
	}
	return &Backend{Engine: accounts.For(r.AccessKeyID), AccessKeyID: r.AccessKeyID}, nil
}
