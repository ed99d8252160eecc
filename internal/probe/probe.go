// Package probe checks an API server endpoint from this machine, step by
// step: TCP connect, a TLS handshake verified against the cluster's CA (from
// the kubeconfig context, never the system roots), whether the certificate
// names the address reached, and GET /version without credentials.
package probe

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"syscall"
	"time"

	"github.com/ack-expose/ack-expose/pkg/backend"
)

// Options are the per-step timeouts and how to reach the endpoint.
type Options struct {
	ConnectTimeout time.Duration
	TLSTimeout     time.Duration
	HTTPTimeout    time.Duration
	// ConnectTo redirects the dial (ACK_EXPOSE_CONNECT_TO).
	ConnectTo ConnectTo
	// Context names the kubeconfig context the CA came from, for messages.
	Context string
	// ServerName, when set, is the name the certificate is checked against
	// (and sent as SNI) instead of the endpoint's host: tls-server-name.
	ServerName string
}

// Default step timeouts (the --check-*-timeout flags).
const (
	DefaultConnectTimeout = 3 * time.Second
	DefaultTLSTimeout     = 3 * time.Second
	DefaultHTTPTimeout    = 5 * time.Second
)

// Probe checks endpoint (an https URL) with the PEM CA caPEM. Every step has
// its own timeout and result; a failed step ends the check, except a
// certificate that does not verify: GET /version still runs (no credentials
// are sent) to tell whether the API server answers at all.
func Probe(ctx context.Context, endpoint string, caPEM []byte, o Options) backend.CheckResult {
	start := time.Now()
	r := backend.CheckResult{Endpoint: endpoint}
	defer func() { r.LatencyMs = time.Since(start).Milliseconds() }()
	fail := func(step, msg string) backend.CheckResult {
		r.Step, r.Error = step, msg
		r.LatencyMs = time.Since(start).Milliseconds()
		return r
	}
	u, err := url.Parse(endpoint)
	if err != nil || u.Scheme != "https" || u.Hostname() == "" {
		return fail(backend.CheckStepEndpoint, fmt.Sprintf("%q is not an https URL of an API server", endpoint))
	}
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = "443"
	}
	addr := net.JoinHostPort(host, port)

	// TCP connect.
	dialer := net.Dialer{Timeout: orDefault(o.ConnectTimeout, DefaultConnectTimeout)}
	conn, err := dialer.DialContext(ctx, "tcp", o.ConnectTo.Target(addr))
	if err != nil {
		return fail(backend.CheckStepConnect, connectError(addr, err, dialer.Timeout))
	}
	defer conn.Close()

	// TLS handshake. The chain and the name are checked after it, separately,
	// so the result says which of the two failed.
	tlsTimeout := orDefault(o.TLSTimeout, DefaultTLSTimeout)
	_ = conn.SetDeadline(time.Now().Add(tlsTimeout))
	name := host
	if o.ServerName != "" {
		name = o.ServerName
	}
	tc := tls.Client(conn, &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12, ServerName: sniName(name)}) //nolint:gosec // verified below against the context's CA
	if err := tc.HandshakeContext(ctx); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) {
			return fail(backend.CheckStepTLS, backend.CheckDropped(addr))
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return fail(backend.CheckStepTLS, fmt.Sprintf("TLS handshake with %s did not finish within %s: something other than an API server answers there, or the network is slow (raise --check-tls-timeout)", addr, tlsTimeout))
		}
		return fail(backend.CheckStepTLS, fmt.Sprintf("TLS handshake with %s failed: %v", addr, err))
	}
	certs := tc.ConnectionState().PeerCertificates
	leaf := certs[0]
	na := leaf.NotAfter.UTC()
	r.TLS.NotAfter = &na
	var tlsErr string
	switch pool := x509.NewCertPool(); {
	case len(caPEM) == 0:
		tlsErr = backend.CheckNoCA(o.Context)
	case !pool.AppendCertsFromPEM(caPEM):
		tlsErr = "TLS not verified: the certificate-authority of context " + o.Context + " holds no PEM certificate; get the cluster's kubeconfig from ACK again"
	default:
		inter := x509.NewCertPool()
		for _, c := range certs[1:] {
			inter.AddCert(c)
		}
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, Intermediates: inter, CurrentTime: time.Now(),
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err != nil {
			var expired x509.CertificateInvalidError
			if errors.As(err, &expired) && expired.Reason == x509.Expired {
				tlsErr = fmt.Sprintf("TLS failed: the API server's certificate expired on %s; renew the cluster's certificates in ACK", na.Format(time.RFC3339))
			} else {
				tlsErr = backend.CheckUntrusted(o.Context)
			}
		} else {
			r.TLS.Verified = true
		}
	}
	r.TLS.SANIncludesAddress = leaf.VerifyHostname(name) == nil
	step := ""
	switch {
	case tlsErr != "":
		step = backend.CheckStepTLS
	case !r.TLS.SANIncludesAddress:
		step, tlsErr = backend.CheckStepSAN, backend.CheckSANMissing(name, sans(leaf))
	}

	// GET /version, without credentials.
	httpTimeout := orDefault(o.HTTPTimeout, DefaultHTTPTimeout)
	_ = tc.SetDeadline(time.Now().Add(httpTimeout))
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, (&url.URL{Scheme: "https", Host: u.Host, Path: "/version"}).String(), nil)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "kubectl-ack_expose/check")
	if err := req.Write(tc); err != nil {
		return fail(backend.CheckStepHTTP, httpError(addr, err, httpTimeout))
	}
	resp, err := http.ReadResponse(bufio.NewReader(tc), req)
	if err != nil {
		return fail(backend.CheckStepHTTP, httpError(addr, err, httpTimeout))
	}
	defer resp.Body.Close()
	r.Reachable, r.HTTPStatus = true, resp.StatusCode
	if resp.StatusCode == http.StatusOK {
		var v struct {
			GitVersion string `json:"gitVersion"`
		}
		if json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&v) == nil {
			r.Version = v.GitVersion
		}
	}
	if tlsErr != "" {
		return fail(step, tlsErr)
	}
	return r
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// sniName is the TLS server name to send: none for an IP address (as kubectl).
func sniName(host string) string {
	if net.ParseIP(host) != nil {
		return ""
	}
	return host
}

func sans(c *x509.Certificate) []string {
	var out []string
	for _, ip := range c.IPAddresses {
		out = append(out, ip.String())
	}
	return append(out, c.DNSNames...)
}

func connectError(addr string, err error, timeout time.Duration) string {
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return backend.CheckRefused(addr)
	case errors.As(err, &ne) && ne.Timeout():
		return backend.CheckTimeout(addr, timeout)
	case errors.Is(err, context.Canceled):
		return "the check of " + addr + " was interrupted"
	}
	return fmt.Sprintf("cannot connect to %s: %v; check this machine's network and proxy settings", addr, err)
}

func httpError(addr string, err error, timeout time.Duration) string {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Sprintf("GET /version on %s got no answer within %s: the API server is overloaded or something else answers there (raise --check-http-timeout)", addr, timeout)
	}
	return fmt.Sprintf("GET /version on %s failed: %v", addr, err)
}
