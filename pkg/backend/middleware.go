package backend

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/ack-expose/ack-expose/internal/backoff"
	"github.com/ack-expose/ack-expose/pkg/errdefs"
)

// Logf writes one debug line.
type Logf func(format string, args ...any)

// RetryPolicy is capped exponential backoff with jitter.
type RetryPolicy struct {
	Attempts int           // total attempts, at least 1
	Initial  time.Duration // pause after the first failure
	Max      time.Duration // cap on one pause
}

// DefaultRetry retries throttling and 5xx answers for about half a minute.
var DefaultRetry = RetryPolicy{Attempts: 6, Initial: 200 * time.Millisecond, Max: 8 * time.Second}

// Pause returns the pause before retry n (n from 1): Initial*2^(n-1), capped,
// then scaled by a random factor in [0.5, 1.0] ("equal jitter") so that many
// clients throttled together do not retry together.
func (p RetryPolicy) Pause(n int) time.Duration {
	d := backoff.Backoff{Initial: p.Initial, Factor: 2, Max: p.Max}.Interval(n)
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

type noRetryKey struct{}

// Once returns a context under which the calls of a Wrap'ed backend are
// tried once: for a call whose failure is only worth a note.
func Once(ctx context.Context) context.Context { return noRetry(ctx) }

// noRetry returns a context under which the calls of a Wrap'ed backend are
// tried once: for callers that retry themselves, such as a poll loop.
func noRetry(ctx context.Context) context.Context {
	return context.WithValue(ctx, noRetryKey{}, true)
}

// Do runs call until it succeeds, fails with a non-retryable error, runs out of
// attempts, or ctx ends. With log set, each attempt is logged once, with its
// duration and outcome, and whether it is retried.
func (p RetryPolicy) Do(ctx context.Context, name string, log Logf, call func() error) error {
	attempts := p.Attempts
	if ctx.Value(noRetryKey{}) != nil {
		attempts = 1
	}
	for n := 1; ; n++ {
		start := time.Now()
		err := call()
		took := time.Since(start).Round(time.Millisecond)
		retry := err != nil && errdefs.Retryable(err) && n < attempts
		pause := p.Pause(n)
		if log != nil {
			switch {
			case err == nil:
				log("%s: %s: ok", name, took)
			case retry:
				log("%s: %s: %v; retrying in %s (attempt %d of %d)", name, took, errdefs.FirstLine(err), pause.Round(time.Millisecond), n+1, attempts)
			default:
				log("%s: %s: %v", name, took, errdefs.FirstLine(err))
			}
		}
		if !retry {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(pause):
		}
	}
}

// Wrap returns b with every call retried by policy and, when log is set,
// logged with its arguments, duration and outcome. Backends log request IDs
// themselves; nothing here sees credentials.
func Wrap(b Backend, policy RetryPolicy, log Logf) Backend {
	return &wrapped{b: b, p: policy, log: log}
}

type wrapped struct {
	b   Backend
	p   RetryPolicy
	log Logf
}

func run[T any](w *wrapped, ctx context.Context, name string, call func() (T, error)) (T, error) {
	var out T
	err := w.p.Do(ctx, name, w.log, func() error {
		v, err := call()
		out = v
		return err
	})
	return out, err
}

func (w *wrapped) DescribeCluster(ctx context.Context, id string) (*Cluster, error) {
	return run(w, ctx, "DescribeClusterDetail "+id, func() (*Cluster, error) { return w.b.DescribeCluster(ctx, id) })
}

func (w *wrapped) ListClusters(ctx context.Context, region string) ([]Cluster, error) {
	return run(w, ctx, fmt.Sprintf("DescribeClustersV1 region=%q", region), func() ([]Cluster, error) { return w.b.ListClusters(ctx, region) })
}

func (w *wrapped) DescribeEIPs(ctx context.Context, region string, q EIPQuery) ([]EIP, error) {
	name := fmt.Sprintf("DescribeEipAddresses %s ids=%v ips=%v", region, q.AllocationIDs, q.IPAddresses)
	return run(w, ctx, name, func() ([]EIP, error) { return w.b.DescribeEIPs(ctx, region, q) })
}

func (w *wrapped) AllocateEIP(ctx context.Context, region string, s AllocateSpec) (*EIP, error) {
	name := fmt.Sprintf("AllocateEipAddress %s bandwidth=%d charge=%s isp=%s", region, s.Bandwidth, s.InternetChargeType, s.ISP)
	return run(w, ctx, name, func() (*EIP, error) { return w.b.AllocateEIP(ctx, region, s) })
}

func (w *wrapped) ReleaseEIP(ctx context.Context, region, id string) error {
	_, err := run(w, ctx, "ReleaseEipAddress "+id, func() (struct{}, error) { return struct{}{}, w.b.ReleaseEIP(ctx, region, id) })
	return err
}

func (w *wrapped) ModifyAPIServerEIP(ctx context.Context, clusterID, eipID string) (string, error) {
	name := fmt.Sprintf("ModifyCluster %s api_server_eip=%t api_server_eip_id=%q", clusterID, eipID != "", eipID)
	// Never retried here: an answer lost in flight may hide an accepted
	// change, so the lifecycle decides (expose.Service.modify).
	return run(w, noRetry(ctx), name, func() (string, error) { return w.b.ModifyAPIServerEIP(ctx, clusterID, eipID) })
}

func (w *wrapped) ModifyAPIServerSANs(ctx context.Context, clusterID string, c SANChange) (string, error) {
	name := fmt.Sprintf("ModifyCluster %s api_server_custom_cert_sans=%s%q", clusterID, c.Action, c.Names)
	// Never retried here, as ModifyAPIServerEIP.
	return run(w, noRetry(ctx), name, func() (string, error) { return w.b.ModifyAPIServerSANs(ctx, clusterID, c) })
}

func (w *wrapped) DescribeTask(ctx context.Context, id string) (*Task, error) {
	return run(w, ctx, "DescribeTaskInfo "+id, func() (*Task, error) { return w.b.DescribeTask(ctx, id) })
}

func (w *wrapped) CallerIdentity(ctx context.Context) (*Caller, error) {
	return run(w, ctx, "GetCallerIdentity", func() (*Caller, error) { return w.b.CallerIdentity(ctx) })
}

func (w *wrapped) ListRegions(ctx context.Context) ([]string, error) {
	return run(w, ctx, "DescribeRegions", func() ([]string, error) { return w.b.ListRegions(ctx) })
}
