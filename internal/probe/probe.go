// Package probe checks an API server endpoint from this machine the way
// kubectl reaches it: client-go's transport (rest.TransportFor) built from
// the kubeconfig context's cluster entry, so the CA, tls-server-name and
// proxy-url of the context, else HTTPS_PROXY/NO_PROXY, apply as they do for
// kubectl; ACK_EXPOSE_CONNECT_TO redirects the dial (a tunnel). It reports
// step by step: connect (to the endpoint, or to the proxy), the TLS
// handshake verified against the context's CA (never the system roots),
// whether the certificate names the server (or tls-server-name), and
// GET /version without credentials. It depends on nothing in pkg/.
package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	utilnet "k8s.io/apimachinery/pkg/util/net"
	"k8s.io/client-go/rest"

	"github.com/ack-expose/ack-expose/internal/kubeserver"
)

// Options are the per-step timeouts and how to reach the endpoint.
type Options struct {
	ConnectTimeout time.Duration
	TLSTimeout     time.Duration
	HTTPTimeout    time.Duration
	// ConnectTo redirects the dial (ACK_EXPOSE_CONNECT_TO).
	ConnectTo ConnectTo
	// Hosts, when not nil, resolves the API server's name instead of the
	// system resolver (the EnvHosts file, as Resolver has it): a name it
	// does not list does not resolve. The address it gives is dialed (and
	// ConnectTo applied to it), while TLS and the proxy choice keep the
	// name, as kubectl does with the system resolver.
	Hosts map[string][]string
}

// dialAddrs are the addresses that addr (host:port) of the API server whose
// host is serverHost stands for, before ConnectTo: with Hosts and a name
// that ConnectTo does not name, each address Hosts gives it; else addr. A
// name Hosts does not list is an error.
func (o Options) dialAddrs(addr, serverHost string) ([]string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || o.Hosts == nil || !strings.EqualFold(host, serverHost) || o.ConnectTo.namesHost(host) {
		return []string{addr}, nil
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return []string{addr}, nil
	}
	addrs := o.Hosts[strings.TrimSuffix(strings.ToLower(host), ".")]
	if len(addrs) == 0 {
		return nil, &net.DNSError{Err: fmt.Sprintf("%s is not in the %s file", host, EnvHosts), Name: host, IsNotFound: true}
	}
	out := make([]string, len(addrs))
	for i, a := range addrs {
		out[i] = net.JoinHostPort(a, port)
	}
	return out, nil
}

// Path is what a kubeconfig context says about how to reach its API server
// (kubeserver.Path: CA, tls-server-name, proxy-url).
type Path = kubeserver.Path

// Default step timeouts (the --check-*-timeout flags).
const (
	DefaultConnectTimeout = 3 * time.Second
	DefaultTLSTimeout     = 3 * time.Second
	DefaultHTTPTimeout    = 5 * time.Second
)

// Proxy is the proxy kubectl would use for a request to endpoint with this
// path (nil: none): proxy-url when set (clientcmd's rule: http, https or
// socks5), else client-go's default, HTTPS_PROXY by Go's rules with CIDRs in
// NO_PROXY honoured.
func Proxy(endpoint string, p Path) (*url.URL, error) {
	f, err := proxyFunc(p)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(http.MethodGet, endpoint, nil)
	if err != nil {
		return nil, err
	}
	return f(req)
}

func proxyFunc(p Path) (func(*http.Request) (*url.URL, error), error) {
	if p.ProxyURL == "" {
		return utilnet.NewProxierWithNoProxyCIDR(http.ProxyFromEnvironment), nil
	}
	u, err := url.Parse(p.ProxyURL)
	if err != nil || u.Host == "" {
		// The value is not printed: it may hold credentials that no parse can find to hide.
		return nil, fmt.Errorf("the proxy-url of context %s is not a URL such as http://proxy.example:3128", p.Context)
	}
	switch u.Scheme {
	case "http", "https", "socks5":
	default:
		return nil, fmt.Errorf("proxy-url %s of context %s: unsupported scheme %q, must be http, https, or socks5 (as kubectl requires)", redactProxy(u), p.Context, u.Scheme)
	}
	return http.ProxyURL(u), nil
}

