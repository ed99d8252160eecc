package expose

import (
	"context"
	"sync"

	"github.com/ack-expose/ack-expose/internal/kubeserver"
	"github.com/ack-expose/ack-expose/pkg/backend"
)

// Path is how kubectl with the context in use reaches the cluster (its CA,
// tls-server-name and proxy), for a check of the endpoint it reaches.
func (t Target) Path() kubeserver.Path {
	p := t.Kube.Path()
	p.Context, p.CA = t.Context, t.CA
	return p
}

// Checker checks an API server endpoint from this machine as kubectl with a
// context reaches it (path: the context's CA, tls-server-name and proxy):
// TCP, TLS verified against the CA with the address (or tls-server-name) in
// the SANs, and GET /version, without credentials. The network probe (package probe)
// and the simulator's in-process backend implement it; commit-confirmed
// changes call it to tell whether the endpoint still answers.
type Checker interface {
	CheckEndpoint(ctx context.Context, endpoint string, path kubeserver.Path) backend.CheckResult
}

// CheckExposure checks the public endpoint of x (the intranet one when
// private) with the CA of the context in use, and records the result in x.
// A context that reaches the cluster by a DNS name (kubeconfig --server-name)
// or a tunnel has its server checked, as kubectl requests it: whether it
// leads to the API server, and whether the certificate names it.
func CheckExposure(ctx context.Context, chk Checker, x *Exposure, t Target, private bool) *backend.CheckResult {
	var r backend.CheckResult
	kc := t.Kube
	if t.Server == "" {
		kc.Server = "" // not the context of this target (--cluster-id): its endpoint, not its server
	}
	if name := t.Server; leadsTo(kc, x, private) == "" && !private && x.PublicEndpoint != "" && name != "" && isDNSName(kubeserver.EndpointHost(name)) &&
		!kubeserver.SameEndpoint(name, x.IntranetEndpoint) && !kubeserver.SameEndpoint(name, x.PublicEndpoint) {
		// A name that leads nowhere known yet (its record not made): its
		// check says where it does lead, and what the certificate names.
		r = chk.CheckEndpoint(ctx, name, t.Path())
	} else {
		r = checkReached(ctx, chk, kc, t.Path(), x, private)
	}
	x.Check = &r
	return &r
}

func checkOne(ctx context.Context, chk Checker, x *Exposure, path kubeserver.Path, private bool) backend.CheckResult {
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
	return chk.CheckEndpoint(ctx, endpoint, path)
}

// CheckAudit checks the endpoint of every audited cluster with its context's
// CA, at most parallel at a time. Rows without a cluster get no check.
func CheckAudit(ctx context.Context, chk Checker, l *ExposureList, contexts []kubeserver.Context, private bool, parallel int) {
	if parallel < 1 {
		parallel = 1
	}
	byName := map[string]kubeserver.Context{}
	for _, kc := range contexts {
		byName[kc.Name] = kc
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
			kc := byName[it.Context]
			r := checkReached(ctx, chk, kc, kc.Path(), &it.Exposure, private)
			it.Check = &r
		}()
	}
	wg.Wait()
}

// checkReached checks the endpoint of x that context kc reaches: its server,
// as kubectl requests it, when it leads there without being it (a name, a
// tunnel: the proxy, SNI and certificate name follow from the URL), else
// the endpoint itself.
func checkReached(ctx context.Context, chk Checker, kc kubeserver.Context, path kubeserver.Path, x *Exposure, private bool) backend.CheckResult {
	if server := leadsTo(kc, x, private); server != "" {
		return chk.CheckEndpoint(ctx, server, path)
	}
	return checkOne(ctx, chk, x, path, private)
}

// leadsTo is the context's server when it leads to the endpoint of x that a
// check looks at (a name resolved, a tunnel followed) without being it: the
// URL kubectl requests, which the check requests too (the proxy, SNI and
// certificate name follow from it). "" otherwise.
func leadsTo(kc kubeserver.Context, x *Exposure, private bool) string {
	endpoint := x.PublicEndpoint
	if private {
		endpoint = x.IntranetEndpoint
	}
	if endpoint == "" || kc.Server == "" || kubeserver.SameEndpoint(kc.Server, endpoint) || !kc.Reaches(endpoint) {
		return ""
	}
	return kc.Server
}
