package simulator

import (
	"strings"

	"github.com/ack-expose/ack-expose/internal/certsan"

	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"sort"
	"time"
)

// The simulated network: the address the user connects from, the CA that
// signs every simulated API server certificate, and which cluster answers at
// which address. `simulator serve` plays it on loopback (openapi/apiserver.go);
// the in-process backend answers a check from it without a network.

// DefaultClientAddress is the address the simulated user connects from when
// the state names none (TEST-NET-3, never routed).
const DefaultClientAddress = "203.0.113.10"

// APIServerVersion is the gitVersion every simulated API server reports.
const APIServerVersion = "v1.31.1-aliyun.1"

// CA is the simulator's certificate authority, PEM-encoded. The key is in the
// state file (0600): it is a simulator's, and signs nothing real.
type CA struct {
	Cert string `json:"cert"`
	Key  string `json:"key"`
}

// NewCA creates a CA valid for ten years.
func NewCA() (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC().Truncate(time.Second)
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "ack-expose simulator CA", Organization: []string{"ack-expose"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, err
	}
	return &CA{
		Cert: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		Key:  string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})),
	}, nil
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	return n
}

// Certificate parses the CA certificate.
func (ca *CA) Certificate() (*x509.Certificate, error) {
	b, _ := pem.Decode([]byte(ca.Cert))
	if b == nil {
		return nil, errors.New("the simulator CA certificate is not PEM")
	}
	return x509.ParseCertificate(b.Bytes)
}