// redactProxy renders a proxy URL with any userinfo replaced by REDACTED.
// url.URL.Redacted hides only a password, and a username alone is often a
// token (http://ghp_xxx@proxy:3128), so it is hidden too.
func redactProxy(u *url.URL) string {
	if u.User == nil {
		return u.String()
	}
	c := *u
	c.User = url.User("REDACTED")
	return c.String()
}

// Via says what this machine dials to reach endpoint, when it is not the
// endpoint itself: "proxy http://proxy:3128" (credentials hidden), or
// "ACK_EXPOSE_CONNECT_TO tunnel 127.0.0.1:16443"; "" for a direct dial. A
// name is followed to the address Hosts gives it before ConnectTo is looked
// up, as the dial does.
func (o Options) Via(endpoint string, p Path) string {
	u, err := url.Parse(endpoint)
	if err != nil || u.Hostname() == "" {
		return ""
	}
	if proxy, err := Proxy(endpoint, p); err == nil && proxy != nil {
		return "proxy " + redactProxy(proxy)
	}
	port := u.Port()
	if port == "" {
		port = "443"
	}
	addr := net.JoinHostPort(u.Hostname(), port)
	if addrs, err := o.dialAddrs(addr, u.Hostname()); err == nil {
		if to := o.ConnectTo.Target(addrs[0]); to != addrs[0] {
			return EnvConnectTo + " tunnel " + to
		}
	}
	return ""
}

// phase is the step a request is in, for what a failure means.
type phase int

const (
	phaseConnect phase = iota // dialing the endpoint or the proxy, and the proxy's CONNECT
	phaseTLS
	phaseHTTP
)

// attempt is one GET /version through client-go's transport.
type attempt struct {
	resp    *http.Response
	body    []byte
	state   *tls.ConnectionState
	err     error
	phase   phase
	proxied bool // the dial reached the proxy
	timeout time.Duration
}

// transport is the transport kubectl builds for endpoint (rest.TransportFor),
// with the dial redirected by ConnectTo and bounded by the connect timeout.
// insecure skips verification (and the CA), to look at a certificate that
// did not verify.
func (o Options) transport(endpoint string, p Path, proxy func(*http.Request) (*url.URL, error), insecure bool) (http.RoundTripper, error) {
	cfg := &rest.Config{
		Host:      endpoint,
		UserAgent: "kubectl-ack_expose/check",
		Proxy:     proxy,
		TLSClientConfig: rest.TLSClientConfig{
			CAData:     p.CA,
			ServerName: p.TLSServerName,
		},
	}
	if insecure {
		cfg.TLSClientConfig = rest.TLSClientConfig{Insecure: true, ServerName: p.TLSServerName}
	}
	connectTimeout := orDefault(o.ConnectTimeout, DefaultConnectTimeout)
	serverHost := ""
	if u, err := url.Parse(endpoint); err == nil {
		serverHost = u.Hostname()
	}
	cfg.Dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		d := net.Dialer{Timeout: connectTimeout}
		addrs, err := o.dialAddrs(addr, serverHost)
		if err != nil {
			return nil, &net.OpError{Op: "dial", Net: network, Err: err}
		}
		var conn net.Conn
		for _, a := range addrs {
			if conn, err = d.DialContext(ctx, network, o.ConnectTo.Target(a)); err == nil {
				return conn, nil
			}
		}
		return nil, err
	}
	return rest.TransportFor(cfg)
}

