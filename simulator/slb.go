package simulator

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ack-expose/ack-expose/internal/cloudenum"
)

// The API server's CLB, its access control lists and the cluster's VPC, as
// the SLB (2014-05-15) and VPC APIs model them. Field names and limits follow
// alibaba-cloud-sdk-go services/slb and the SLB API reference
// (AddAccessControlListEntry: at most 50 entries per call, 300 per ACL).

// Limits of CLB access control lists.
const (
	ACLEntriesPerCall = 50
	ACLEntriesMax     = 300
	ACLsPerRegion     = 50
	// CallLogSize is how many recent calls the state keeps in order.
	CallLogSize = 100
	// APIServerPort is the port of the API server listener.
	APIServerPort = 6443
)

// LoadBalancer is a CLB with its listeners.
type LoadBalancer struct {
	ID               string     `json:"id"`
	RegionID         string     `json:"regionId"`
	VPCID            string     `json:"vpcId"`
	Address          string     `json:"address"`
	AddressIPVersion string     `json:"addressIpVersion"`
	Listeners        []Listener `json:"listeners"`
}

// Listener is a CLB listener's access control settings.
type Listener struct {
	Port     int    `json:"port"`
	Protocol string `json:"protocol"`
	// AclStatus is "on" or "off"; AclType "white" or "black".
	AclStatus string `json:"aclStatus"`
	AclType   string `json:"aclType,omitempty"`
	AclID     string `json:"aclId,omitempty"`
}

// ACL is a CLB access control list.
type ACL struct {
	ID               string     `json:"id"`
	Name             string     `json:"name"`
	RegionID         string     `json:"regionId"`
	AddressIPVersion string     `json:"addressIpVersion"`
	Entries          []ACLEntry `json:"entries"`
}

// ACLEntry is one entry of an ACL, in the wire shape of AclEntrys.
type ACLEntry struct {
	Entry   string `json:"entry"`
	Comment string `json:"comment"`
}

// VPC is a VPC's address space.
type VPC struct {
	ID                  string   `json:"id"`
	RegionID            string   `json:"regionId"`
	CidrBlock           string   `json:"cidrBlock"`
	SecondaryCidrBlocks []string `json:"secondaryCidrBlocks,omitempty"`
}

// CallRecord is one entry of the ordered call log.
type CallRecord struct {
	Action string    `json:"action"`
	At     time.Time `json:"at"`
}

// RelatedListener is a listener that uses an ACL.
type RelatedListener struct {
	LoadBalancerID string
	Port           int
	Protocol       string
	AclType        string
}

// ClusterResource is an item of CS DescribeClusterResources.
type ClusterResource struct {
	ClusterID    string
	ResourceType string
	InstanceID   string
	State        string
}

func (s *State) logCall(action string, now time.Time) {
	s.CallLog = append(s.CallLog, CallRecord{Action: action, At: now})
	if n := len(s.CallLog) - CallLogSize; n > 0 { // in place: no new array per call
		s.CallLog = s.CallLog[:copy(s.CallLog, s.CallLog[n:])]
	}
}

// checkSLB rejects CLBs, ACLs and VPCs no API could have produced.
func (s *State) checkSLB(ids map[string]bool) error {
	acls := map[string]bool{}
	for i, a := range s.ACLs {
		if a.ID == "" || ids[a.ID] || acls[a.ID] {
			return fmt.Errorf("acls[%d]: empty or duplicate id %q", i, a.ID)
		}
		acls[a.ID] = true
		if len(a.Entries) > ACLEntriesMax {
			return fmt.Errorf("acls[%d] (%s): %d entries, more than the %d an ACL holds", i, a.ID, len(a.Entries), ACLEntriesMax)
		}
		for j, e := range a.Entries {
			if _, err := netip.ParsePrefix(e.Entry); err != nil {
				return fmt.Errorf("acls[%d].entries[%d]: %q is not a CIDR block", i, j, e.Entry)
			}
		}
	}
	lbs := map[string]bool{}
	for i, lb := range s.LoadBalancers {
		if lb.ID == "" || lbs[lb.ID] {
			return fmt.Errorf("loadBalancers[%d]: empty or duplicate id %q", i, lb.ID)
		}
		lbs[lb.ID] = true
		for j, l := range lb.Listeners {
			if l.AclID != "" && !acls[l.AclID] {
				return fmt.Errorf("loadBalancers[%d].listeners[%d]: aclId %q is not in acls", i, j, l.AclID)
			}
			if l.AclStatus == cloudenum.ACLOn && l.AclID == "" {
				return fmt.Errorf("loadBalancers[%d].listeners[%d]: aclStatus on without an aclId", i, j)
			}
		}
	}
	for i, v := range s.VPCs {
		if v.ID == "" {
			return fmt.Errorf("vpcs[%d]: empty id", i)
		}
	}
	return nil
}

