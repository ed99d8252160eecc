// Package backend defines what the lifecycle needs from a cloud: the Backend
// interface and the domain types it speaks (clusters, EIPs, tasks, CLB
// listeners and their access control lists, endpoint checks), plus Wrap, which
// adds retries of throttled calls and a debug log to any Backend. Errors carry
// the kinds of pkg/errdefs. It knows nothing about HTTP, files or cobra.
//
// A Go program imports it to implement another cloud (or a fake) for the
// lifecycle of pkg/expose, or to call a Backend directly: pkg/backend/aliyun
// and pkg/backend/simulated are the two implementations.
package backend

import (
	"context"
	"slices"
	"time"
)

// Backend is the cloud as the lifecycle sees it. Implementations: the real
// Alibaba Cloud (package aliyun) and the offline simulator (package simulated).
// Every method is one API call, so call counts stay predictable.
type Backend interface {
	// DescribeCluster returns one cluster (CS DescribeClusterDetail).
	DescribeCluster(ctx context.Context, clusterID string) (*Cluster, error)
	// ListClusters returns the clusters of a region, or of every region when
	// region is empty, page by page (CS DescribeClustersV1).
	ListClusters(ctx context.Context, region string) ([]Cluster, error)
	// DescribeEIPs returns the EIPs of a region matching the query (VPC DescribeEipAddresses).
	DescribeEIPs(ctx context.Context, region string, q EIPQuery) ([]EIP, error)
	// AllocateEIP allocates a pay-as-you-go EIP (VPC AllocateEipAddress).
	AllocateEIP(ctx context.Context, region string, spec AllocateSpec) (*EIP, error)
	// ReleaseEIP releases an Available pay-as-you-go EIP (VPC ReleaseEipAddress).
	ReleaseEIP(ctx context.Context, region, allocationID string) error
	// ModifyAPIServerEIP binds (eipID set) or unbinds (eipID empty) the API
	// server's EIP (CS ModifyCluster) and returns the task that carries it out.
	ModifyAPIServerEIP(ctx context.Context, clusterID, eipID string) (taskID string, err error)
	// ModifyAPIServerSANs changes the extra names of the API server's
	// certificate (CS ModifyCluster api_server_custom_cert_sans), which
	// restarts the API server, and returns the task that carries it out.
	ModifyAPIServerSANs(ctx context.Context, clusterID string, change SANChange) (taskID string, err error)
	// DescribeTask returns a task (CS DescribeTaskInfo).
	DescribeTask(ctx context.Context, taskID string) (*Task, error)
	// ListRegions lists the regions of the cloud (VPC DescribeRegions).
	ListRegions(ctx context.Context) ([]string, error)
	// CallerIdentity says whose credentials sign the calls (STS
	// GetCallerIdentity, which needs no permission).
	CallerIdentity(ctx context.Context) (*Caller, error)
	// AccessControl manages who may reach the API server (access.go).
	AccessControl
}

// Caller is the identity behind the credentials (status -o json "caller").
type Caller struct {
	AccountID    string `json:"accountId"`
	Arn          string `json:"arn"`
	IdentityType string `json:"identityType"`
	// Provider is where the credentials came from, e.g. "aliyun CLI profile
	// dev (CloudSSO)".
	Provider string `json:"provider"`
}

// Cluster is what the lifecycle needs of an ACK cluster.
type Cluster struct {
	ID               string `json:"id"`
	Name             string `json:"name"`
	RegionID         string `json:"regionId"`
	ClusterType      string `json:"clusterType"`
	Profile          string `json:"profile"`
	ClusterSpec      string `json:"clusterSpec"`
	State            string `json:"state"`
	VPCID            string `json:"-"`
	IntranetEndpoint string `json:"-"`
	PublicEndpoint   string `json:"-"`
	// ExtraSANs are the API server certificate's extra names
	// (DescribeClusterDetail extra_sans; lists do not carry them).
	ExtraSANs []string `json:"-"`
}

// SANChange is a change of the API server certificate's extra names.
type SANChange struct {
	// Action is SANsAppend (add Names) or SANsOverwrite (Names become the
	// whole list).
	Action string
	Names  []string
}

// CallTimeout bounds one cloud API call: a backend gives up on an answer
// that has not come by then (KindUnavailable; the cloud may still carry the
// call out). The aliyun backend's read timeout; the simulated backend's too.
const CallTimeout = 15 * time.Second

// Actions of a SANChange, as ModifyCluster spells them.
const (
	SANsAppend    = "append"
	SANsOverwrite = "overwrite"
)

// Cluster states the lifecycle cares about.
const (
	StateRunning  = "running"
	StateUpdating = "updating"
)

// busyStates are the states of a cluster in the middle of an operation: it
// cannot take a change now, but will be running again.
var busyStates = []string{"updating", "upgrading", "scaling", "removing", "draining", "initial", "waiting"}

// terminalStates are the states a cluster does not leave by itself: a wait
// for it to be running ends at once.
var terminalStates = []string{"updating_failed", "failed", "delete_failed", "deleting", "deleted", "stopped"}

// IsBusy reports whether a cluster state is one of busyStates.
func IsBusy(state string) bool { return slices.Contains(busyStates, state) }

// IsTerminal reports whether a cluster state is one of terminalStates.
func IsTerminal(state string) bool { return slices.Contains(terminalStates, state) }

// EIP is an elastic IP address.
type EIP struct {
	AllocationID       string `json:"allocationId"`
	IPAddress          string `json:"ipAddress"`
	RegionID           string `json:"-"`
	Status             string `json:"status"`
	InstanceID         string `json:"-"`
	InstanceType       string `json:"-"`
	Bandwidth          string `json:"bandwidth"`
	InternetChargeType string `json:"internetChargeType"`
	ChargeType         string `json:"-"`
	Name               string `json:"-"`
	Description        string `json:"-"`
	// AllocationTime is when it was allocated (zero when unknown).
	AllocationTime time.Time `json:"-"`
}

// EIP statuses.
const (
	EIPAvailable     = "Available"
	EIPAssociating   = "Associating"
	EIPInUse         = "InUse"
	EIPUnassociating = "Unassociating"
	EIPReleasing     = "Releasing"
)

// EIPQuery filters DescribeEIPs. Empty fields do not filter.
type EIPQuery struct {
	AllocationIDs []string
	IPAddresses   []string
	// ISP is the line type filter; empty leaves it to the API, whose
	// documented default is BGP (so a BGP_PRO EIP needs ISP "BGP_PRO").
	ISP string
}

// AllocateSpec describes an EIP to allocate.
type AllocateSpec struct {
	Bandwidth          int
	InternetChargeType string
	ISP                string
	Name               string
	Description        string
	// ClientToken makes the allocation idempotent: a retry with the same token
	// returns the same EIP instead of allocating a second one.
	ClientToken string
}

// Task is an asynchronous cluster operation.
type Task struct {
	ID        string
	ClusterID string
	State     string
	Stage     string
	ErrorCode string
	ErrorMsg  string
	Created   time.Time
	Updated   time.Time
}

// Task states. The CS docs spell failure both "fail" and "failed".
const (
	TaskRunning = "running"
	TaskSuccess = "success"
)

// TaskDone reports whether a task state is final, and whether it succeeded.
func TaskDone(state string) (done, ok bool) {
	switch state {
	case TaskSuccess:
		return true, true
	case "fail", "failed", "timeout", "canceled", "cancelled":
		return true, false
	}
	return false, false
}