// get runs GET /version on endpoint through the transport kubectl builds
// (transport), each step bounded by its own timeout.
func (o Options) get(ctx context.Context, endpoint string, p Path, proxy func(*http.Request) (*url.URL, error), insecure bool) attempt {
	connectTimeout := orDefault(o.ConnectTimeout, DefaultConnectTimeout)
	var a attempt
	rt, err := o.transport(endpoint, p, proxy, insecure)
	if err != nil {
		a.err = err
		return a
	}
	defer utilnet.CloseIdleConnectionsFor(rt)

	// Each step has its own timeout: the timer is re-armed as the request
	// moves on, and the step it was in says what a failure means.
	var mu sync.Mutex
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	errStepTimeout := errors.New("step timed out")
	timer := time.AfterFunc(connectTimeout, func() { cancel(errStepTimeout) })
	defer timer.Stop()
	a.timeout = connectTimeout
	enter := func(ph phase, d time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		a.phase, a.timeout = ph, d
		timer.Reset(d)
	}
	trace := &httptrace.ClientTrace{
		ConnectDone: func(_, _ string, err error) {
			mu.Lock()
			a.proxied = err == nil
			mu.Unlock()
		},
		TLSHandshakeStart: func() { enter(phaseTLS, orDefault(o.TLSTimeout, DefaultTLSTimeout)) },
		TLSHandshakeDone: func(cs tls.ConnectionState, _ error) {
			mu.Lock()
			if len(cs.PeerCertificates) > 0 {
				a.state = &cs
			}
			mu.Unlock()
		},
		GotConn: func(httptrace.GotConnInfo) { enter(phaseHTTP, orDefault(o.HTTPTimeout, DefaultHTTPTimeout)) },
	}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodGet, endpoint+"/version", nil)
	if err != nil {
		a.err = err
		return a
	}
	req.URL.Path = "/version"
	req.Header.Set("Accept", "application/json")
	resp, err := rt.RoundTrip(req)
	if err == nil {
		a.body, err = io.ReadAll(io.LimitReader(resp.Body, 1<<16))
		_ = resp.Body.Close()
		a.resp = resp
		if resp.TLS != nil {
			a.state = resp.TLS
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if err != nil && errors.Is(context.Cause(ctx), errStepTimeout) {
		err = os.ErrDeadlineExceeded
	}
	a.err = err
	return a
}

// Probe checks endpoint (an https URL) as kubectl with path would reach it.
// Every step has its own timeout and result; a failed step ends the check,
// except a certificate that does not verify: the request is made again
// without verifying (no credentials are sent) to tell why, and whether the
// API server answers at all.
func Probe(ctx context.Context, endpoint string, path Path, o Options) CheckResult {
	start := time.Now()
	r := CheckResult{Endpoint: endpoint}
	defer func() { r.LatencyMs = time.Since(start).Milliseconds() }()
	fail := func(step, msg string) CheckResult {
		r.Step, r.Error = step, msg
		r.LatencyMs = time.Since(start).Milliseconds()
		return r
	}
	u, err := url.Parse(endpoint)
	if err != nil || u.Scheme != "https" || u.Hostname() == "" {
		return fail(CheckStepEndpoint, fmt.Sprintf("%q is not an https URL of an API server", endpoint))
	}
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = "443"
	}
	addr := net.JoinHostPort(host, port)
	endpoint = (&url.URL{Scheme: "https", Host: u.Host}).String()
	proxyURL, msg := ProxyFor(endpoint, path)
	if msg != "" {
		return fail(CheckStepEndpoint, msg)
	}
	proxy, _ := proxyFunc(path)
	r.Via = o.Via(endpoint, path)

	a := o.get(ctx, endpoint, path, proxy, false)
	if a.err == nil {
		r.Reachable, r.HTTPStatus = true, a.resp.StatusCode
		r.Version = version(a)
		if a.state != nil && len(a.state.PeerCertificates) > 0 {
			na := a.state.PeerCertificates[0].NotAfter.UTC()
			r.TLS.NotAfter = &na
		}
		r.TLS.Verified, r.TLS.SANIncludesAddress = true, true
		return r
	}
	var verr *tls.CertificateVerificationError
	if !errors.As(a.err, &verr) {
		return fail(networkFailure(a, addr, proxyURL))
	}

	// The certificate did not verify against the context's CA for the
	// server's name: look at it without verifying, to say which of the
	// two failed and whether the API server answers.
	b := o.get(ctx, endpoint, path, proxy, true)
	certs := verr.UnverifiedCertificates
	if b.state != nil && len(b.state.PeerCertificates) > 0 {
		certs = b.state.PeerCertificates
	}
	if b.err == nil {
		r.Reachable, r.HTTPStatus, r.Version = true, b.resp.StatusCode, version(b)
	}
	if len(certs) == 0 {
		return fail(CheckStepTLS, fmt.Sprintf("TLS handshake with %s failed: %v", addr, verr.Err))
	}
	name := host
	if path.TLSServerName != "" {
		name = path.TLSServerName
	}
	step, msg := describeCert(&r, certs, path, name)
	if msg == "" { // verified now: the first failure stands
		step, msg = CheckStepTLS, fmt.Sprintf("TLS handshake with %s failed: %v", addr, verr.Err)
	}
	return fail(step, msg)
}