// loadBalancer returns a CLB, creating the default API server CLB of a
// cluster whose CLB the state does not list (older state files).
func (s *State) loadBalancer(id string) *LoadBalancer {
	for i := range s.LoadBalancers {
		if s.LoadBalancers[i].ID == id {
			return &s.LoadBalancers[i]
		}
	}
	for _, c := range s.Clusters {
		if c.APIServerLoadBalancerID == id && id != "" {
			s.LoadBalancers = append(s.LoadBalancers, defaultLoadBalancer(&c))
			s.dirty = true
			return &s.LoadBalancers[len(s.LoadBalancers)-1]
		}
	}
	return nil
}

func defaultLoadBalancer(c *Cluster) LoadBalancer {
	return LoadBalancer{ID: c.APIServerLoadBalancerID, RegionID: c.RegionID, VPCID: c.VPCID,
		Address: EndpointHost(c.IntranetEndpoint), AddressIPVersion: "ipv4",
		Listeners: []Listener{{Port: APIServerPort, Protocol: "tcp", AclStatus: cloudenum.ACLOff}}}
}

// EndpointHost is the host of an endpoint URL.
func EndpointHost(ep string) string {
	h := ep
	if i := strings.Index(h, "://"); i >= 0 {
		h = h[i+3:]
	}
	if ap, err := netip.ParseAddrPort(h); err == nil {
		return ap.Addr().String()
	}
	if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.Contains(h[i:], "]") {
		h = h[:i]
	}
	return strings.Trim(h, "[]/")
}

// vpc returns a VPC, creating the default one of a cluster whose VPC the
// state does not list (older state files): 192.168.0.0/16.
func (s *State) vpc(id string) *VPC {
	for i := range s.VPCs {
		if s.VPCs[i].ID == id {
			return &s.VPCs[i]
		}
	}
	for _, c := range s.Clusters {
		if c.VPCID == id && id != "" {
			s.VPCs = append(s.VPCs, VPC{ID: id, RegionID: c.RegionID, CidrBlock: "192.168.0.0/16"})
			s.dirty = true
			return &s.VPCs[len(s.VPCs)-1]
		}
	}
	return nil
}

func (s *State) acl(id string) *ACL {
	for i := range s.ACLs {
		if s.ACLs[i].ID == id {
			return &s.ACLs[i]
		}
	}
	return nil
}

func (lb *LoadBalancer) listener(port int) *Listener {
	for i := range lb.Listeners {
		if lb.Listeners[i].Port == port {
			return &lb.Listeners[i]
		}
	}
	return nil
}

// related lists the listeners that use an ACL.
func (s *State) related(aclID string) []RelatedListener {
	var out []RelatedListener
	for _, lb := range s.LoadBalancers {
		for _, l := range lb.Listeners {
			if l.AclID == aclID {
				out = append(out, RelatedListener{LoadBalancerID: lb.ID, Port: l.Port, Protocol: l.Protocol, AclType: l.AclType})
			}
		}
	}
	return out
}

// AdmitsSource reports whether the access control of a cluster's API server
// listener lets a connection from ip through: an enabled whitelist with
// entries admits only matching sources, an enabled blacklist refuses matching
// ones, and a list that is off, missing or empty admits every source.
func (s *State) AdmitsSource(clusterID, ip string) bool {
	c := s.cluster(clusterID)
	if c == nil {
		return true
	}
	var lb *LoadBalancer
	for i := range s.LoadBalancers {
		if s.LoadBalancers[i].ID == c.APIServerLoadBalancerID {
			lb = &s.LoadBalancers[i]
		}
	}
	if lb == nil {
		return true
	}
	l := lb.listener(APIServerPort)
	if l == nil || l.AclStatus != cloudenum.ACLOn {
		return true
	}
	a := s.acl(l.AclID)
	if a == nil || len(a.Entries) == 0 {
		return true
	}
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	match := false
	for _, e := range a.Entries {
		if p, err := netip.ParsePrefix(e.Entry); err == nil && p.Contains(addr) {
			match = true
		}
	}
	if l.AclType == cloudenum.ACLBlack {
		return !match
	}
	return match
}

