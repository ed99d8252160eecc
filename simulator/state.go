// Package simulator is the offline model of the two Alibaba Cloud APIs the
// plugin uses: ACK clusters (CS) and elastic IPs (VPC). Its whole world is one
// JSON file, read and written under an exclusive lock, replaced atomically, and
// advanced lazily by wall-clock time on every load. It has two fronts: the
// simulated backend (in-process) and the OpenAPI HTTP server (simulator/openapi).
package simulator

import (
	"github.com/ack-expose/ack-expose/internal/certsan"

	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// StateVersion is the only version of the state file this build understands.
const StateVersion = 1

// State is the simulated world, exactly as stored in the state file.
type State struct {
	Version   int            `json:"version"`
	AccountID string         `json:"accountId"`
	Timing    Timing         `json:"timing"`
	Clusters  []Cluster      `json:"clusters"`
	EIPs      []EIP          `json:"eips"`
	Tasks     []Task         `json:"tasks"`
	Faults    []Fault        `json:"faults"`
	Calls     map[string]int `json:"calls"`
	// The network as the simulated user sees it (network.go).
	ClientAddress string `json:"clientAddress,omitempty"`
	CA            *CA    `json:"ca,omitempty"`
	// DNS are the simulated world's DNS records: a name and the address it
	// resolves to (a team's name for the API server's EIP).
	DNS map[string]string `json:"dns,omitempty"`
	// The API server CLBs, their ACLs and the VPCs (slb.go). A cluster whose
	// CLB or VPC is not listed gets a default one on first use, so state
	// files written before these existed keep working.
	LoadBalancers []LoadBalancer `json:"loadBalancers,omitempty"`
	ACLs          []ACL          `json:"acls,omitempty"`
	VPCs          []VPC          `json:"vpcs,omitempty"`
	// CallLog is the ordered log of the most recent calls (CallLogSize).
	CallLog []CallRecord `json:"callLog,omitempty"`
	// Roles are the account's RAM roles, for STS AssumeRole (accounts.go).
	Roles []Role `json:"roles,omitempty"`
	// CallsEpoch names this state in the calls file beside it (calls.go):
	// its lines count calls made since this state was written. Renewed by
	// every write; absent in older files.
	CallsEpoch string `json:"callsEpoch,omitempty"`

	// dirty: something changed since the state was read, other than what a
	// read is allowed to leave unsaved (its count). Set by what changes the
	// world behind a read's back: the clock finishing work (advance), a
	// fault consumed, a default created on first use.
	dirty bool
}

// Timing says how long simulated asynchronous work takes.
type Timing struct {
	ModifyCluster Duration `json:"modifyCluster"`
	EIPTransition Duration `json:"eipTransition"`
	APILatency    Duration `json:"apiLatency,omitempty"`
	// EIPLag is how long after ModifyCluster the EIPs' statuses start to
	// move: meanwhile the cluster is updating, but the new EIP still reads
	// Available and the old one InUse, as VPC catches up with CS. Zero
	// moves them at once.
	EIPLag Duration `json:"eipLag,omitempty"`
}

// Cluster is a simulated ACK cluster.
type Cluster struct {
	ID                      string `json:"id"`
	Name                    string `json:"name"`
	RegionID                string `json:"regionId"`
	ClusterType             string `json:"clusterType"`
	Profile                 string `json:"profile"`
	ClusterSpec             string `json:"clusterSpec"`
	State                   string `json:"state"`
	VPCID                   string `json:"vpcId"`
	APIServerLoadBalancerID string `json:"apiServerLoadBalancerId"`
	IntranetEndpoint        string `json:"intranetEndpoint"`
	EIPAllocationID         string `json:"eipAllocationId"`
	// CertOmitsEIP leaves the EIP out of the API server certificate's SANs.
	CertOmitsEIP bool `json:"certOmitsEip,omitempty"`
	// ExtraSans are the certificate's extra names (DescribeClusterDetail
	// extra_sans), changed by ModifyCluster api_server_custom_cert_sans.
	ExtraSans []string `json:"extraSans,omitempty"`
}

// EIP is a simulated elastic IP address.
type EIP struct {
	AllocationID       string `json:"allocationId"`
	IPAddress          string `json:"ipAddress"`
	RegionID           string `json:"regionId"`
	Status             string `json:"status"`
	InstanceID         string `json:"instanceId"`
	InstanceType       string `json:"instanceType"`
	Bandwidth          string `json:"bandwidth"`
	InternetChargeType string `json:"internetChargeType"`
	ChargeType         string `json:"chargeType"`
	ISP                string `json:"isp,omitempty"`
	Name               string `json:"name"`
	Description        string `json:"description,omitempty"`
	ClientToken        string `json:"clientToken,omitempty"`
	// AllocatedAt is when it was allocated (AllocationTime); unset in older
	// state files and the demo world: long ago.
	AllocatedAt *time.Time `json:"allocatedAt,omitempty"`
	// ReleaseAt is when a Releasing EIP disappears.
	ReleaseAt *time.Time `json:"releaseAt,omitempty"`
}

// Task is a simulated ModifyCluster task.
type Task struct {
	ID        string    `json:"id"`
	ClusterID string    `json:"clusterId"`
	Type      string    `json:"type"`
	State     string    `json:"state"`
	Created   time.Time `json:"created"`
	FinishAt  time.Time `json:"finishAt"`
	// Updated is when the task last changed state.
	Updated time.Time `json:"updated"`
	// NewEIP is the EIP being bound ("" to unbind); OldEIP the one it replaces.
	NewEIP string `json:"newEip"`
	OldEIP string `json:"oldEip"`
	// EIPsAt, when set, is when the EIPs turn Associating/Unassociating
	// (timing.eipLag after the task started); until then they read as
	// before the change.
	EIPsAt *time.Time `json:"eipsAt,omitempty"`
	// CertSANs marks a change of the certificate's extra names (the EIP
	// stays); NewSANs are the names once it is done. The API server
	// restarts meanwhile: its endpoints refuse connections (network.go).
	CertSANs bool     `json:"certSans,omitempty"`
	NewSANs  []string `json:"newSans,omitempty"`
	// Fail, when set, makes the task end in state "failed" with this error.
	Fail *TaskError `json:"fail,omitempty"`
	// FailClusterState is the state a failed task leaves the cluster in
	// ("" is running: the API server rolled back).
	FailClusterState string `json:"failClusterState,omitempty"`
	// Error is the error of a failed task.
	Error *TaskError `json:"error,omitempty"`
}

// TaskError is the error of a failed task.
type TaskError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Fault makes the next Remaining calls of Action fail with this error; with
// Remaining 0 (or left out), every call until the fault is cleared.
// The pseudo action "ModifyClusterTask" makes the tasks of the next
// Remaining ModifyCluster calls end in "failed" instead, leaving the cluster
// in ClusterState (running when empty; e.g. "updating_failed").
//
// Delay holds the answer back that long (a stalled server: a client with a
// shorter timeout gives up). With no Code the call itself succeeds and only
// its answer is late, or with Drop lost: the connection is closed without an
// answer after the call was carried out (a reset), so the client cannot know
// whether it happened.
type Fault struct {
	Action       string   `json:"action"`
	Code         string   `json:"code"`
	HTTPStatus   int      `json:"httpStatus"`
	Message      string   `json:"message"`
	Remaining    int      `json:"remaining"`
	Delay        Duration `json:"delay,omitempty"`
	Drop         bool     `json:"drop,omitempty"`
	ClusterState string   `json:"clusterState,omitempty"`
	// After lets that many calls of Action pass before the fault fires
	// (the second batch of a change, say); optional.
	After int `json:"after,omitempty"`
}

// Check reports what makes a fault unusable: one that would never fire, or
// fire without effect, is refused rather than kept inert.
func (f Fault) Check() error {
	switch {
	case f.Action == "":
		return fmt.Errorf("empty action")
	case !knownAction(f.Action):
		return fmt.Errorf("unknown action %q: the fault would never fire; use one of %s", f.Action, actionList())
	case f.Action != FaultTaskFailure && f.Code != "" && (f.HTTPStatus < 400 || f.HTTPStatus > 599):
		return fmt.Errorf("httpStatus %d is not an error status (400-599)", f.HTTPStatus)
	case f.After < 0:
		return fmt.Errorf("after %d is negative: give how many calls pass first (0 or more)", f.After)
	case f.Remaining < 0:
		return fmt.Errorf("remaining (--count) %d is negative: give how many calls it fails (1 or more), or 0 (or none) for every call until `simulator fault clear`", f.Remaining)
	case f.Delay < 0:
		return fmt.Errorf("delay %s is negative: give how long the answer is held back (0 or more)", f.Delay.D())
	case f.Action != FaultTaskFailure && f.ClusterState != "":
		return fmt.Errorf("clusterState (--cluster-state) means something only for %s (the state a failed task leaves the cluster in); drop it", FaultTaskFailure)
	case f.Action == FaultTaskFailure && (f.Delay != 0 || f.Drop):
		return fmt.Errorf("delay and drop mean nothing for %s (a task has no answer to hold back or lose); fault the action instead (e.g. DescribeTaskInfo)", FaultTaskFailure)
	case f.ClusterState != "" && checkClusterState(f.ClusterState) != nil:
		return fmt.Errorf("clusterState: %v", checkClusterState(f.ClusterState))
	case f.Action != FaultTaskFailure && f.Code == "" && f.Delay == 0 && !f.Drop:
		return fmt.Errorf("no code, delay or drop: the fault would do nothing")
	}
	return nil
}

// FaultTaskFailure is the pseudo action of a Fault that fails a task.
const FaultTaskFailure = "ModifyClusterTask"

// Duration is a time.Duration written as Go duration text ("2s").
type Duration time.Duration

func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration must be a string such as \"2s\", got %s", b)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("bad duration %q: %v", s, err)
	}
	if v < 0 {
		return fmt.Errorf("duration %q is negative", s)
	}
	*d = Duration(v)
	return nil
}