func version(a attempt) string {
	if a.resp == nil || a.resp.StatusCode != http.StatusOK {
		return ""
	}
	var v struct {
		GitVersion string `json:"gitVersion"`
	}
	if json.Unmarshal(a.body, &v) == nil {
		return v.GitVersion
	}
	return ""
}

// describeCert checks certs (leaf first) against the path's CA and name and
// says what is wrong, in the user's words; it fills r.TLS.
func describeCert(r *CheckResult, certs []*x509.Certificate, path Path, name string) (step, msg string) {
	leaf := certs[0]
	na := leaf.NotAfter.UTC()
	r.TLS.NotAfter = &na
	var tlsErr string
	switch pool := x509.NewCertPool(); {
	case len(path.CA) == 0 && path.Insecure:
		tlsErr = CheckInsecure(path.Context)
	case len(path.CA) == 0:
		tlsErr = CheckNoCA(path.Context)
	case !pool.AppendCertsFromPEM(path.CA):
		tlsErr = "TLS not verified: the certificate-authority of context " + path.Context + " holds no PEM certificate; get the cluster's kubeconfig from ACK again"
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
				tlsErr = CheckUntrusted(path.Context)
			}
		} else {
			r.TLS.Verified = true
		}
	}
	r.TLS.SANIncludesAddress = leaf.VerifyHostname(name) == nil
	switch {
	case tlsErr != "":
		return CheckStepTLS, tlsErr
	case !r.TLS.SANIncludesAddress:
		return CheckStepSAN, CheckSANMissing(name, sans(leaf))
	}
	return "", ""
}

// networkFailure says which step failed, and why, for a request that got no
// answer: the dial (of the endpoint or of the proxy), the proxy's tunnel,
// the TLS handshake or GET /version.
func networkFailure(a attempt, addr string, proxy *url.URL) (step, msg string) {
	err := a.err
	if errors.Is(err, context.Canceled) {
		return CheckStepConnect, "the check of " + addr + " was interrupted"
	}
	switch a.phase {
	case phaseConnect:
		if proxy != nil {
			if !a.proxied {
				return CheckStepConnect, ProxyDown(proxy, addr, unwrapOp(err))
			}
			return CheckStepConnect, fmt.Sprintf("proxy %s did not open a connection to %s: %v (the proxy cannot reach the API server, or refuses to)", redactProxy(proxy), addr, unwrapOp(err))
		}
		return CheckStepConnect, connectError(addr, err, a.timeout)
	case phaseTLS:
		switch {
		case errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.ErrUnexpectedEOF):
			return CheckStepTLS, CheckDropped(addr)
		case errors.Is(err, os.ErrDeadlineExceeded):
			return CheckStepTLS, fmt.Sprintf("TLS handshake with %s did not finish within %s: something other than an API server answers there, or the network is slow (raise --check-tls-timeout)", addr, a.timeout)
		}
		return CheckStepTLS, fmt.Sprintf("TLS handshake with %s failed: %v", addr, unwrapOp(err))
	}
	return CheckStepHTTP, httpError(addr, err, a.timeout)
}

// ProxyDown is a proxy this machine cannot connect to.
func ProxyDown(proxy *url.URL, addr string, err error) string {
	return fmt.Sprintf("cannot connect to proxy %s (%v), so %s cannot be reached through it; kubectl fails the same way: fix the proxy-url of the context's cluster entry, or HTTPS_PROXY/NO_PROXY", redactProxy(proxy), err, addr)
}

// ProxyAddr is the address (host:port) to dial for proxy.
func ProxyAddr(proxy *url.URL) string {
	if proxy.Port() != "" {
		return proxy.Host
	}
	port := map[string]string{"http": "80", "https": "443", "socks5": "1080"}[proxy.Scheme]
	return net.JoinHostPort(proxy.Hostname(), port)
}

// ProxyFor is the proxy of path for endpoint, or the error that stops a
// check before it starts (a proxy-url kubectl refuses too).
func ProxyFor(endpoint string, path Path) (*url.URL, string) {
	u, err := Proxy(endpoint, path)
	if err != nil {
		return nil, err.Error() + "; fix the cluster entry of the context, as kubectl fails the same way"
	}
	return u, ""
}

// unwrapOp drops the "Get \"https://...\": " of a url.Error: the message
// names the address already.
func unwrapOp(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
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
		return CheckRefused(addr)
	case errors.As(err, &ne) && ne.Timeout():
		return CheckTimeout(addr, timeout)
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