func slbNotFound(id string) error {
	return &APIError{Code: "InvalidLoadBalancerId.NotFound", HTTPStatus: 400,
		Message: fmt.Sprintf("The specified LoadBalancerId %s does not exist.", id)}
}

func aclNotFound(id string) error {
	return &APIError{Code: "AclNotExist", HTTPStatus: 400, Message: fmt.Sprintf("The specified acl %s does not exist.", id)}
}

// DescribeClusterResources is CS GET /clusters/{id}/resources: the cloud
// resources of a cluster, the API server CLB among them (resource_type
// ALIYUN::SLB::LoadBalancer), as terraform-provider-alicloud finds it.
func (e *Engine) DescribeClusterResources(id string) ([]ClusterResource, error) {
	var out []ClusterResource
	err := e.read("DescribeClusterResources", func(s *State, _ time.Time) error {
		c := s.cluster(id)
		if c == nil {
			return notFoundCluster(id)
		}
		if c.VPCID != "" {
			out = append(out, ClusterResource{ClusterID: id, ResourceType: "ALIYUN::VPC::VPC", InstanceID: c.VPCID, State: "CREATE_COMPLETE"})
		}
		if c.APIServerLoadBalancerID != "" {
			out = append(out, ClusterResource{ClusterID: id, ResourceType: "ALIYUN::SLB::LoadBalancer", InstanceID: c.APIServerLoadBalancerID, State: "CREATE_COMPLETE"})
		}
		return nil
	})
	return out, err
}

// DescribeVpcAttribute is VPC DescribeVpcAttribute.
func (e *Engine) DescribeVpcAttribute(region, id string) (VPC, error) {
	var out VPC
	err := e.read("DescribeVpcAttribute", func(s *State, _ time.Time) error {
		if region == "" {
			return &APIError{Code: "MissingRegionId", HTTPStatus: 400, Message: "RegionId is mandatory for this action."}
		}
		v := s.vpc(id)
		if v == nil || v.RegionID != region {
			return &APIError{Code: "InvalidVpcId.NotFound", HTTPStatus: 404, Message: fmt.Sprintf("Specified VPC %s does not exist.", id)}
		}
		out = *v
		out.SecondaryCidrBlocks = slices.Clone(v.SecondaryCidrBlocks) // the caller's (see view)
		return nil
	})
	return out, err
}

// ListenerView is a TCP listener with the CLB it belongs to.
type ListenerView struct {
	Listener
	LoadBalancerID string
}

// DescribeLoadBalancerTCPListenerAttribute is SLB DescribeLoadBalancerTCPListenerAttribute.
func (e *Engine) DescribeLoadBalancerTCPListenerAttribute(region, lbID string, port int) (ListenerView, error) {
	var out ListenerView
	err := e.read("DescribeLoadBalancerTCPListenerAttribute", func(s *State, _ time.Time) error {
		lb := s.loadBalancer(lbID)
		if lb == nil || (region != "" && lb.RegionID != region) {
			return slbNotFound(lbID)
		}
		l := lb.listener(port)
		if l == nil || l.Protocol != "tcp" {
			return &APIError{Code: "ListenerNotExist", HTTPStatus: 400, Message: fmt.Sprintf("The TCP listener on port %d of %s does not exist.", port, lbID)}
		}
		out = ListenerView{Listener: *l, LoadBalancerID: lb.ID}
		return nil
	})
	return out, err
}

// ListenerACLRequest is the access control part of SetLoadBalancerTCPListenerAttribute;
// empty fields are left as they are.
type ListenerACLRequest struct {
	RegionID, LoadBalancerID string
	Port                     int
	AclStatus, AclType       string
	AclID                    string
}

