package simulator

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// DemoAccountID is the account UID of the demo world.
const DemoAccountID = "1234567890123456"

// DemoRegion is the region of the demo world's clusters.
const DemoRegion = "cn-hangzhou"

// ClusterIDFor derives a stable, real-shaped cluster ID (c + 32 hex) from a name,
// so the demo world is the same on every machine.
func ClusterIDFor(name string) string {
	sum := md5.Sum([]byte("ack-expose-demo/" + name))
	return "c" + hex.EncodeToString(sum[:])
}

// DemoWorld is the world `simulator init` writes: one cluster of every kind the
// plugin must tell apart, EIPs in every state it must handle.
func DemoWorld() *State {
	type spec struct{ name, ctype, profile, cspec, state, eip string }
	specs := []spec{
		{"demo-basic", "ManagedKubernetes", "Default", "ack.standard", "running", ""},
		{"demo-pro", "ManagedKubernetes", "Default", "ack.pro.small", "running", "eip-bp1demopro000000000"},
		{"demo-serverless", "ManagedKubernetes", "Serverless", "ack.pro.small", "running", ""},
		{"demo-dedicated", "Kubernetes", "Default", "", "running", ""},
		{"demo-registered", "ExternalKubernetes", "Default", "", "running", ""},
		{"demo-edge", "ManagedKubernetes", "Edge", "ack.pro.small", "running", ""},
		{"demo-busy", "ManagedKubernetes", "Default", "ack.pro.small", "updating", ""},
	}
	s := &State{
		Version:   StateVersion,
		AccountID: DemoAccountID,
		Timing:    Timing{ModifyCluster: Duration(2 * time.Second), EIPTransition: Duration(time.Second)},
		Tasks:     []Task{},
		Faults:    []Fault{},
		Calls:     map[string]int{},
	}
	for i, sp := range specs {
		id := ClusterIDFor(sp.name)
		s.Clusters = append(s.Clusters, Cluster{
			ID: id, Name: sp.name, RegionID: DemoRegion, ClusterType: sp.ctype, Profile: sp.profile,
			ClusterSpec: sp.cspec, State: sp.state, VPCID: "vpc-bp1demo0000000000" + fmt.Sprint(i),
			APIServerLoadBalancerID: "lb-bp1demo00000000000" + fmt.Sprint(i),
			IntranetEndpoint:        fmt.Sprintf("https://192.168.%d.10:6443", i),
			EIPAllocationID:         sp.eip,
		})
	}
	eip := func(id, ip, region, status, inst, instType string) EIP {
		return EIP{AllocationID: id, IPAddress: ip, RegionID: region, Status: status, InstanceID: inst,
			InstanceType: instType, Bandwidth: "5", InternetChargeType: "PayByTraffic", ChargeType: "PostPaid"}
	}
	s.EIPs = []EIP{
		eip("eip-bp1demo0000000000001", "47.96.1.10", DemoRegion, "Available", "", ""),
		eip("eip-bp1demo0000000000002", "47.96.1.11", DemoRegion, "Available", "", ""),
		eip("eip-bp1demo0000000000003", "47.96.1.12", DemoRegion, "Available", "", ""),
		eip("eip-bp1demopro000000000", "47.96.1.20", DemoRegion, "InUse", s.Clusters[1].APIServerLoadBalancerID, "SlbInstance"),
		eip("eip-bp1demoecs000000000", "47.96.1.30", DemoRegion, "InUse", "i-bp1demoecs0000000000", "EcsInstance"),
		eip("eip-2zedemobj0000000000", "39.105.1.10", "cn-beijing", "Available", "", ""),
	}
	s.EIPs[5].Name = "other-region"
	return s
}

// ContextName is the name ACK gives a cluster's kubeconfig context.
func ContextName(accountID, clusterID string) string { return accountID + "-" + clusterID }

// ClusterKubeconfig is the kubeconfig ACK hands out for one cluster: a cluster
// entry named "kubernetes", a context named <account-uid>-<clusterId>, a user
// named after the account. The credentials are placeholders.
func ClusterKubeconfig(accountID string, c *Cluster, server string) ([]byte, error) {
	cfg := clientcmdapi.NewConfig()
	ctx := ContextName(accountID, c.ID)
	cfg.Clusters["kubernetes"] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: demoCA(c.Name)}
	cfg.AuthInfos[accountID] = demoUser()
	cfg.Contexts[ctx] = &clientcmdapi.Context{Cluster: "kubernetes", AuthInfo: accountID}
	cfg.CurrentContext = ctx
	return clientcmd.Write(*cfg)
}

func demoCA(name string) []byte {
	return []byte("-----BEGIN CERTIFICATE-----\nsimulated CA of " + name + "\n-----END CERTIFICATE-----\n")
}

func demoUser() *clientcmdapi.AuthInfo {
	return &clientcmdapi.AuthInfo{
		ClientCertificateData: []byte("-----BEGIN CERTIFICATE-----\nsimulated client certificate\n-----END CERTIFICATE-----\n"),
		ClientKeyData:         []byte("-----BEGIN RSA PRIVATE KEY-----\nsimulated client key\n-----END RSA PRIVATE KEY-----\n"),
	}
}

// DemoKubeconfig is an ACK-style kubeconfig with one context per cluster of s,
// the first cluster's current. A context reaches its cluster through the public
// endpoint when it has one (as ACK's public kubeconfig does), else the intranet one.
// The credentials are placeholders: the simulator never checks them.
func DemoKubeconfig(s *State) ([]byte, error) {
	cfg := clientcmdapi.NewConfig()
	for i, c := range s.Clusters {
		v := s.view(&s.Clusters[i])
		server := c.IntranetEndpoint
		if v.PublicEndpoint != "" {
			server = v.PublicEndpoint
		}
		ctx := ContextName(s.AccountID, c.ID)
		cfg.Clusters[c.Name] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: demoCA(c.Name)}
		cfg.AuthInfos[ctx] = demoUser()
		cfg.Contexts[ctx] = &clientcmdapi.Context{Cluster: c.Name, AuthInfo: ctx}
		if i == 0 {
			cfg.CurrentContext = ctx
		}
	}
	return clientcmd.Write(*cfg)
}
