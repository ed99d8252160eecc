package simulator

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ack-expose/ack-expose/internal/certsan"
	"github.com/ack-expose/ack-expose/internal/cloudenum"
	"github.com/ack-expose/ack-expose/internal/clusterkind"
	"github.com/ack-expose/ack-expose/internal/eipspec"
)

// The simulated API: one method per cloud API action, with the cloud's rules
// and error codes. Both fronts (the in-process backend and the HTTP server)
// call these, so the two can never disagree.

// ClusterView is a cluster as DescribeClusterDetail returns it.
type ClusterView struct {
	Cluster
	PublicEndpoint string
	// The public endpoint's EIP while one is bound.
	EIP *EIP
}

func (s *State) view(c *Cluster) ClusterView {
	// The answer is the caller's: it shares nothing with the state, which
	// the engine keeps for its next call (engine.go).
	v := ClusterView{Cluster: *c}
	v.ExtraSans = slices.Clone(c.ExtraSans)
	if e := s.eip(c.EIPAllocationID); e != nil {
		ec := *e
		v.EIP = &ec
		v.PublicEndpoint = PublicEndpoint(c.IntranetEndpoint, e.IPAddress)
	}
	return v
}

// PublicEndpoint is the API server URL through an EIP: the intranet endpoint's
// scheme and port on the EIP's address.
func PublicEndpoint(intranet, ip string) string {
	port := "6443"
	if u, err := url.Parse(intranet); err == nil && u.Port() != "" {
		port = u.Port()
	}
	return "https://" + net.JoinHostPort(ip, port)
}

func notFoundCluster(id string) error {
	return &APIError{Code: "ErrorClusterNotFound", HTTPStatus: 404,
		Message: fmt.Sprintf("The specified cluster %s does not exist.", id)}
}

// DescribeClusterDetail is CS GET /clusters/{id}.
func (e *Engine) DescribeClusterDetail(id string) (ClusterView, error) {
	var v ClusterView
	err := e.read("DescribeClusterDetail", func(s *State, _ time.Time) error {
		c := s.cluster(id)
		if c == nil {
			return notFoundCluster(id)
		}
		v = s.view(c)
		return nil
	})
	return v, err
}

// DescribeClustersV1 is CS GET /api/v1/clusters: one page of the clusters of a
// region (every region when region is empty: AssumeListAllRegions), ordered by ID.
func (e *Engine) DescribeClustersV1(region, clusterType string, page, size int) ([]ClusterView, int, error) {
	var out []ClusterView
	total := 0
	err := e.read("DescribeClustersV1", func(s *State, _ time.Time) error {
		if page < 1 {
			page = 1
		}
		if size < 1 {
			size = 10
		}
		if size > 100 {
			return &APIError{Code: "InvalidParameter", HTTPStatus: 400, Message: "page_size must be at most 100"}
		}
		var all []ClusterView
		for i := range s.Clusters {
			c := &s.Clusters[i]
			if (region == "" || c.RegionID == region) && (clusterType == "" || c.ClusterType == clusterType) {
				all = append(all, s.view(c))
			}
		}
		sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
		out, total = pageOf(all, page, size)
		return nil
	})
	return out, total, err
}

// EIPFilter is DescribeEipAddresses' filter: empty fields do not filter.
type EIPFilter struct {
	AllocationIDs []string
	IPAddresses   []string
	Status        string
	// ISP is the line type; empty means the documented default, BGP.
	ISP string
}

// DescribeEipAddresses is VPC DescribeEipAddresses: one page of a region's EIPs.
func (e *Engine) DescribeEipAddresses(region string, f EIPFilter, page, size int) ([]EIP, int, error) {
	var out []EIP
	total := 0
	err := e.read("DescribeEipAddresses", func(s *State, _ time.Time) error {
		page, size, err := rpcPage(region, page, size)
		if err != nil {
			return err
		}
		if len(f.AllocationIDs) > 50 || len(f.IPAddresses) > 50 {
			return &APIError{Code: "InvalidParameter", HTTPStatus: 400, Message: "At most 50 AllocationId or EipAddress values are allowed."}
		}
		isp := f.ISP
		if isp == "" {
			isp = eipspec.ISPBGP // "BGP (default)": a BGP_PRO EIP is found only when asked for
		}
		var all []EIP
		for _, x := range s.EIPs {
			if x.RegionID != region || (f.Status != "" && x.Status != f.Status) || x.LineType() != isp {
				continue
			}
			if len(f.AllocationIDs) > 0 && !slices.Contains(f.AllocationIDs, x.AllocationID) {
				continue
			}
			if len(f.IPAddresses) > 0 && !slices.Contains(f.IPAddresses, x.IPAddress) {
				continue
			}
			all = append(all, x)
		}
		out, total = pageOf(all, page, size)
		return nil
	})
	return out, total, err
}

