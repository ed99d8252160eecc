// Package expose is the API server exposure lifecycle, as the ACK document
// describes it: resolve the cluster from a kubeconfig context (Resolve), read
// the cluster and its EIP, check the cluster kind and state, plan
// (idempotency, conflicts, the lockout guard), apply through the backend, and
// wait for the cloud to finish; and the same for who may connect (the API
// server CLB's allow list), the audit of every context, and cleanup.
//
// A Service runs it against any backend.Backend. Each command is one call:
// Status, Run (associate, change, disassociate), RunAccess (allow, revoke),
// Audit, Cleanup, PlanContext. Their steps (plan, apply, commit confirmed,
// revert) are unexported: an importer runs the whole flow, guards included,
// or nothing (ConfirmPoll and DefaultPoll only pace its waits). What the
// lifecycle needs from the outside comes through interfaces the caller
// provides: Progress (what it is doing, warnings), Journal (what an operation
// may leave unfinished), Kubeconfig (entries to repoint), Checker (the
// endpoint check). It knows nothing about HTTP, files or cobra, and every
// result is a printable document (TypeMeta, JSON field names fixed).
//
// A Go program imports it to run the plugin's lifecycle without the command
// line: build a Service over a backend (pkg/backend/aliyun, or
// pkg/backend/simulated offline) and call Status, Run, RunAccess, Audit or
// Cleanup; the Example shows a status and an associate.
package expose

import (
	"github.com/ack-expose/ack-expose/pkg/backend"
)

// APIVersion is the apiVersion of every document the plugin prints.
const APIVersion = "ack-expose.kubectl.io/v1alpha1"

// TypeMeta is the kind and apiVersion of a printed document, with the JSON
// names of Kubernetes' metav1.TypeMeta.
type TypeMeta struct {
	Kind       string `json:"kind,omitempty"`
	APIVersion string `json:"apiVersion,omitempty"`
}

// Exposure is the public access of one cluster's API server: the result of
// `status` and of every mutating command.
type Exposure struct {
	TypeMeta
	Cluster          ClusterInfo `json:"cluster"`
	Supported        bool        `json:"supported"`
	Reason           string      `json:"reason"`
	IntranetEndpoint string      `json:"intranetEndpoint"`
	PublicEndpoint   string      `json:"publicEndpoint"`
	EIP              *EIPInfo    `json:"eip"`
	// ExtraSANs are the API server certificate's extra names (the names
	// besides its addresses and in-cluster names), as `sans` changes them.
	ExtraSANs []string `json:"extraSans"`
	// Mismatch says the context's name and its server disagree (see
	// Mismatch); cluster.context is then empty.
	Mismatch string `json:"mismatch,omitempty"`
	// ContextServer says where the context's server leads when it is not
	// an endpoint's address itself: "api.pro.example (resolves to
	// 47.96.1.20, the public endpoint)", or a tunnel in front of one.
	ContextServer string `json:"contextServer,omitempty"`
	// Unconfirmed says that a change of the allow list made under commit
	// confirmed was neither confirmed nor reverted (the process was
	// interrupted or killed), and the command that undoes it.
	Unconfirmed string `json:"unconfirmed,omitempty"`
	// AccessControl is who may reach the API server (access.go); null for
	// clusters without an ACK API server CLB.
	AccessControl *AccessControl `json:"accessControl"`
	Operation     *Operation     `json:"operation,omitempty"`
	// Check is the check of the endpoint from this machine (status --check,
	// and associate and change after waiting).
	Check *backend.CheckResult `json:"check,omitempty"`
	// InProgress is the change ack-expose started on this cluster that the
	// cloud is still carrying out, when this machine knows of one.
	InProgress *InProgress `json:"inProgress,omitempty"`
	// AwaitingRelease lists the EIPs of this cluster that ack-expose
	// allocated and never associated, or was asked to release, and has not
	// released yet: `kubectl ack-expose cleanup` releases them.
	AwaitingRelease []string `json:"awaitingRelease,omitempty"`
	// Caller is whose credentials read this (status -o json|yaml).
	Caller *backend.Caller `json:"caller,omitempty"`
	// CallerError says why whose credentials these are could not be read
	// (STS GetCallerIdentity failed); caller is then null. Informational:
	// it does not change the exit code (see docs/output.md).
	CallerError string `json:"callerError,omitempty"`
}

