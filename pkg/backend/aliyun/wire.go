package aliyun

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/ack-expose/ack-expose/pkg/backend"
)

// Wire types of the two APIs, as their documentation names the fields. They
// are decoded leniently: unknown fields are ignored, missing ones stay empty.
// The simulator's server (simulator/openapi) has its own copies on purpose:
// sharing one definition would let a wrong field name on both sides pass every
// test; these are checked against documentation-shaped samples in wire_test.go.

// csCluster is a DescribeClusterDetail body, or an item of DescribeClustersV1.
type csCluster struct {
	ClusterID   string `json:"cluster_id"`
	Name        string `json:"name"`
	RegionID    string `json:"region_id"`
	State       string `json:"state"`
	ClusterType string `json:"cluster_type"`
	Profile     string `json:"profile"`
	ClusterSpec string `json:"cluster_spec"`
	VPCID       string `json:"vpc_id"`
	// MasterURL is a JSON document inside a JSON string.
	MasterURL string `json:"master_url"`
	// ExtraSans are the certificate's extra names (DescribeClusterDetail).
	ExtraSans []string `json:"extra_sans"`
}

type csClusterList struct {
	Clusters []csCluster `json:"clusters"`
	PageInfo struct {
		PageNumber int `json:"page_number"`
		PageSize   int `json:"page_size"`
		TotalCount int `json:"total_count"`
	} `json:"page_info"`
}

type csModifyResponse struct {
	ClusterID string `json:"cluster_id"`
	TaskID    string `json:"task_id"`
	RequestID string `json:"request_id"`
}

type csTask struct {
	TaskID       string `json:"task_id"`
	ClusterID    string `json:"cluster_id"`
	State        string `json:"state"`
	CurrentStage string `json:"current_stage"`
	Created      string `json:"created"`
	Updated      string `json:"updated"`
	Error        *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

type vpcEIP struct {
	AllocationID       string `json:"AllocationId"`
	IPAddress          string `json:"IpAddress"`
	RegionID           string `json:"RegionId"`
	Status             string `json:"Status"`
	InstanceID         string `json:"InstanceId"`
	InstanceType       string `json:"InstanceType"`
	Bandwidth          string `json:"Bandwidth"`
	InternetChargeType string `json:"InternetChargeType"`
	ChargeType         string `json:"ChargeType"`
	Name               string `json:"Name"`
	Description        string `json:"Description"`
	// Descritpion (sic): the official SDK's model has this spelling as well.
	Descritpion    string `json:"Descritpion"`
	AllocationTime string `json:"AllocationTime"`
}

type vpcEIPList struct {
	TotalCount   int    `json:"TotalCount"`
	PageNumber   int    `json:"PageNumber"`
	PageSize     int    `json:"PageSize"`
	RequestID    string `json:"RequestId"`
	EipAddresses struct {
		EipAddress []vpcEIP `json:"EipAddress"`
	} `json:"EipAddresses"`
}

type vpcAllocateResponse struct {
	AllocationID string `json:"AllocationId"`
	EipAddress   string `json:"EipAddress"`
	RequestID    string `json:"RequestId"`
}

// MasterURL holds the two endpoints of a cluster's master_url.
type MasterURL struct {
	APIServerEndpoint         string `json:"api_server_endpoint"`
	IntranetAPIServerEndpoint string `json:"intranet_api_server_endpoint"`
}

// ParseMasterURL decodes master_url, a JSON document carried as a string.
// An empty string means no endpoints. It never panics.
func ParseMasterURL(s string) (MasterURL, error) {
	var m MasterURL
	if s == "" {
		return m, nil
	}
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return MasterURL{}, fmt.Errorf("master_url is not a JSON object: %v", err)
	}
	return m, nil
}

func (c csCluster) domain() (*backend.Cluster, error) {
	m, err := ParseMasterURL(c.MasterURL)
	if err != nil {
		return nil, fmt.Errorf("cluster %s: %w", c.ClusterID, err)
	}
	return &backend.Cluster{ID: c.ClusterID, Name: c.Name, RegionID: c.RegionID, ClusterType: c.ClusterType,
		Profile: c.Profile, ClusterSpec: c.ClusterSpec, State: c.State, VPCID: c.VPCID,
		IntranetEndpoint: m.IntranetAPIServerEndpoint, PublicEndpoint: m.APIServerEndpoint, ExtraSANs: c.ExtraSans}, nil
}

func (e vpcEIP) domain() backend.EIP {
	return backend.EIP{AllocationID: e.AllocationID, IPAddress: e.IPAddress, RegionID: e.RegionID, Status: e.Status,
		InstanceID: e.InstanceID, InstanceType: e.InstanceType, Bandwidth: e.Bandwidth,
		InternetChargeType: e.InternetChargeType, ChargeType: e.ChargeType, Name: e.Name,
		Description: firstNonEmpty(e.Description, e.Descritpion), AllocationTime: parseCloudTime(e.AllocationTime)}
}

// parseCloudTime reads VPC's times (2006-01-02T15:04:05Z); zero when absent
// or in another form.
func parseCloudTime(s string) time.Time {
	t, err := time.Parse("2006-01-02T15:04:05Z", s)
	if err != nil {
		return time.Time{}
	}
	return t
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (t csTask) domain() *backend.Task {
	out := &backend.Task{ID: t.TaskID, ClusterID: t.ClusterID, State: t.State, Stage: t.CurrentStage}
	out.Created, _ = time.Parse(time.RFC3339, t.Created)
	out.Updated, _ = time.Parse(time.RFC3339, t.Updated)
	if t.Error != nil {
		out.ErrorCode, out.ErrorMsg = t.Error.Code, t.Error.Message
	}
	return out
}

// CloudError is an error body of either API.
type CloudError struct {
	Code, Message, RequestID string
	Status                   int
}

// DecodeCSError decodes a CS (ROA) error body: lower-case fields, status as a
// number or a string. ok is false when the body is not one.
func DecodeCSError(body []byte) (CloudError, bool) {
	var raw struct {
		Code      string          `json:"code"`
		Message   string          `json:"message"`
		RequestID string          `json:"requestId"`
		Status    json.RawMessage `json:"status"`
	}
	if json.Unmarshal(body, &raw) != nil || raw.Code == "" {
		return CloudError{}, false
	}
	e := CloudError{Code: raw.Code, Message: raw.Message, RequestID: raw.RequestID}
	var n int
	if json.Unmarshal(raw.Status, &n) == nil {
		e.Status = n
	} else {
		var s string
		if json.Unmarshal(raw.Status, &s) == nil {
			e.Status, _ = strconv.Atoi(s)
		}
	}
	return e, true
}

// DecodeRPCError decodes a VPC (RPC) error body: capitalised fields.
func DecodeRPCError(body []byte) (CloudError, bool) {
	var raw struct {
		Code      string `json:"Code"`
		Message   string `json:"Message"`
		RequestID string `json:"RequestId"`
	}
	if json.Unmarshal(body, &raw) != nil || raw.Code == "" {
		return CloudError{}, false
	}
	return CloudError{Code: raw.Code, Message: raw.Message, RequestID: raw.RequestID}, true
}