// IssueServer issues an API server certificate for sans (IP addresses and DNS
// names), valid as long as the CA.
func (ca *CA) IssueServer(sans []string) (tls.Certificate, error) {
	caCert, err := ca.Certificate()
	if err != nil {
		return tls.Certificate{}, err
	}
	kb, _ := pem.Decode([]byte(ca.Key))
	if kb == nil {
		return tls.Certificate{}, errors.New("the simulator CA key is not PEM")
	}
	caKey, err := x509.ParseECPrivateKey(kb.Bytes)
	if err != nil {
		return tls.Certificate{}, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: "kube-apiserver"},
		NotBefore:    caCert.NotBefore,
		NotAfter:     caCert.NotAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, s := range sans {
		if ip := net.ParseIP(s); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, s)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

// Endpoint is a cluster's API server as reached at one address.
type Endpoint struct {
	Address     string // host:port
	ClusterID   string
	ClusterName string
	Public      bool
	// SANs are the API server certificate's subject alternative names.
	SANs []string
	// Admitted says whether the cluster lets the client address connect.
	Admitted bool
	// Restarting says the API server is being rolled out again (new
	// certificate names): connections are refused until it is done.
	Restarting bool
	Version    string
}

// NetworkView is what the network looks like at one address.
type NetworkView struct {
	// Endpoint is nil when no API server answers at the address.
	Endpoint *Endpoint
	CA       *CA
	// Latency is the state's API latency, which the network pays too.
	Latency time.Duration
	// Unresolved says the address's host is a name without a DNS record.
	Unresolved bool
}

// Network looks up which API server answers at addr (host:port), without
// counting an API call: it is the network, not the cloud API.
func (e *Engine) Network(addr string) (NetworkView, error) {
	var v NetworkView
	err := e.peek(func(s *State) error {
		v.CA, v.Latency = s.CA, s.Timing.APILatency.D()
		resolved := s.resolve(addr)
		if host, _, err := net.SplitHostPort(resolved); err == nil && net.ParseIP(host) == nil {
			v.Unresolved = true
			return nil
		}
		v.Endpoint = s.endpointAt(resolved)
		return nil
	})
	return v, err
}

// EndpointAddresses lists every address at which an API server may answer:
// each cluster's intranet endpoint and every EIP (on the port the public
// endpoint would have), sorted. An EIP may be associated at any time, so it
// is served before it is.
func EndpointAddresses(s *State) []string {
	seen := map[string]bool{}
	for _, c := range s.Clusters {
		if a := hostPort(c.IntranetEndpoint); a != "" {
			seen[a] = true
		}
	}
	for _, x := range s.EIPs {
		if a := hostPort(PublicEndpoint("https://0.0.0.0:6443", x.IPAddress)); a != "" {
			seen[a] = true
		}
	}
	out := make([]string, 0, len(seen))
	for a := range seen {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

func hostPort(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil || u.Hostname() == "" {
		return ""
	}
	port := u.Port()
	if port == "" {
		port = "443"
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// endpointAt finds the cluster whose intranet or public endpoint is addr.
func (s *State) endpointAt(addr string) *Endpoint {
	for i := range s.Clusters {
		c := &s.Clusters[i]
		v := s.view(c)
		public := v.PublicEndpoint != "" && hostPort(v.PublicEndpoint) == addr
		if !public && hostPort(c.IntranetEndpoint) != addr {
			continue
		}
		return &Endpoint{Address: addr, ClusterID: c.ID, ClusterName: c.Name, Public: public,
			SANs: s.certSANs(c), Admitted: s.admitsClient(c.ID, s.clientAddress()), Version: APIServerVersion,
			Restarting: s.restarting(c.ID)}
	}
	return nil
}

// certSANs are the names of a cluster's API server certificate, as ACK issues
// it: the intranet address, the EIP (unless the cluster is set to leave it
// out), the in-cluster names and the extra names (extraSans).
func (s *State) certSANs(c *Cluster) []string {
	var out []string
	if u, err := url.Parse(c.IntranetEndpoint); err == nil && u.Hostname() != "" {
		out = append(out, u.Hostname())
	}
	if x := s.eip(c.EIPAllocationID); x != nil && !c.CertOmitsEIP {
		out = append(out, x.IPAddress)
	}
	out = append(out, "kubernetes", "kubernetes.default", "kubernetes.default.svc")
	return append(out, c.ExtraSans...)
}

func (s *State) clientAddress() string {
	if s.ClientAddress != "" {
		return s.ClientAddress
	}
	return DefaultClientAddress
}

// admitsClient decides whether cluster clusterID's API server lets a client
// at addr connect: the source allow list of its CLB's listener 6443
// (AdmitsSource, slb.go). It is the one place that decides it, for both fronts.
func (s *State) admitsClient(clusterID, addr string) bool {
	return s.AdmitsSource(clusterID, addr)
}

// EnsureCA gives a state without a CA (an older file) one.
func (s *State) EnsureCA() error {
	if s.CA != nil {
		return nil
	}
	ca, err := NewCA()
	if err != nil {
		return fmt.Errorf("creating the simulator CA: %w", err)
	}
	s.CA = ca
	return nil
}

// checkNetwork rejects a client address or CA no network could have.
func (s *State) checkNetwork() error {
	if s.ClientAddress != "" && net.ParseIP(s.ClientAddress) == nil {
		return fmt.Errorf("clientAddress %q is not an IP address", s.ClientAddress)
	}
	if s.CA != nil {
		if _, err := s.CA.Certificate(); err != nil {
			return fmt.Errorf("ca: %v", err)
		}
	}
	for name, addr := range s.DNS {
		if c, err := certsan.Canonical(name); err != nil || c != name || certsan.IsIP(name) {
			return fmt.Errorf("dns: %q is not a DNS name in lower case", name)
		}
		if net.ParseIP(addr) == nil {
			return fmt.Errorf("dns: %q resolves to %q, which is not an IP address", name, addr)
		}
	}
	return nil
}

// resolve is the simulated world's DNS: a host:port whose host is a name of
// the state's DNS records becomes the address it resolves to; an address, or
// a name without a record, is left as it is (it then reaches nothing).
func (s *State) resolve(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip, ok := s.DNS[strings.ToLower(host)]; ok {
		return net.JoinHostPort(ip, port)
	}
	return addr
}

// restarting reports whether the API server of cluster id is being rolled
// out again for new certificate names: it refuses connections meanwhile.
func (s *State) restarting(id string) bool {
	for _, t := range s.Tasks {
		if t.ClusterID == id && t.CertSANs && t.State == "running" {
			return true
		}
	}
	return false
}
