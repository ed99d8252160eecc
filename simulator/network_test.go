package simulator

import (
	"crypto/x509"
	"slices"
	"strings"
	"testing"
)

func TestNetwork(t *testing.T) {
	w := DemoWorld()
	if w.CA == nil || w.ClientAddress != DefaultClientAddress {
		t.Fatalf("the demo world has no CA or client address: %+v %q", w.CA, w.ClientAddress)
	}
	addrs := EndpointAddresses(w)
	for _, a := range []string{"47.96.1.10:6443", "47.96.1.20:6443", "192.168.0.10:6443", "39.105.1.10:6443"} {
		if !slices.Contains(addrs, a) {
			t.Errorf("EndpointAddresses lacks %s: %v", a, addrs)
		}
	}
	e := newEngine(t, w)
	// demo-pro answers at its EIP and its intranet address; an unbound EIP is silent.
	nv, err := e.Network("47.96.1.20:6443")
	if err != nil || nv.Endpoint == nil || nv.CA == nil {
		t.Fatalf("Network: %+v, %v", nv, err)
	}
	ep := nv.Endpoint
	if ep.ClusterName != "demo-pro" || !ep.Public || !ep.Admitted || !slices.Contains(ep.SANs, "47.96.1.20") || !slices.Contains(ep.SANs, "192.168.1.10") {
		t.Errorf("endpoint: %+v", ep)
	}
	if nv, _ := e.Network("192.168.1.10:6443"); nv.Endpoint == nil || nv.Endpoint.Public {
		t.Errorf("intranet endpoint: %+v", nv.Endpoint)
	}
	if nv, _ := e.Network("47.96.1.10:6443"); nv.Endpoint != nil {
		t.Errorf("an unbound EIP answers: %+v", nv.Endpoint)
	}
	// A cluster set to leave the EIP out of its certificate.
	if err := e.Update(func(s *State) error { s.Clusters[1].CertOmitsEIP = true; return nil }); err != nil {
		t.Fatal(err)
	}
	if nv, _ := e.Network("47.96.1.20:6443"); slices.Contains(nv.Endpoint.SANs, "47.96.1.20") {
		t.Errorf("SANs still name the EIP: %v", nv.Endpoint.SANs)
	}
	// Looking at the network is not an API call.
	_ = e.View(func(s *State) error {
		if len(s.Calls) != 0 {
			t.Errorf("calls counted: %v", s.Calls)
		}
		return nil
	})
	// The certificates it issues verify against its CA, for the names given.
	cert, err := w.CA.IssueServer(ep.SANs)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(cert.Certificate[0])
	ca, _ := w.CA.Certificate()
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: "47.96.1.20"}); err != nil {
		t.Errorf("issued certificate: %v", err)
	}
	if !leaf.NotAfter.Equal(ca.NotAfter) {
		t.Errorf("notAfter %s, want the CA's %s", leaf.NotAfter, ca.NotAfter)
	}
}

func TestNetworkStateFields(t *testing.T) {
	// An older file, without clientAddress, ca or certOmitsEip, still loads.
	old := `{"version":1,"accountId":"1","timing":{"modifyCluster":"1s","eipTransition":"1s"},"clusters":[{"id":"c1","name":"a","regionId":"r","clusterType":"ManagedKubernetes","profile":"Default","clusterSpec":"ack.standard","state":"running","vpcId":"v","apiServerLoadBalancerId":"lb","intranetEndpoint":"https://10.0.0.1:6443","eipAllocationId":""}],"eips":[],"tasks":[],"faults":[],"calls":{}}`
	s, err := Decode([]byte(old))
	if err != nil {
		t.Fatal(err)
	}
	if s.clientAddress() != DefaultClientAddress || s.CA != nil {
		t.Errorf("defaults: %q %+v", s.clientAddress(), s.CA)
	}
	if err := s.EnsureCA(); err != nil || s.CA == nil {
		t.Fatalf("EnsureCA: %v", err)
	}
	for _, bad := range []string{`"clientAddress":"not-an-ip"`, `"ca":{"cert":"garbage","key":""}`} {
		_, err := Decode([]byte(strings.Replace(old, `"version":1`, `"version":1,`+bad, 1)))
		if err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
}
