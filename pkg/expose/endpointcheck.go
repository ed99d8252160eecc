package expose

import (
	"context"
	"sync"

	"github.com/ack-expose/ack-expose/internal/kubectx"
	"github.com/ack-expose/ack-expose/pkg/backend"
)

// Checker checks an API server endpoint from this machine: TCP, TLS verified
// against caPEM (the kubeconfig context's CA) with the address in the SANs,
// and GET /version, without credentials. The network probe (package probe)
// and the simulator's in-process backend implement it; commit-confirmed
// changes call it to tell whether the endpoint still answers.
type Checker interface {
	CheckEndpoint(ctx context.Context, endpoint string, caPEM []byte, contextName string) backend.CheckResult
}

// ServerNameChecker is a Checker that can check the certificate against
// another name than the endpoint's host, as kubectl does for a context with
// tls-server-name.
type ServerNameChecker interface {
	CheckEndpointAs(ctx context.Context, endpoint, serverName string, caPEM []byte, contextName string) backend.CheckResult
}

// CheckExposure checks the public endpoint of x (the intranet one when
// private) with the CA of the context in use, and records the result in x.
// A context that reaches the cluster by a DNS name (kubeconfig --server-name)
// has that name checked: whether it leads to the API server, and whether the
// certificate names it.
func CheckExposure(ctx context.Context, chk Checker, x *Exposure, t Target, private bool) *backend.CheckResult {
	var r backend.CheckResult
	if sn, ok := chk.(ServerNameChecker); ok && t.Kube.TLSServerName != "" && !private && t.Server != "" && !kubectx.SameEndpoint(t.Server, x.IntranetEndpoint) {
		r = sn.CheckEndpointAs(ctx, t.Server, t.Kube.TLSServerName, t.CA, t.Context)
	} else if name := t.Server; !private && x.PublicEndpoint != "" && name != "" && isDNSName(kubectx.EndpointHost(name)) &&
		!kubectx.SameEndpoint(name, x.IntranetEndpoint) && !kubectx.SameEndpoint(name, x.PublicEndpoint) {
		r = chk.CheckEndpoint(ctx, name, t.CA, t.Context)
	} else {
		r = checkOne(ctx, chk, x, t.CA, t.Context, private)
	}
	x.Check = &r
	return &r
}

func checkOne(ctx context.Context, chk Checker, x *Exposure, ca []byte, contextName string, private bool) backend.CheckResult {
	endpoint := x.PublicEndpoint
	if private {
		endpoint = x.IntranetEndpoint
	}
	if endpoint == "" {
		msg := "cluster " + x.Cluster.Name + " has no public endpoint to check: associate an EIP first, or check the intranet endpoint with --private"
		if private {
			msg = "cluster " + x.Cluster.Name + " has no intranet endpoint to check"
		}
		return backend.CheckResult{Step: backend.CheckStepEndpoint, Error: msg}
	}
	return chk.CheckEndpoint(ctx, endpoint, ca, contextName)
}

// CheckAudit checks the endpoint of every audited cluster with its context's
// CA, at most parallel at a time. Rows without a cluster get no check.
func CheckAudit(ctx context.Context, chk Checker, l *ExposureList, contexts []KubeContext, private bool, parallel int) {
	if parallel < 1 {
		parallel = 1
	}
	ca := map[string][]byte{}
	for _, kc := range contexts {
		ca[kc.Name] = kc.CA
	}
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i := range l.Items {
		it := &l.Items[i]
		if it.Cluster.ID == "" {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			r := checkOne(ctx, chk, &it.Exposure, ca[it.Context], it.Context, private)
			it.Check = &r
		}()
	}
	wg.Wait()
}