// SetLoadBalancerTCPListenerAttribute is SLB SetLoadBalancerTCPListenerAttribute,
// its access control parameters.
func (e *Engine) SetLoadBalancerTCPListenerAttribute(r ListenerACLRequest) error {
	return e.Call("SetLoadBalancerTCPListenerAttribute", func(s *State, _ time.Time) error {
		lb := s.loadBalancer(r.LoadBalancerID)
		if lb == nil || (r.RegionID != "" && lb.RegionID != r.RegionID) {
			return slbNotFound(r.LoadBalancerID)
		}
		l := lb.listener(r.Port)
		if l == nil || l.Protocol != "tcp" {
			return &APIError{Code: "ListenerNotExist", HTTPStatus: 400, Message: fmt.Sprintf("The TCP listener on port %d of %s does not exist.", r.Port, r.LoadBalancerID)}
		}
		switch r.AclStatus {
		case "", cloudenum.ACLOn, cloudenum.ACLOff:
		default:
			return &APIError{Code: "InvalidParameter", HTTPStatus: 400, Message: "AclStatus must be on or off."}
		}
		switch r.AclType {
		case "", cloudenum.ACLWhite, cloudenum.ACLBlack:
		default:
			return &APIError{Code: "InvalidParameter", HTTPStatus: 400, Message: "AclType must be white or black."}
		}
		next := *l
		if r.AclStatus != "" {
			next.AclStatus = r.AclStatus
		}
		if r.AclType != "" {
			next.AclType = r.AclType
		}
		if r.AclID != "" {
			a := s.acl(r.AclID)
			if a == nil || a.RegionID != lb.RegionID {
				return aclNotFound(r.AclID)
			}
			if a.AddressIPVersion != lb.AddressIPVersion {
				return &APIError{Code: "InvalidParameter.AclIpVersion", HTTPStatus: 400,
					Message: fmt.Sprintf("The %s acl %s cannot be used by the %s load balancer %s.", a.AddressIPVersion, a.ID, lb.AddressIPVersion, lb.ID)}
			}
			next.AclID = r.AclID
		}
		if next.AclStatus == cloudenum.ACLOn && (next.AclID == "" || next.AclType == "") {
			return &APIError{Code: "MissingParameter", HTTPStatus: 400, Message: "AclId and AclType are mandatory when AclStatus is on."}
		}
		*l = next
		return nil
	})
}

// CreateAccessControlList is SLB CreateAccessControlList.
func (e *Engine) CreateAccessControlList(region, name, ipVersion string) (string, error) {
	var id string
	err := e.Call("CreateAccessControlList", func(s *State, _ time.Time) error {
		if region == "" {
			return &APIError{Code: "MissingRegionId", HTTPStatus: 400, Message: "RegionId is mandatory for this action."}
		}
		if ipVersion == "" {
			ipVersion = "ipv4"
		}
		if ipVersion != "ipv4" && ipVersion != "ipv6" {
			return &APIError{Code: "InvalidParameter", HTTPStatus: 400, Message: "AddressIPVersion must be ipv4 or ipv6."}
		}
		n := 0
		for _, a := range s.ACLs {
			if a.RegionID == region {
				n++
				if a.Name == name && name != "" {
					// Names are unique in a region (AclNameExist, as
					// terraform-provider-alicloud's slb ACL resource knows it).
					return &APIError{Code: "AclNameExist", HTTPStatus: 400,
						Message: fmt.Sprintf("The acl name %s already exists in %s (%s).", name, region, a.ID)}
				}
			}
		}
		if n >= ACLsPerRegion {
			return &APIError{Code: "QuotaExceeded.AclNumber", HTTPStatus: 400,
				Message: fmt.Sprintf("The number of acls in %s exceeds the quota (%d).", region, ACLsPerRegion)}
		}
		id = "acl-" + regionPrefix(region) + randomSuffix(17)
		s.ACLs = append(s.ACLs, ACL{ID: id, Name: name, RegionID: region, AddressIPVersion: ipVersion, Entries: []ACLEntry{}})
		return nil
	})
	return id, err
}

// ACLView is an ACL with the listeners that use it.
type ACLView struct {
	ACL
	RelatedListeners []RelatedListener
}

// ACLEntriesPageMax is the largest PageSize of DescribeAccessControlListAttribute (assumed).
const ACLEntriesPageMax = 50

