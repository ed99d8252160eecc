package probe

import (
	"fmt"
	"net"
	"time"
)

// CheckResult is what a check of an API server endpoint from this machine
// found: TCP connect, TLS handshake verified against the kubeconfig context's
// CA (not the system roots), whether the certificate names the endpoint's
// address, and GET /version. No credentials are sent: any HTTP answer, 401 and
// 403 included, proves the API server is reachable. Error is empty when every
// step passed; otherwise it names the step that failed and what to do.
type CheckResult struct {
	Endpoint  string   `json:"endpoint"`
	Reachable bool     `json:"reachable"`
	TLS       CheckTLS `json:"tls"`
	Version   string   `json:"version"`
	LatencyMs int64    `json:"latencyMs"`
	Error     string   `json:"error"`
	// Step is the step that failed: connect, tls, san, http ("" when none).
	Step string `json:"-"`
	// Via is what this machine dialed when it was not the endpoint: a proxy
	// ("proxy http://proxy:3128") or a tunnel (ACK_EXPOSE_CONNECT_TO); "" for a direct dial.
	Via string `json:"via,omitempty"`
	// HTTPStatus is the status of GET /version (0 when it was not answered).
	HTTPStatus int `json:"-"`
}

// CheckTLS is the TLS part of a check.
type CheckTLS struct {
	Verified           bool       `json:"verified"`
	SANIncludesAddress bool       `json:"sanIncludesAddress"`
	NotAfter           *time.Time `json:"notAfter"`
}

// OK reports whether every step passed.
func (r *CheckResult) OK() bool { return r.Error == "" }

// Check steps, in order.
const (
	CheckStepEndpoint = "endpoint"
	CheckStepConnect  = "connect"
	CheckStepTLS      = "tls"
	CheckStepSAN      = "san"
	CheckStepHTTP     = "http"
)

// The failures of a check, in the words the user reads; both the network
// probe and the simulator's in-process check use them, so the two agree.

// CheckRefused is a TCP connection refused.
func CheckRefused(addr string) string {
	return "cannot connect to " + addr + ": connection refused; nothing serves the API server at this address (is the EIP still associated with the cluster?)"
}

// CheckTimeout is a TCP connect that got no answer in time.
func CheckTimeout(addr string, d time.Duration) string {
	return "no answer from " + addr + " within " + d.String() + ": a firewall, the API server's source allow list or the network drops connections from this machine (on a slow network, raise --check-connect-timeout)"
}

// CheckDropped is a connection closed before the TLS handshake finished.
func CheckDropped(addr string) string {
	return "the connection to " + addr + " was dropped before the TLS handshake: the API server's source allow list or a firewall does not admit this machine's address"
}

// CheckUntrusted is a certificate the context's CA did not sign.
func CheckUntrusted(context string) string {
	if context == "" {
		return "TLS failed: the API server's certificate is not signed by the CA given for the check; get the cluster's kubeconfig from ACK again"
	}
	return "TLS failed: the API server's certificate is not signed by the CA of context " + context + "; the context may belong to another cluster or hold an old CA: get the cluster's kubeconfig from ACK again"
}

// CheckNoCA is a context without a certificate authority.
func CheckNoCA(context string) string {
	return "TLS not verified: context " + context + " has no certificate-authority(-data), so the API server's certificate cannot be checked; get the cluster's kubeconfig from ACK again"
}

// CheckInsecure is a context with insecure-skip-tls-verify: kubectl does
// not verify the API server's certificate, so nothing vouches for it.
func CheckInsecure(context string) string {
	return "TLS not verified: context " + context + " skips verification (insecure-skip-tls-verify: true), so kubectl accepts any certificate and anyone in the path could answer for the API server; get the cluster's kubeconfig, with its certificate-authority-data, from ACK again"
}

// CheckRestarting is an API server being rolled out again (new certificate
// names): it refuses connections until that is done.
func CheckRestarting(addr string) string {
	return "cannot connect to " + addr + ": the API server is restarting to take new certificate names (a change is in progress); try again once the cluster is running"
}

// CheckSANMissing is a certificate that does not name the address reached:
// it says which names the certificate holds, and how to make it valid.
func CheckSANMissing(host string, sans []string) string {
	msg := "TLS failed: the API server's certificate does not include " + host + " (it names " + joinOr(sans, "nothing") + "), so kubectl refuses it; add it with `kubectl ack-expose sans add " + host + "` (this restarts the API server)"
	if net.ParseIP(host) == nil {
		msg += ", or keep the name and have kubectl check a name the certificate holds: `kubectl ack-expose kubeconfig --server-name " + host + " --tls-server-name kubernetes` (no restart)"
	}
	return msg
}

func joinOr(list []string, none string) string {
	if len(list) == 0 {
		return none
	}
	out := list[0]
	for _, s := range list[1:] {
		out += ", " + s
	}
	return out
}

// Summary is the check in one line: "reachable, TLS ok, v1.31.1, 38 ms", or
// the step that failed and why; what the dial went through, when it was not
// the endpoint (a proxy, a tunnel), closes it.
func (r *CheckResult) Summary() string {
	via := ""
	if r.Via != "" {
		via = " (via " + r.Via + ")"
	}
	if r.OK() {
		v := r.Version
		if v == "" {
			v = fmt.Sprintf("version not shown without credentials (HTTP %d)", r.HTTPStatus)
		}
		return fmt.Sprintf("reachable, TLS ok, %s, %d ms%s", v, r.LatencyMs, via)
	}
	if r.Step == CheckStepEndpoint {
		return "not checked: " + r.Error
	}
	if r.Reachable {
		return fmt.Sprintf("reachable, but %s%s", r.Error, via)
	}
	return "unreachable: " + r.Error + via
}
