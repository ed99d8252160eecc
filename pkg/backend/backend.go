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
	// DescribeTask returns a task (CS DescribeTaskInfo).
	DescribeTask(ctx context.Context, taskID string) (*Task, error)
	// AccessControl manages who may reach the API server (access.go).
	AccessControl
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
}

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