// DescribeAccessControlListAttribute is SLB DescribeAccessControlListAttribute:
// the ACL, one page of its entries (every entry when page is 0) and TotalAclEntry.
func (e *Engine) DescribeAccessControlListAttribute(region, id string, page, size int) (ACLView, int, error) {
	var out ACLView
	total := 0
	err := e.read("DescribeAccessControlListAttribute", func(s *State, _ time.Time) error {
		a := s.acl(id)
		if a == nil || (region != "" && a.RegionID != region) {
			return aclNotFound(id)
		}
		if size > ACLEntriesPageMax || size < 0 || page < 0 {
			return &APIError{Code: "InvalidParameter", HTTPStatus: 400, Message: fmt.Sprintf("PageSize must be from 1 to %d.", ACLEntriesPageMax)}
		}
		out = ACLView{ACL: *a, RelatedListeners: s.related(id)}
		total = len(a.Entries)
		entries := a.Entries
		if page > 0 {
			if size == 0 {
				size = ACLEntriesPageMax
			}
			lo := min((page-1)*size, total)
			entries = entries[lo:min(lo+size, total)]
		}
		out.Entries = append([]ACLEntry{}, entries...)
		return nil
	})
	return out, total, err
}

// ParseACLEntries decodes the AclEntrys parameter: a JSON list of
// {"entry": CIDR, "comment": TEXT}.
func ParseACLEntries(raw string) ([]ACLEntry, error) {
	var out []ACLEntry
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		return nil, &APIError{Code: "InvalidParameter", HTTPStatus: 400,
			Message: fmt.Sprintf("AclEntrys must be a JSON list of {\"entry\",\"comment\"}: %v", err)}
	}
	return out, nil
}

// ACLEntryCommentMax is the longest entry comment the simulator takes. The
// SLB API reference does not document a limit for AddAccessControlListEntry's
// comment: AssumeACLEntryComment.
const ACLEntryCommentMax = 256

func checkComment(c string) error {
	a := AssumeACLEntryComment
	if n := utf8.RuneCountInString(c); n > ACLEntryCommentMax {
		return &APIError{Code: a.Code, HTTPStatus: a.HTTPStatus,
			Message: fmt.Sprintf("The comment of an entry is at most %d characters, got %d.", ACLEntryCommentMax, n)}
	}
	if !utf8.ValidString(c) || strings.IndexFunc(c, unicode.IsControl) >= 0 {
		return &APIError{Code: a.Code, HTTPStatus: a.HTTPStatus, Message: "The comment of an entry contains an illegal character."}
	}
	return nil
}

func checkEntries(a *ACL, entries []ACLEntry) error {
	if len(entries) == 0 {
		return &APIError{Code: "MissingParameter", HTTPStatus: 400, Message: "AclEntrys is mandatory for this action."}
	}
	if len(entries) > ACLEntriesPerCall {
		return &APIError{Code: "QuotaExceeded.AclEntryNumberPerRequest", HTTPStatus: 400,
			Message: fmt.Sprintf("At most %d entries can be given in one call, got %d.", ACLEntriesPerCall, len(entries))}
	}
	for _, x := range entries {
		p, err := netip.ParsePrefix(x.Entry)
		if err != nil || p.Masked() != p {
			return &APIError{Code: "InvalidParameter", HTTPStatus: 400, Message: fmt.Sprintf("The entry %q is not a CIDR block.", x.Entry)}
		}
		if (a.AddressIPVersion == "ipv6") != p.Addr().Is6() {
			return &APIError{Code: "IllegalEntry", HTTPStatus: 400, Message: "Entry version is conflict to the acl version."}
		}
	}
	return nil
}

// AddAccessControlListEntry is SLB AddAccessControlListEntry.
func (e *Engine) AddAccessControlListEntry(region, id string, entries []ACLEntry) error {
	return e.Call("AddAccessControlListEntry", func(s *State, _ time.Time) error {
		a := s.acl(id)
		if a == nil || (region != "" && a.RegionID != region) {
			return aclNotFound(id)
		}
		if err := checkEntries(a, entries); err != nil {
			return err
		}
		for _, x := range entries {
			if err := checkComment(x.Comment); err != nil {
				return err
			}
		}
		have := map[string]bool{}
		for _, x := range a.Entries {
			have[x.Entry] = true
		}
		var add []ACLEntry
		for _, x := range entries {
			if have[x.Entry] {
				return &APIError{Code: "InvalidParam.AclEntryExists", HTTPStatus: 400, Message: "The specified aclEntry already exists in the acl."}
			}
			have[x.Entry] = true
			add = append(add, x)
		}
		if len(a.Entries)+len(add) > ACLEntriesMax {
			return &APIError{Code: "QuotaExceeded.AclEntryNumber", HTTPStatus: 400,
				Message: fmt.Sprintf("An acl holds at most %d entries.", ACLEntriesMax)}
		}
		a.Entries = append(a.Entries, add...)
		return nil
	})
}