// D returns the duration as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// Decode parses and checks a state file's content. It never panics, whatever
// the input: it is the parser fuzzed by FuzzDecode.
func Decode(data []byte) (*State, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var s State
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("not valid simulator JSON: %v", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("not valid simulator JSON: trailing data after the top-level object")
	}
	if s.Version != StateVersion {
		return nil, fmt.Errorf("unknown version %d (this build reads version %d)", s.Version, StateVersion)
	}
	if err := s.check(); err != nil {
		return nil, err
	}
	if s.Calls == nil {
		s.Calls = map[string]int{}
	}
	return &s, nil
}

// check rejects states no API could have produced, so the engine can trust it.
func (s *State) check() error {
	ids := map[string]bool{}
	for i, c := range s.Clusters {
		if c.ID == "" {
			return fmt.Errorf("clusters[%d]: empty id", i)
		}
		if ids[c.ID] {
			return fmt.Errorf("clusters[%d]: duplicate id %q", i, c.ID)
		}
		ids[c.ID] = true
		if err := checkClusterState(c.State); err != nil {
			return fmt.Errorf("clusters[%d] (%s): %v", i, c.ID, err)
		}
		if c.EIPAllocationID != "" && s.eip(c.EIPAllocationID) == nil {
			return fmt.Errorf("clusters[%d] (%s): eipAllocationId %q is not in eips", i, c.ID, c.EIPAllocationID)
		}
		if _, err := certsan.Parse(c.ExtraSans); err != nil {
			return fmt.Errorf("clusters[%d] (%s): extraSans: %v", i, c.ID, err)
		}
	}
	for i, e := range s.EIPs {
		if e.AllocationID == "" || e.IPAddress == "" {
			return fmt.Errorf("eips[%d]: empty allocationId or ipAddress", i)
		}
		if ids[e.AllocationID] {
			return fmt.Errorf("eips[%d]: duplicate allocationId %q", i, e.AllocationID)
		}
		ids[e.AllocationID] = true
	}
	if err := s.checkSLB(ids); err != nil {
		return err
	}
	for i, f := range s.Faults {
		if err := f.Check(); err != nil {
			return fmt.Errorf("faults[%d]: %w", i, err)
		}
	}
	return s.checkNetwork()
}

// Encode renders a state as the file stores it.
func Encode(s *State) ([]byte, error) {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

func (s *State) cluster(id string) *Cluster {
	for i := range s.Clusters {
		if s.Clusters[i].ID == id {
			return &s.Clusters[i]
		}
	}
	return nil
}

func (s *State) eip(id string) *EIP {
	for i := range s.EIPs {
		if s.EIPs[i].AllocationID == id {
			return &s.EIPs[i]
		}
	}
	return nil
}

func (s *State) task(id string) *Task {
	for i := range s.Tasks {
		if s.Tasks[i].ID == id {
			return &s.Tasks[i]
		}
	}
	return nil
}