// AllocateRequest is VPC AllocateEipAddress' input.
type AllocateRequest struct {
	RegionID           string
	Bandwidth          string
	InternetChargeType string
	ISP                string
	Name               string
	Description        string
	ClientToken        string
}

// AllocateEipAddress is VPC AllocateEipAddress. A repeated ClientToken returns
// the EIP the first call allocated.
func (e *Engine) AllocateEipAddress(r AllocateRequest) (EIP, error) {
	var out EIP
	err := e.Call("AllocateEipAddress", func(s *State, now time.Time) error {
		if r.RegionID == "" {
			return &APIError{Code: "MissingRegionId", HTTPStatus: 400, Message: "RegionId is mandatory for this action."}
		}
		if r.ClientToken != "" {
			for _, x := range s.EIPs {
				if x.ClientToken == r.ClientToken {
					out = x
					return nil
				}
			}
		}
		if err := checkEIPName(r.Name); err != nil {
			return err
		}
		if err := checkEIPDescription(r.Description); err != nil {
			return err
		}
		if r.InternetChargeType == "" {
			r.InternetChargeType = eipspec.PayByBandwidth
		}
		limit := eipspec.MaxBandwidth(r.InternetChargeType)
		if limit == 0 {
			return &APIError{Code: "InvalidParameter", HTTPStatus: 400, Message: "Specified value of \"InternetChargeType\" is not valid."}
		}
		if r.Bandwidth == "" {
			r.Bandwidth = "5"
		}
		bw, err := strconv.Atoi(r.Bandwidth)
		if err != nil || bw < 1 || bw > limit {
			return &APIError{Code: "InvalidBandwidth.Malformed", HTTPStatus: 400,
				Message: fmt.Sprintf("The specified Bandwidth is invalid: a pay-as-you-go %s EIP takes 1 to %d Mbps.", r.InternetChargeType, limit)}
		}
		if r.ISP == "" {
			r.ISP = eipspec.ISPBGP
		}
		if r.ISP != eipspec.ISPBGP && r.ISP != eipspec.ISPBGPPro {
			return &APIError{Code: "InvalidParameter", HTTPStatus: 400, Message: "Specified value of \"ISP\" is not valid."}
		}
		if r.ISP == eipspec.ISPBGPPro && !eipspec.BGPProIn(r.RegionID) {
			return AssumeBGPProRegion.Err("The specified region does not support ISP BGP_PRO (only %s).", eipspec.BGPProRegionList())
		}
		out = EIP{
			AllocationID: "eip-" + regionPrefix(r.RegionID) + randomSuffix(20),
			IPAddress:    s.freeIP(), RegionID: r.RegionID, Status: "Available",
			Bandwidth: r.Bandwidth, InternetChargeType: r.InternetChargeType,
			ChargeType: cloudenum.ChargePostPaid, ISP: r.ISP, Name: r.Name, Description: r.Description, ClientToken: r.ClientToken,
			AllocatedAt: &now,
		}
		s.EIPs = append(s.EIPs, out)
		return nil
	})
	return out, err
}

// checkEIPName applies AllocateEipAddress' rule for Name: 1 to 128
// characters, starting with a letter, then letters, digits, periods,
// underscores and hyphens.
func checkEIPName(name string) error {
	if name == "" {
		return nil
	}
	ok := len(name) <= 128 && isLetter(name[0])
	for i := 0; ok && i < len(name); i++ {
		c := name[i]
		ok = isLetter(c) || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'
	}
	if !ok {
		return &APIError{Code: "InvalidName.Malformed", HTTPStatus: 400,
			Message: "The specified Name is invalid: 1 to 128 characters, starting with a letter; letters, digits, periods (.), underscores (_) and hyphens (-)."}
	}
	return nil
}

// checkEIPDescription applies AllocateEipAddress' rule for Description: 1 to
// 256 characters, starting with a letter, not with http:// or https://.
func checkEIPDescription(d string) error {
	if d == "" {
		return nil
	}
	if len(d) > 256 || !isLetter(d[0]) || strings.HasPrefix(d, "http://") || strings.HasPrefix(d, "https://") {
		return &APIError{Code: "InvalidDescription.Malformed", HTTPStatus: 400,
			Message: "The specified Description is invalid: 1 to 256 characters, starting with a letter, not with http:// or https://."}
	}
	return nil
}

func isLetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

func regionPrefix(region string) string {
	if region == "cn-hangzhou" {
		return "bp1"
	}
	return "2ze"
}

// freeIP picks an address in 47.97.0.0/16 that no EIP has.
func (s *State) freeIP() string {
	used := map[string]bool{}
	for _, x := range s.EIPs {
		used[x.IPAddress] = true
	}
	for {
		b := []byte(randomSuffix(2))
		ip := fmt.Sprintf("47.97.%d.%d", int(b[0])%250+1, int(b[1])%250+1)
		if !used[ip] {
			return ip
		}
	}
}

// ReleaseEipAddress is VPC ReleaseEipAddress: only an Available, pay-as-you-go EIP.
func (e *Engine) ReleaseEipAddress(region, id string) error {
	return e.Call("ReleaseEipAddress", func(s *State, now time.Time) error {
		x := s.eip(id)
		if x == nil || (region != "" && x.RegionID != region) {
			return &APIError{Code: "InvalidAllocationId.NotFound", HTTPStatus: 404, Message: "Specified allocation ID is not found."}
		}
		if x.ChargeType == cloudenum.ChargePrePaid {
			return &APIError{Code: "Forbidden.ChargeTypeIsPrepaid", HTTPStatus: 400, Message: "A subscription (PrePaid) EIP cannot be released through the API."}
		}
		if x.Status != "Available" {
			return &APIError{Code: "IncorrectEipStatus", HTTPStatus: 400,
				Message: fmt.Sprintf("The current status of the EIP %s is %s; only an Available EIP can be released.", id, x.Status)}
		}
		at := now.Add(s.Timing.EIPTransition.D())
		x.Status, x.ReleaseAt = "Releasing", &at
		s.advance(now)
		return nil
	})
}

// ModifyClusterRequest is the API server EIP part of CS ModifyCluster.
type ModifyClusterRequest struct {
	ClusterID string
	// APIServerEIP is api_server_eip; APIServerEIPID is api_server_eip_id.
	APIServerEIP   bool
	APIServerEIPID string
	// CertSANs is api_server_custom_cert_sans; when set, the request
	// changes the certificate's names and leaves the EIP alone.
	CertSANs *CertSANs
}

// CertSANs is ModifyCluster's api_server_custom_cert_sans.
type CertSANs struct {
	// Action is append or overwrite.
	Action string
	Names  []string
}

// Certificate name actions of api_server_custom_cert_sans.
const (
	SANsAppend    = "append"
	SANsOverwrite = "overwrite"
)

// SupportsEIPChange reports whether a cluster kind may change its API server
// EIP after creation: the rule of internal/clusterkind, the cloud's as documented.
func SupportsEIPChange(clusterType, profile, spec string) bool {
	return clusterkind.Of(clusterType, profile, spec).Supported
}

// ModifyCluster is CS PUT /api/v2/clusters/{id} with api_server_eip. It starts a
// task; until timing.modifyCluster has passed the cluster is updating and the
// EIPs Associating/Unassociating.
func (e *Engine) ModifyCluster(r ModifyClusterRequest) (taskID string, err error) {
	err = e.Call("ModifyCluster", func(s *State, now time.Time) error {
		c := s.cluster(r.ClusterID)
		if c == nil {
			return notFoundCluster(r.ClusterID)
		}
		if r.CertSANs != nil {
			t, err := s.modifySANs(c, *r.CertSANs, now)
			taskID = t
			return err
		}
		if !SupportsEIPChange(c.ClusterType, c.Profile, c.ClusterSpec) {
			return AssumeUnsupportedKind.Err("The cluster type %s (profile %s, spec %s) does not support changing the API server EIP.", c.ClusterType, c.Profile, c.ClusterSpec)
		}
		if c.State != "running" {
			return AssumeBusyCluster.Err("The cluster %s is %s; it must be running to be modified.", c.ID, c.State)
		}
		newID := ""
		if r.APIServerEIP {
			if r.APIServerEIPID == "" {
				return AssumeEIPTrueWithoutID.Err("api_server_eip_id is required.")
			}
			x := s.eip(r.APIServerEIPID)
			if x == nil {
				return AssumeCSEIPNotFound.Err("The EIP %s does not exist.", r.APIServerEIPID)
			}
			if x.RegionID != c.RegionID {
				return AssumeCSEIPRegion.Err("The EIP %s is in %s, the cluster in %s.", x.AllocationID, x.RegionID, c.RegionID)
			}
			if x.AllocationID != c.EIPAllocationID && x.Status != "Available" {
				return AssumeCSEIPStatus.Err("The EIP %s is %s (instance %s); it must be Available.", x.AllocationID, x.Status, x.InstanceID)
			}
			newID = x.AllocationID
		}
		t := Task{ID: "T-" + randomSuffix(18), ClusterID: c.ID, Type: "cluster_update_api_server_eip",
			State: "running", Created: now, Updated: now, FinishAt: now.Add(s.Timing.ModifyCluster.D()),
			NewEIP: newID, OldEIP: c.EIPAllocationID}
		t.Fail, t.FailClusterState = s.takeTaskFailure()
		c.State = "updating"
		if lag := s.Timing.EIPLag.D(); lag > 0 {
			at := now.Add(lag)
			t.EIPsAt = &at
		} else {
			s.moveEIPs(&t)
		}
		s.Tasks = append(s.Tasks, t)
		taskID = t.ID
		s.advance(now)
		return nil
	})
	return taskID, err
}