// RemoveAccessControlListEntry is SLB RemoveAccessControlListEntry.
func (e *Engine) RemoveAccessControlListEntry(region, id string, entries []ACLEntry) error {
	return e.Call("RemoveAccessControlListEntry", func(s *State, _ time.Time) error {
		a := s.acl(id)
		if a == nil || (region != "" && a.RegionID != region) {
			return aclNotFound(id)
		}
		if err := checkEntries(a, entries); err != nil {
			return err
		}
		drop := map[string]bool{}
		for _, x := range entries {
			drop[x.Entry] = true
		}
		kept := a.Entries[:0]
		for _, x := range a.Entries {
			if !drop[x.Entry] {
				kept = append(kept, x)
			}
		}
		if len(a.Entries)-len(kept) != len(drop) {
			return &APIError{Code: "AclEntryNotExist", HTTPStatus: 400, Message: "The specified aclEntry does not exist in the acl."}
		}
		a.Entries = kept
		return nil
	})
}

// demoSLB gives every demo cluster its CLB (listener 6443, access control
// off) and its VPC, and adds one ACL bound to another CLB's listener too, to
// show the conflict of a shared list.
func demoSLB(s *State) {
	for i := range s.Clusters {
		c := &s.Clusters[i]
		s.LoadBalancers = append(s.LoadBalancers, defaultLoadBalancer(c))
		s.VPCs = append(s.VPCs, VPC{ID: c.VPCID, RegionID: c.RegionID, CidrBlock: fmt.Sprintf("192.168.%d.0/24", i),
			SecondaryCidrBlocks: []string{fmt.Sprintf("172.16.%d.0/24", i)}})
	}
	// demo-serverless (index 2) uses an ACL that an ingress CLB uses too.
	shared := ACL{ID: "acl-bp1demoshared0000000", Name: "office-and-ingress", RegionID: DemoRegion, AddressIPVersion: "ipv4",
		Entries: []ACLEntry{{Entry: "100.104.0.0/16", Comment: "ACK control plane"}, {Entry: "192.168.2.0/24"}, {Entry: "172.16.2.0/24"}, {Entry: "203.0.113.0/24", Comment: "office"}}}
	s.ACLs = append(s.ACLs, shared)
	l := &s.LoadBalancers[2].Listeners[0]
	l.AclStatus, l.AclType, l.AclID = cloudenum.ACLOn, cloudenum.ACLWhite, shared.ID
	s.LoadBalancers = append(s.LoadBalancers, LoadBalancer{ID: "lb-bp1demoingress0000000", RegionID: DemoRegion, VPCID: s.Clusters[2].VPCID,
		Address: "192.168.2.20", AddressIPVersion: "ipv4",
		Listeners: []Listener{{Port: 443, Protocol: "tcp", AclStatus: cloudenum.ACLOn, AclType: cloudenum.ACLWhite, AclID: shared.ID}}})
}

// Limits of the batch reads the audit uses (assumed; see docs/simulator.md).
const (
	// ListenersLoadBalancerIDsMax is how many LoadBalancerId values
	// DescribeLoadBalancerListeners takes in one call.
	ListenersLoadBalancerIDsMax = 10
	// ListenersMaxResults is the largest MaxResults of DescribeLoadBalancerListeners.
	ListenersMaxResults = 100
)

// ensureClusterLBs creates the default CLB of every cluster of a region whose
// CLB the state does not list (older state files), so lists see them.
func (s *State) ensureClusterLBs(region string) {
	for _, c := range s.Clusters {
		if c.RegionID == region && c.APIServerLoadBalancerID != "" {
			s.loadBalancer(c.APIServerLoadBalancerID)
		}
	}
}

// DescribeLoadBalancers is SLB DescribeLoadBalancers: one page of a region's CLBs.
func (e *Engine) DescribeLoadBalancers(region string, page, size int) ([]LoadBalancer, int, error) {
	var out []LoadBalancer
	total := 0
	err := e.read("DescribeLoadBalancers", func(s *State, _ time.Time) error {
		page, size, err := rpcPage(region, page, size)
		if err != nil {
			return err
		}
		s.ensureClusterLBs(region)
		var all []LoadBalancer
		for _, lb := range s.LoadBalancers {
			if lb.RegionID == region {
				lb.Listeners = slices.Clone(lb.Listeners) // the caller's (see view)
				all = append(all, lb)
			}
		}
		out, total = pageOf(all, page, size)
		return nil
	})
	return out, total, err
}

