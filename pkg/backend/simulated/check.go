package simulated

import (
	"bytes"
	"cmp"
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/url"
	"time"

	"github.com/ack-expose/ack-expose/internal/certsan"
	"github.com/ack-expose/ack-expose/internal/probe"
	"github.com/ack-expose/ack-expose/pkg/backend"
	"github.com/ack-expose/ack-expose/simulator"
)

// CheckEndpoint answers a check of endpoint from the simulated network, as
// `simulator serve`'s endpoints would through the network probe: the same
// steps, results and words. The path is kubectl's: through a proxy (the
// context's proxy-url, else HTTPS_PROXY), the proxy is really dialed (a
// proxy that answers is taken to reach the simulated endpoint); with
// tls-server-name, the certificate must name that instead of the address.
func (b *Backend) CheckEndpoint(ctx context.Context, endpoint string, path probe.Path) backend.CheckResult {
	caPEM, contextName := path.CA, path.Context
	start := time.Now()
	r := backend.CheckResult{Endpoint: endpoint}
	fail := func(step, msg string) backend.CheckResult {
		r.Step, r.Error, r.LatencyMs = step, msg, time.Since(start).Milliseconds()
		return r
	}
	u, err := url.Parse(endpoint)
	if err != nil || u.Scheme != "https" || u.Hostname() == "" {
		return fail(backend.CheckStepEndpoint, fmt.Sprintf("%q is not an https URL of an API server", endpoint))
	}
	port := u.Port()
	if port == "" {
		port = "443"
	}
	addr := net.JoinHostPort(u.Hostname(), port)
	proxy, msg := probe.ProxyFor(endpoint, path)
	if msg != "" {
		return fail(backend.CheckStepEndpoint, msg)
	}
	r.Via = b.Net.Via(endpoint, path)
	if proxy != nil {
		if msg := b.dialProxy(ctx, proxy, addr); msg != "" {
			return fail(backend.CheckStepConnect, msg)
		}
	}
	name := cmp.Or(path.TLSServerName, u.Hostname())
	nv, lookupErr, err := b.network(ctx, u.Hostname(), port)
	if err != nil {
		return fail(backend.CheckStepConnect, "the simulated network is unavailable: "+convert(err).Error())
	}
	ep := nv.Endpoint
	switch {
	case nv.Unresolved:
		why := "has no DNS record"
		if lookupErr != nil { // the resolver's own words, as the real check has them
			why = "does not resolve (" + lookupErr.Error() + ")"
		}
		return fail(backend.CheckStepConnect, fmt.Sprintf("cannot connect to %s: %s %s; point it at the API server's EIP (in the simulated world: `kubectl ack-expose simulator dns %s EIP`)", addr, u.Hostname(), why, u.Hostname()))
	case ep == nil:
		return fail(backend.CheckStepConnect, backend.CheckRefused(addr))
	case ep.Restarting:
		return fail(backend.CheckStepConnect, backend.CheckRestarting(addr))
	case !ep.Admitted:
		return fail(backend.CheckStepTLS, backend.CheckDropped(addr))
	case nv.CA == nil:
		return fail(backend.CheckStepTLS, fmt.Sprintf("TLS handshake with %s failed: the simulator state has no CA (an older file); run `kubectl ack-expose simulator serve` once, or `simulator init --force`", addr))
	}
	caCert, err := nv.CA.Certificate()
	if err != nil {
		return fail(backend.CheckStepTLS, fmt.Sprintf("TLS handshake with %s failed: %v", addr, err))
	}
	na := caCert.NotAfter.UTC()
	r.TLS.NotAfter = &na
	var step string
	tlsErr := verifyCA(caPEM, caCert, contextName)
	if len(caPEM) == 0 && path.Insecure {
		tlsErr = probe.CheckInsecure(contextName)
	}
	r.TLS.Verified = tlsErr == ""
	if tlsErr != "" {
		step = backend.CheckStepTLS
	}
	r.TLS.SANIncludesAddress = certsan.Covers(ep.SANs, name)
	if tlsErr == "" && !r.TLS.SANIncludesAddress {
		step, tlsErr = backend.CheckStepSAN, backend.CheckSANMissing(name, ep.SANs)
	}
	r.Reachable, r.HTTPStatus, r.Version = true, 200, ep.Version
	if tlsErr != "" {
		return fail(step, tlsErr)
	}
	r.LatencyMs = time.Since(start).Milliseconds()
	return r
}

// dialProxy dials the proxy the check goes through (a proxy that answers is
// taken to reach the simulated endpoint); "" when it answers, else why not.
func (b *Backend) dialProxy(ctx context.Context, proxy *url.URL, addr string) string {
	d := net.Dialer{Timeout: cmp.Or(b.Net.ConnectTimeout, probe.DefaultConnectTimeout)}
	conn, err := d.DialContext(ctx, "tcp", b.Net.ConnectTo.Target(probe.ProxyAddr(proxy)))
	if err != nil {
		var oe *net.OpError
		if errors.As(err, &oe) {
			err = oe.Err
		}
		return probe.ProxyDown(proxy, addr, err)
	}
	_ = conn.Close()
	return ""
}

// network is what the simulated network has at host:port; a host not in
// the simulated DNS records is asked of the next resolver (Lookup), whose
// failure is lookupErr. The local end of a tunnel (an ACK_EXPOSE_CONNECT_TO
// target) is the endpoint the tunnel fronts.
func (b *Backend) network(ctx context.Context, host, port string) (nv simulator.NetworkView, lookupErr, err error) {
	addr := net.JoinHostPort(host, port)
	if from := b.Net.ConnectTo.Sources(addr); len(from) > 0 {
		if nv, err := b.Engine.Network(addr); err != nil || nv.Endpoint == nil {
			addr = from[0]
		}
	}
	nv, err = b.Engine.Network(addr)
	if err != nil || !nv.Unresolved || b.Lookup == nil {
		return nv, nil, err
	}
	addrs, lookupErr := b.Lookup(ctx, host)
	for _, a := range addrs {
		if v, err := b.Engine.Network(net.JoinHostPort(a, port)); err == nil {
			nv = v
			if v.Endpoint != nil {
				break
			}
		}
	}
	return nv, lookupErr, nil
}

// verifyCA says why the context's certificate-authority (caPEM) does not
// verify the simulated API server's CA; "" when it does.
func verifyCA(caPEM []byte, caCert *x509.Certificate, contextName string) string {
	switch {
	case len(caPEM) == 0:
		return backend.CheckNoCA(contextName)
	case holdsCert(caPEM, caCert):
		return ""
	case x509.NewCertPool().AppendCertsFromPEM(caPEM):
		return backend.CheckUntrusted(contextName)
	}
	return "TLS not verified: the certificate-authority of context " + contextName + " holds no PEM certificate; get the cluster's kubeconfig from ACK again"
}

// holdsCert reports whether the PEM bundle contains cert.
func holdsCert(bundle []byte, cert *x509.Certificate) bool {
	for {
		var b *pem.Block
		b, bundle = pem.Decode(bundle)
		if b == nil {
			return false
		}
		if b.Type == "CERTIFICATE" && bytes.Equal(b.Bytes, cert.Raw) {
			return true
		}
	}
}
