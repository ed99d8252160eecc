// Package kubeserver is what the lifecycle (pkg/expose) and the kubeconfig
// package (pkg/kubeconfig) share about a kubeconfig context, so that neither
// depends on the other: the context as kubectl would use it, and how API
// server URLs compare. It does no I/O.
package kubeserver

import (
	"net"
	"net/netip"
	"net/url"
	"strings"
)

// Context is what the kubeconfig says about a context, after kubectl's
// merge and override flags: the server is the one kubectl would reach.
type Context struct {
	Name    string // context name; empty when there is no usable context
	Server  string // server URL of the context's cluster entry (or --server)
	Cluster string // the cluster entry's name
	// User and Namespace are the context's (after --user, --namespace).
	User, Namespace string
	// ClusterFile and ContextFile are the kubeconfig files the cluster entry
	// and the context come from (kubectl merges first-wins, so they may differ).
	ClusterFile, ContextFile string
	// ServerFromFlag says the server is --server's.
	ServerFromFlag bool
	// CA is the PEM certificate authority of the context's cluster entry (nil if none).
	CA []byte
	// TLSServerName and ProxyURL are the cluster entry's tls-server-name and
	// proxy-url (after --tls-server-name, --proxy-url): how kubectl reaches
	// the server (package probe builds client-go's transport from them).
	TLSServerName, ProxyURL string
	// Insecure is the cluster entry's insecure-skip-tls-verify: kubectl
	// does not verify the server's certificate.
	Insecure bool
	// Reach is where the server leads from this machine, once known (a name
	// resolved, a tunnel followed); the zero value is the server itself.
	Reach Reach
	// Err is why no context could be read (no kubeconfig, no current context...).
	Err error
}

// Path is what a context says about how kubectl reaches its API server,
// beyond the server URL: the context's name (for messages), its CA (PEM),
// its cluster entry's tls-server-name and proxy-url. An empty ProxyURL
// means the environment's (HTTPS_PROXY, NO_PROXY), as for kubectl.
type Path struct {
	Context       string
	CA            []byte
	TLSServerName string
	ProxyURL      string
	Insecure      bool
}

// Path is how kubectl with this context reaches its server.
func (c Context) Path() Path {
	return Path{Context: c.Name, CA: c.CA, TLSServerName: c.TLSServerName, ProxyURL: c.ProxyURL, Insecure: c.Insecure}
}

// Reach is where kubectl with a server ends up, beyond the server URL itself.
type Reach struct {
	// Endpoints are the URLs (https://address:port) the server leads to: the
	// addresses its name resolves to, or the endpoint a tunnel fronts.
	Endpoints []string `json:"-"`
	// Note says how, for people: "resolves to 47.96.1.20", "a tunnel to
	// 47.96.1.20:6443 by ACK_EXPOSE_CONNECT_TO"; "" when the server is
	// an address reached directly.
	Note string `json:"-"`
	// Err says why it is not known: a name that does not resolve.
	Err string `json:"-"`
}

// Reaches reports whether kubectl with this context reaches endpoint: the
// server is that endpoint, or leads to it (Reach).
func (c Context) Reaches(endpoint string) bool {
	if SameEndpoint(c.Server, endpoint) {
		return true
	}
	for _, e := range c.Reach.Endpoints {
		if SameEndpoint(e, endpoint) {
			return true
		}
	}
	return false
}

// Keys are the endpoint keys (see EndpointKey) the context's server leads to.
func (c Context) Keys() []string {
	if c.Server == "" {
		return nil
	}
	keys := []string{EndpointKey(c.Server)}
	for _, e := range c.Reach.Endpoints {
		keys = append(keys, EndpointKey(e))
	}
	return keys
}

// HostPort returns the host and port Go's HTTP client dials for endpoint
// (normalised as EndpointKey does).
func HostPort(endpoint string) (host, port string, ok bool) {
	_, host, port, ok = splitEndpoint(endpoint)
	return host, port, ok
}

// EndpointUse is a kubeconfig cluster entry whose server is a given endpoint.
type EndpointUse struct {
	File, Cluster, Server string
}

// EndpointHost returns the host of an endpoint URL ("https://1.2.3.4:6443" ->
// "1.2.3.4"), normalised as EndpointKey does: lower case, no trailing dot,
// an IPv4-mapped IPv6 address as IPv4.
func EndpointHost(endpoint string) string {
	if _, host, _, ok := splitEndpoint(endpoint); ok {
		return host
	}
	s := endpoint
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	if strings.HasPrefix(s, "[") {
		if i := strings.Index(s, "]"); i >= 0 {
			return s[1:i]
		}
	}
	if i := strings.LastIndex(s, ":"); i >= 0 && strings.Count(s, ":") == 1 {
		s = s[:i]
	}
	return strings.ToLower(s)
}

// splitEndpoint parses an API server URL the way Go's HTTP client reaches
// it: the scheme (https when absent, as kubectl assumes), the host (lower
// case, without the trailing dot of a fully qualified name, an IPv4-mapped
// IPv6 address as the IPv4 address it is) and the port (the scheme's default
// when absent). The path, query, fragment and user info do not change which
// server is reached, so they are dropped. ok is false when ep does not parse.
func splitEndpoint(ep string) (scheme, host, port string, ok bool) {
	s := strings.TrimSpace(ep)
	if s == "" {
		return "", "", "", false
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Hostname() == "" {
		return "", "", "", false
	}
	scheme = strings.ToLower(u.Scheme)
	host = strings.TrimRight(strings.ToLower(u.Hostname()), ".")
	if a, err := netip.ParseAddr(host); err == nil {
		host = a.Unmap().String()
	}
	if host == "" {
		return "", "", "", false
	}
	port = u.Port()
	if port == "" {
		switch scheme {
		case "http":
			port = "80"
		default:
			port = "443"
		}
	}
	return scheme, host, port, true
}

// WithHost is endpoint with its host replaced ("https://1.2.3.4:6443", "5.6.7.8"
// -> "https://5.6.7.8:6443").
func WithHost(endpoint, host string) string {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return endpoint
	}
	if port := u.Port(); port != "" {
		u.Host = net.JoinHostPort(host, port)
	} else {
		u.Host = host
	}
	return u.String()
}

// SameEndpoint reports whether two API server URLs name the same server.
func SameEndpoint(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	return EndpointKey(a) == EndpointKey(b)
}

// EndpointKey normalises an API server URL to the server Go's HTTP client
// reaches with it: scheme://host:port, see splitEndpoint ("HTTPS://47.96.1.20.:6443/api"
// and "https://[::ffff:47.96.1.20]:6443" are "https://47.96.1.20:6443"). A URL
// that does not parse is only trimmed and lower-cased.
func EndpointKey(ep string) string {
	if ep == "" {
		return ""
	}
	if scheme, host, port, ok := splitEndpoint(ep); ok {
		return scheme + "://" + net.JoinHostPort(host, port)
	}
	return strings.ToLower(strings.TrimSpace(ep))
}
