package simulator

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"sort"
	"time"

	"github.com/ack-expose/ack-expose/internal/cloudenum"
	"github.com/ack-expose/ack-expose/internal/yamlfmt"
)

// DemoAccountID is the account UID of the demo world.
const DemoAccountID = "1234567890123456"

// DemoAccessRole is the RAM role of the demo world, the one Resource
// Directory creates in its member accounts (status --assume-role).
const DemoAccessRole = "ResourceDirectoryAccountAccessRole"

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
		// The role a Resource Directory creates in each member account,
		// trusting the management account: the demo account here (another
		// account written by `simulator init --account-id` keeps trusting it).
		Roles: []Role{{Name: DemoAccessRole, TrustedAccounts: []string{DemoAccountID}}},
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
			InstanceType: instType, Bandwidth: "5", InternetChargeType: "PayByTraffic", ChargeType: cloudenum.ChargePostPaid}
	}
	s.EIPs = []EIP{
		eip("eip-bp1demo0000000000001", "47.96.1.10", DemoRegion, "Available", "", ""),
		eip("eip-bp1demo0000000000002", "47.96.1.11", DemoRegion, "Available", "", ""),
		eip("eip-bp1demo0000000000003", "47.96.1.12", DemoRegion, "Available", "", ""),
		eip("eip-bp1demopro000000000", "47.96.1.20", DemoRegion, "InUse", s.Clusters[1].APIServerLoadBalancerID, cloudenum.InstanceTypeSLB),
		eip("eip-bp1demoecs000000000", "47.96.1.30", DemoRegion, "InUse", "i-bp1demoecs0000000000", "EcsInstance"),
		eip("eip-2zedemobj0000000000", "39.105.1.10", "cn-beijing", "Available", "", ""),
	}
	s.EIPs[5].Name = "other-region"
	s.ClientAddress = DefaultClientAddress
	if ca, err := NewCA(); err == nil { // crypto/rand does not fail on supported systems
		s.CA = ca
	}
	demoSLB(s)
	return s
}

// ContextName is the name ACK gives a cluster's kubeconfig context.
func ContextName(accountID, clusterID string) string { return accountID + "-" + clusterID }

// ClusterKubeconfig is the kubeconfig ACK hands out for one cluster: a cluster
// entry named "kubernetes", a context named <account-uid>-<clusterId>, a user
// named after the account. The credentials are placeholders.
func ClusterKubeconfig(s *State, c *Cluster, server string) ([]byte, error) {
	ctx := ContextName(s.AccountID, c.ID)
	cfg := &kubeconfig{CurrentContext: ctx}
	cfg.add("kubernetes", server, s.caPEM(c.Name), ctx, s.AccountID)
	return cfg.bytes()
}

// caPEM is the CA the kubeconfigs carry: the simulator CA, which signs every
// simulated API server's certificate (a placeholder in a state without one).
func (s *State) caPEM(name string) string {
	if s.CA != nil {
		return s.CA.Cert
	}
	return "-----BEGIN CERTIFICATE-----\nsimulated CA of " + name + "\n-----END CERTIFICATE-----\n"
}

// kubeconfig is a kubeconfig file as ACK hands it out (and as kubectl writes
// it: sections and entries sorted by name, base64 certificates).
type kubeconfig struct {
	APIVersion     string              `yaml:"apiVersion"`
	Clusters       []kubeconfigCluster `yaml:"clusters"`
	Contexts       []kubeconfigContext `yaml:"contexts"`
	CurrentContext string              `yaml:"current-context"`
	Kind           string              `yaml:"kind"`
	Users          []kubeconfigUser    `yaml:"users"`
}

type kubeconfigCluster struct {
	Cluster struct {
		CertificateAuthorityData string `yaml:"certificate-authority-data"`
		Server                   string `yaml:"server"`
	} `yaml:"cluster"`
	Name string `yaml:"name"`
}

type kubeconfigContext struct {
	Context struct {
		Cluster string `yaml:"cluster"`
		User    string `yaml:"user"`
	} `yaml:"context"`
	Name string `yaml:"name"`
}

type kubeconfigUser struct {
	Name string `yaml:"name"`
	User struct {
		ClientCertificateData string `yaml:"client-certificate-data"`
		ClientKeyData         string `yaml:"client-key-data"`
	} `yaml:"user"`
}

// add adds a cluster entry, a context using it and the context's user, whose
// credentials are placeholders: the simulator never checks them.
func (k *kubeconfig) add(cluster, server, ca, context, user string) {
	b64 := base64.StdEncoding.EncodeToString
	var cl kubeconfigCluster
	cl.Name, cl.Cluster.Server, cl.Cluster.CertificateAuthorityData = cluster, server, b64([]byte(ca))
	k.Clusters = append(k.Clusters, cl)
	var cx kubeconfigContext
	cx.Name, cx.Context.Cluster, cx.Context.User = context, cluster, user
	k.Contexts = append(k.Contexts, cx)
	var u kubeconfigUser
	u.Name = user
	u.User.ClientCertificateData = b64([]byte("-----BEGIN CERTIFICATE-----\nsimulated client certificate\n-----END CERTIFICATE-----\n"))
	u.User.ClientKeyData = b64([]byte("-----BEGIN RSA PRIVATE KEY-----\nsimulated client key\n-----END RSA PRIVATE KEY-----\n"))
	k.Users = append(k.Users, u)
}

func (k *kubeconfig) bytes() ([]byte, error) {
	k.APIVersion, k.Kind = "v1", "Config"
	sort.Slice(k.Clusters, func(i, j int) bool { return k.Clusters[i].Name < k.Clusters[j].Name })
	sort.Slice(k.Contexts, func(i, j int) bool { return k.Contexts[i].Name < k.Contexts[j].Name })
	sort.Slice(k.Users, func(i, j int) bool { return k.Users[i].Name < k.Users[j].Name })
	return yamlfmt.Marshal(k)
}

// DemoKubeconfig is an ACK-style kubeconfig with one context per cluster of s,
// the first cluster's current. A context reaches its cluster through the public
// endpoint when it has one (as ACK's public kubeconfig does), else the intranet one.
// The credentials are placeholders: the simulator never checks them.
func DemoKubeconfig(s *State) ([]byte, error) {
	cfg := &kubeconfig{}
	for i, c := range s.Clusters {
		v := s.view(&s.Clusters[i])
		server := c.IntranetEndpoint
		if v.PublicEndpoint != "" {
			server = v.PublicEndpoint
		}
		ctx := ContextName(s.AccountID, c.ID)
		cfg.add(c.Name, server, s.caPEM(c.Name), ctx, ctx)
		if i == 0 {
			cfg.CurrentContext = ctx
		}
	}
	return cfg.bytes()
}
