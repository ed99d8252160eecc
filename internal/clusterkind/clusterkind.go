// Package clusterkind is the one table of ACK cluster kinds: what the ACK
// console calls each (cluster_type, profile, cluster_spec), and whether its
// API server EIP can be associated, changed or disassociated after creation.
// The lifecycle (pkg/expose), the command layer's names and the simulator all
// read it, so the rule changes in one line when ACK's documentation does.
package clusterkind

import "strings"

// DocControlPublicAccess is the ACK page the eligibility rule follows
// ("Access the API server from the public network", updated 2026-02-27):
// "EIP association for existing clusters is supported in ACK managed
// clusters, ACK Serverless clusters, and ACK Edge clusters"; an ACK dedicated
// cluster is hot-migrated to ACK managed Pro first.
const DocControlPublicAccess = "https://www.alibabacloud.com/help/en/ack/ack-managed-and-ack-dedicated/user-guide/control-public-access-to-the-api-server-of-a-cluster"

// Kind is a kind of ACK cluster.
type Kind struct {
	// Name is the kind in the words of the ACK console ("ACK Edge").
	Name string
	// Supported says whether the API server EIP can change after creation.
	Supported bool
	// Reason says why not, and what to do instead, when it cannot.
	Reason string
	// CertSANs says whether the API server certificate's extra names can
	// change after creation (ModifyCluster api_server_custom_cert_sans).
	CertSANs bool
}

// CertSANs says whether a cluster kind can change its API server
// certificate's extra names after creation, and why not. The CS model of
// ModifyCluster says api_server_custom_cert_sans is "available only for ACK
// managed clusters", and ACK's guide lists ACK managed (standard, Pro) and
// ACK Serverless, not ACK dedicated; ACK Edge and ACK Lingjun are not
// documented, so they are refused until they are.
func CertSANs(clusterType, profile, spec string) (ok bool, reason string) {
	k := Of(clusterType, profile, spec)
	if k.CertSANs {
		return true, ""
	}
	why := k.Name + " clusters"
	switch {
	case clusterType == "Kubernetes":
		why += " cannot change the API server certificate's names after creation; migrate the cluster to ACK Pro first"
	case clusterType == "ExternalKubernetes":
		why += " are not served by an ACK API server: change the certificate in the cluster's own infrastructure"
	default:
		why += " cannot change the API server certificate's names through ModifyCluster: ACK documents it for ACK standard, ACK Pro and ACK Serverless only"
	}
	return false, why
}

const supportedKinds = "only ACK standard, ACK Pro, ACK Serverless and ACK Edge clusters can"

// row matches a cluster_type, a profile ("*" any) and a cluster_spec test.
type row struct {
	clusterType, profile string
	spec                 func(string) bool
	kind                 Kind
}

func anySpec(string) bool   { return true }
func proSpec(s string) bool { return strings.HasPrefix(s, "ack.pro.") }
func standardSpec(s string) bool {
	return s == "" || s == "ack.standard"
}

// table is the rule, first match wins. Sources: DocControlPublicAccess for
// every supported row and for the dedicated one; registered and Lingjun
// clusters are not on that page (nor is api_server_eip in their references).
var table = []row{
	{"Ask", "*", anySpec, Kind{Name: "ACK Serverless", Supported: true, CertSANs: true}},
	{"ManagedKubernetes", "Serverless", anySpec, Kind{Name: "ACK Serverless", Supported: true, CertSANs: true}},
	{"ManagedKubernetes", "Edge", anySpec, Kind{Name: "ACK Edge", Supported: true}},
	{"ManagedKubernetes", "Lingjun", anySpec, Kind{Name: "ACK Lingjun",
		Reason: "ACK Lingjun clusters cannot change the API server EIP after creation; " + supportedKinds}},
	{"ManagedKubernetes", "Default", proSpec, Kind{Name: "ACK Pro", Supported: true, CertSANs: true}},
	{"ManagedKubernetes", "", proSpec, Kind{Name: "ACK Pro", Supported: true, CertSANs: true}},
	{"ManagedKubernetes", "Default", standardSpec, Kind{Name: "ACK standard", Supported: true, CertSANs: true}},
	{"ManagedKubernetes", "", standardSpec, Kind{Name: "ACK standard", Supported: true, CertSANs: true}},
	{"Kubernetes", "*", anySpec, Kind{Name: "ACK dedicated",
		Reason: "ACK dedicated clusters cannot change the API server EIP after creation; migrate the cluster to ACK Pro first (ACK console: Cluster Information > Migrate to Pro)"}},
	{"ExternalKubernetes", "*", anySpec, Kind{Name: "registered",
		Reason: "registered clusters are not served by an ACK API server CLB; manage public access to the API server in the cluster's own infrastructure"}},
}

// Of returns the kind of a cluster.
func Of(clusterType, profile, spec string) Kind {
	for _, r := range table {
		if r.clusterType == clusterType && (r.profile == "*" || r.profile == profile) && r.spec(spec) {
			return r.kind
		}
	}
	if clusterType == "ManagedKubernetes" {
		if profile == "" || profile == "Default" {
			return Kind{Name: "ACK managed (" + spec + ")",
				Reason: "managed cluster spec \"" + spec + "\" is not ACK standard or ACK Pro; " + supportedKinds + " change the API server EIP after creation"}
		}
		return Kind{Name: "ACK " + profile,
			Reason: "managed cluster profile \"" + profile + "\" cannot change the API server EIP after creation; " + supportedKinds}
	}
	return Kind{Name: clusterType, Reason: "cluster type \"" + clusterType + "\" cannot change the API server EIP; " + supportedKinds}
}