// InProgress is a change the cloud accepted and is still carrying out.
type InProgress struct {
	Action       Action `json:"action"`
	TaskID       string `json:"taskId"`
	AllocationID string `json:"allocationId,omitempty"`
	IPAddress    string `json:"ipAddress,omitempty"`
}

// ClusterInfo identifies the cluster and the context it was resolved from.
type ClusterInfo struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	RegionID    string `json:"regionId"`
	ClusterType string `json:"clusterType"`
	Profile     string `json:"profile"`
	ClusterSpec string `json:"clusterSpec"`
	State       string `json:"state"`
	Context     string `json:"context"`
}

// EIPInfo is the EIP behind the public endpoint.
type EIPInfo struct {
	AllocationID       string `json:"allocationId"`
	IPAddress          string `json:"ipAddress"`
	Status             string `json:"status"`
	Bandwidth          string `json:"bandwidth"`
	InternetChargeType string `json:"internetChargeType"`
}

// Operation says what a mutating command did, or would do with --dry-run.
type Operation struct {
	Action  string `json:"action"`
	TaskID  string `json:"taskId"`
	DryRun  bool   `json:"dryRun"`
	Changed bool   `json:"changed"`
	// Phase is where the operation stands: planned (dry run), accepted (the
	// cloud took the change, which may still run), done, or failed.
	Phase Phase `json:"phase"`
	// Steps are the planned (dry run) or performed changes, in order.
	Steps []string `json:"steps"`
	// Warnings are what the user should know before or after, such as the lockout guard.
	Warnings []string `json:"warnings,omitempty"`
	// AllocatedEIP and ReleasedEIP name EIPs this operation created or released.
	AllocatedEIP string `json:"allocatedEip,omitempty"`
	ReleasedEIP  string `json:"releasedEip,omitempty"`
	// Kubeconfig lists the kubeconfig cluster entries --update-kubeconfig
	// repointed, or, on disassociate, found pointing at the removed endpoint.
	Kubeconfig []KubeconfigEntry `json:"kubeconfig,omitempty"`
}

// Phase is where an operation stands.
type Phase string

// Operation phases.
const (
	PhasePlanned  Phase = "planned"
	PhaseAccepted Phase = "accepted"
	PhaseDone     Phase = "done"
	PhaseFailed   Phase = "failed"
)

// KubeconfigEntry is a kubeconfig cluster entry that used the old endpoint.
type KubeconfigEntry struct {
	File    string           `json:"file"`
	Cluster string           `json:"cluster"`
	Server  string           `json:"server"`
	Action  KubeconfigAction `json:"action"`
}

// KubeconfigAction is what happened to a kubeconfig cluster entry.
type KubeconfigAction string

const (
	// KubeconfigRepointed: the entry now has the new endpoint as Server.
	KubeconfigRepointed KubeconfigAction = "repointed"
	// KubeconfigWouldRepoint: a dry run would repoint it.
	KubeconfigWouldRepoint KubeconfigAction = "would repoint"
	// KubeconfigUnreachable: left as it is, reaching nothing (disassociate).
	KubeconfigUnreachable KubeconfigAction = "unreachable"
	// KubeconfigKept: left as it is, reaching the cluster by a DNS name
	// whose record must follow the new EIP (change).
	KubeconfigKept KubeconfigAction = "kept (by name)"
)

func newExposure(c *backend.Cluster, context string, e *backend.EIP) *Exposure {
	x := &Exposure{
		TypeMeta: TypeMeta{APIVersion: APIVersion, Kind: "APIServerExposure"},
		Cluster: ClusterInfo{ID: c.ID, Name: c.Name, RegionID: c.RegionID, ClusterType: c.ClusterType,
			Profile: c.Profile, ClusterSpec: c.ClusterSpec, State: c.State, Context: context},
		IntranetEndpoint: c.IntranetEndpoint,
		PublicEndpoint:   c.PublicEndpoint,
		// nil (null) when the read does not carry them (a list, in an audit).
		ExtraSANs: c.ExtraSANs,
	}
	x.Supported, x.Reason = eligibility(c)
	if x.Supported && c.State != backend.StateRunning {
		x.Reason = stateReason(c)
	}
	if e != nil {
		x.EIP = &EIPInfo{AllocationID: e.AllocationID, IPAddress: e.IPAddress, Status: e.Status,
			Bandwidth: e.Bandwidth, InternetChargeType: e.InternetChargeType}
	}
	return x
}