// DescribeLoadBalancerListeners is SLB DescribeLoadBalancerListeners: the
// listeners of the given CLBs (at most ListenersLoadBalancerIDsMax), on one
// port when port > 0, a page of at most max after the token.
func (e *Engine) DescribeLoadBalancerListeners(region string, ids []string, port int, token string, max int) ([]ListenerView, string, error) {
	var out []ListenerView
	next := ""
	err := e.read("DescribeLoadBalancerListeners", func(s *State, _ time.Time) error {
		if region == "" {
			return &APIError{Code: "MissingRegionId", HTTPStatus: 400, Message: "RegionId is mandatory for this action."}
		}
		if len(ids) > ListenersLoadBalancerIDsMax {
			return &APIError{Code: "InvalidParameter", HTTPStatus: 400,
				Message: fmt.Sprintf("At most %d LoadBalancerId values are allowed.", ListenersLoadBalancerIDsMax)}
		}
		if max < 1 {
			max = 20
		}
		if max > ListenersMaxResults {
			return &APIError{Code: "InvalidParameter", HTTPStatus: 400, Message: fmt.Sprintf("MaxResults must be from 1 to %d.", ListenersMaxResults)}
		}
		start := 0
		if token != "" {
			n, err := fmt.Sscanf(token, "t%d", &start)
			if n != 1 || err != nil || start < 0 {
				return &APIError{Code: "InvalidParameter", HTTPStatus: 400, Message: "The specified NextToken is invalid."}
			}
		}
		s.ensureClusterLBs(region)
		var all []ListenerView
		for _, lb := range s.LoadBalancers {
			if lb.RegionID != region || (len(ids) > 0 && !slices.Contains(ids, lb.ID)) {
				continue
			}
			for _, l := range lb.Listeners {
				if port <= 0 || l.Port == port {
					all = append(all, ListenerView{Listener: l, LoadBalancerID: lb.ID})
				}
			}
		}
		lo := min(start, len(all))
		hi := min(lo+max, len(all))
		out = all[lo:hi]
		if hi < len(all) {
			next = fmt.Sprintf("t%d", hi)
		}
		return nil
	})
	return out, next, err
}

// DescribeAccessControlLists is SLB DescribeAccessControlLists: one page of a
// region's ACLs (no entries); a non-empty name keeps the ACLs whose name
// contains it (AclName: fuzzy match, as the API reference says).
func (e *Engine) DescribeAccessControlLists(region, name string, page, size int) ([]ACL, int, error) {
	var out []ACL
	total := 0
	err := e.read("DescribeAccessControlLists", func(s *State, _ time.Time) error {
		page, size, err := rpcPage(region, page, size)
		if err != nil {
			return err
		}
		var all []ACL
		for _, a := range s.ACLs {
			if a.RegionID == region && strings.Contains(a.Name, name) {
				a.Entries = nil
				all = append(all, a)
			}
		}
		out, total = pageOf(all, page, size)
		return nil
	})
	return out, total, err
}

// DeleteAccessControlList is SLB DeleteAccessControlList. As the API
// reference says, only an ACL that no listener uses can be deleted
// (AclInUsed, the code terraform-provider-alicloud retries on).
func (e *Engine) DeleteAccessControlList(region, id string) error {
	return e.Call("DeleteAccessControlList", func(s *State, _ time.Time) error {
		if region == "" {
			return &APIError{Code: "MissingRegionId", HTTPStatus: 400, Message: "RegionId is mandatory for this action."}
		}
		if id == "" {
			return &APIError{Code: "MissingParameter", HTTPStatus: 400, Message: "AclId is mandatory for this action."}
		}
		a := s.acl(id)
		if a == nil || a.RegionID != region {
			return aclNotFound(id)
		}
		if len(s.related(id)) > 0 {
			return &APIError{Code: "AclInUsed", HTTPStatus: 400, Message: fmt.Sprintf("The acl %s is in use by a listener.", id)}
		}
		for i := range s.ACLs {
			if s.ACLs[i].ID == id {
				s.ACLs = append(s.ACLs[:i], s.ACLs[i+1:]...)
				break
			}
		}
		return nil
	})
}