// modifySANs starts the task of a change of the certificate's extra names:
// the cluster is updating, and its API server restarts (refuses
// connections) until timing.modifyCluster has passed.
func (s *State) modifySANs(c *Cluster, r CertSANs, now time.Time) (string, error) {
	if ok, why := clusterkind.CertSANs(c.ClusterType, c.Profile, c.ClusterSpec); !ok {
		return "", AssumeSANsUnsupportedKind.Err("The cluster %s does not support api_server_custom_cert_sans: %s.", c.ID, why)
	}
	if c.State != "running" {
		return "", AssumeBusyCluster.Err("The cluster %s is %s; it must be running to be modified.", c.ID, c.State)
	}
	names, err := certsan.Parse(r.Names)
	if err != nil {
		return "", AssumeSANsInvalid.Err("api_server_custom_cert_sans.subject_alternative_names: %v.", err)
	}
	var next []string
	switch r.Action {
	case SANsAppend:
		if len(names) == 0 {
			return "", AssumeSANsInvalid.Err("api_server_custom_cert_sans: append needs at least one name in subject_alternative_names.")
		}
		next = append([]string{}, c.ExtraSans...)
		for _, n := range names {
			if !slices.Contains(next, n) {
				next = append(next, n)
			}
		}
	case SANsOverwrite:
		next = names
	default:
		return "", AssumeSANsInvalid.Err("api_server_custom_cert_sans.action %q is not valid: use append or overwrite.", r.Action)
	}
	t := Task{ID: "T-" + randomSuffix(18), ClusterID: c.ID, Type: "cluster_update_api_server_cert_sans",
		State: "running", Created: now, Updated: now, FinishAt: now.Add(s.Timing.ModifyCluster.D()),
		NewEIP: c.EIPAllocationID, OldEIP: c.EIPAllocationID, CertSANs: true, NewSANs: next}
	t.Fail, t.FailClusterState = s.takeTaskFailure()
	c.State = "updating"
	s.Tasks = append(s.Tasks, t)
	s.advance(now)
	return t.ID, nil
}

// DescribeTaskInfo is CS GET /tasks/{id}.
func (e *Engine) DescribeTaskInfo(id string) (Task, error) {
	var out Task
	err := e.read("DescribeTaskInfo", func(s *State, _ time.Time) error {
		t := s.task(id)
		if t == nil {
			return AssumeTaskNotFound.Err("The task %s does not exist.", id)
		}
		out = *t
		out.NewSANs = slices.Clone(t.NewSANs) // the caller's (see view)
		return nil
	})
	return out, err
}

// DescribeClusterUserKubeconfig is CS GET /k8s/{id}/user_config: the kubeconfig
// ACK hands out, through the intranet endpoint (private) or the public one.
func (e *Engine) DescribeClusterUserKubeconfig(id string, private bool) (string, error) {
	var out string
	err := e.read("DescribeClusterUserKubeconfig", func(s *State, _ time.Time) error {
		c := s.cluster(id)
		if c == nil {
			return notFoundCluster(id)
		}
		v := s.view(c)
		server := v.IntranetEndpoint
		if !private {
			if v.PublicEndpoint == "" {
				return AssumeNoPublicEndpoint.Err("The cluster %s has no public API server endpoint; associate an EIP first.", id)
			}
			server = v.PublicEndpoint
		}
		b, err := ClusterKubeconfig(s, c, server)
		out = string(b)
		return err
	})
	return out, err
}
