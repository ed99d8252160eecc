package aliyun

import (
	"net"
	"net/http"
	"time"
)

// transport carries the cloud calls. It is not an *http.Transport on
// purpose: alibaba-cloud-sdk-go overwrites the Proxy of an *http.Transport
// with its own reading of HTTPS_PROXY and NO_PROXY (NO_PROXY entries as
// regular expressions, loopback not exempt), and leaves any other
// RoundTripper alone. Proxies then follow http.ProxyFromEnvironment, Go's
// (and curl's) rules: loopback exempt, NO_PROXY domains and CIDRs.
type transport struct{ rt *http.Transport }

func newTransport() http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = http.ProxyFromEnvironment
	// The SDK sets its connect timeout only on an *http.Transport: the
	// same 5 s here.
	t.DialContext = (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	return transport{t}
}

func (t transport) RoundTrip(r *http.Request) (*http.Response, error) { return t.rt.RoundTrip(r) }
