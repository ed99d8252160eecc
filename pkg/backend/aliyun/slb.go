package aliyun

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	slbsdk "github.com/aliyun/alibaba-cloud-sdk-go/services/slb"

	"github.com/ack-expose/ack-expose/pkg/backend"
	"github.com/ack-expose/ack-expose/pkg/errdefs"
)

// EnvSLBEndpoint overrides the SLB (CLB) endpoint.
const EnvSLBEndpoint = "ACK_EXPOSE_SLB_ENDPOINT"

// SLBEndpoint is the SLB API of a region, from the SDK's endpoint data: the
// central slb.aliyuncs.com serves many regions, the others have their own.
func SLBEndpoint(region string) Endpoint {
	if host, ok := slbsdk.GetEndpointMap()[region]; ok {
		return Endpoint{Scheme: "HTTPS", Host: host, Port: "443"}
	}
	return Endpoint{Scheme: "HTTPS", Host: "slb." + region + ".aliyuncs.com", Port: "443"}
}

func (b *Backend) slbEndpoint(region string) Endpoint {
	if b.slb != nil {
		return *b.slb
	}
	return SLBEndpoint(region)
}

// slbRPC calls an SLB (2014-05-15) API and decodes its JSON body into out.
func (b *Backend) slbRPC(ctx context.Context, region, action string, params map[string]string, out any) error {
	return b.rpcCall(ctx, b.slbEndpoint(region), "Slb", "2014-05-15", region, action, params, out)
}

// Wire types of the SLB and CS resources calls (field names as in
// alibaba-cloud-sdk-go services/slb and the CS API reference).
type csClusterResource struct {
	ClusterID    string `json:"cluster_id"`
	ResourceType string `json:"resource_type"`
	InstanceID   string `json:"instance_id"`
	State        string `json:"state"`
}

type slbTCPListener struct {
	RequestID      string `json:"RequestId"`
	LoadBalancerID string `json:"LoadBalancerId"`
	ListenerPort   int    `json:"ListenerPort"`
	AclStatus      string `json:"AclStatus"`
	AclType        string `json:"AclType"`
	AclID          string `json:"AclId"`
}

// aclEntriesPage is the PageSize of DescribeAccessControlListAttribute.
const aclEntriesPage = 50

type slbACL struct {
	RequestID        string `json:"RequestId"`
	TotalAclEntry    int    `json:"TotalAclEntry"`
	AclID            string `json:"AclId"`
	AclName          string `json:"AclName"`
	AddressIPVersion string `json:"AddressIPVersion"`
	AclEntrys        struct {
		AclEntry []struct {
			AclEntryIP      string `json:"AclEntryIP"`
			AclEntryComment string `json:"AclEntryComment"`
		} `json:"AclEntry"`
	} `json:"AclEntrys"`
	RelatedListeners struct {
		RelatedListener []struct {
			LoadBalancerID string `json:"LoadBalancerId"`
			ListenerPort   int    `json:"ListenerPort"`
			Protocol       string `json:"Protocol"`
			AclType        string `json:"AclType"`
		} `json:"RelatedListener"`
	} `json:"RelatedListeners"`
}

type vpcAttribute struct {
	VpcID               string `json:"VpcId"`
	CidrBlock           string `json:"CidrBlock"`
	SecondaryCidrBlocks struct {
		SecondaryCidrBlock []string `json:"SecondaryCidrBlock"`
	} `json:"SecondaryCidrBlocks"`
}

// encodeACLEntries renders entries as the AclEntrys parameter: a JSON list of
// {"entry", "comment"}.
func encodeACLEntries(entries []backend.ACLEntry) string {
	type entry struct {
		Entry   string `json:"entry"`
		Comment string `json:"comment,omitempty"`
	}
	list := make([]entry, 0, len(entries))
	for _, e := range entries {
		list = append(list, entry{Entry: e.CIDR, Comment: e.Comment})
	}
	b, _ := json.Marshal(list)
	return string(b)
}

func (b *Backend) APIServerLoadBalancer(ctx context.Context, clusterID string) (string, error) {
	var list []csClusterResource
	if err := b.roa(ctx, "DescribeClusterResources", "GET", "/clusters/"+clusterID+"/resources", nil, nil, &list); err != nil {
		return "", err
	}
	for _, r := range list {
		if r.ResourceType == "SLB" || r.ResourceType == "ALIYUN::SLB::LoadBalancer" {
			return r.InstanceID, nil
		}
	}
	return "", errdefs.Errorf(errdefs.KindNotFound, "cluster %s: DescribeClusterResources lists no API server CLB (resource type ALIYUN::SLB::LoadBalancer)", clusterID)
}

func (b *Backend) DescribeVPCCIDRs(ctx context.Context, region, vpcID string) ([]string, error) {
	var v vpcAttribute
	if err := b.rpc(ctx, region, "DescribeVpcAttribute", map[string]string{"VpcId": vpcID}, &v); err != nil {
		return nil, err
	}
	out := []string{}
	for _, c := range append([]string{v.CidrBlock}, v.SecondaryCidrBlocks.SecondaryCidrBlock...) {
		if c != "" && !strings.Contains(c, ":") {
			out = append(out, c)
		}
	}
	return out, nil
}

func (b *Backend) DescribeListenerACL(ctx context.Context, region, lbID string, port int) (*backend.ListenerACL, error) {
	var l slbTCPListener
	if err := b.slbRPC(ctx, region, "DescribeLoadBalancerTCPListenerAttribute",
		map[string]string{"LoadBalancerId": lbID, "ListenerPort": strconv.Itoa(port)}, &l); err != nil {
		return nil, err
	}
	return &backend.ListenerACL{LoadBalancerID: lbID, Port: port, Status: l.AclStatus, Type: l.AclType, ACLID: l.AclID}, nil
}

func (b *Backend) SetListenerACL(ctx context.Context, region string, l backend.ListenerACL) error {
	p := map[string]string{"LoadBalancerId": l.LoadBalancerID, "ListenerPort": strconv.Itoa(l.Port)}
	for k, v := range map[string]string{"AclStatus": l.Status, "AclType": l.Type, "AclId": l.ACLID} {
		if v != "" {
			p[k] = v
		}
	}
	return b.slbRPC(ctx, region, "SetLoadBalancerTCPListenerAttribute", p, nil)
}

func (b *Backend) CreateACL(ctx context.Context, region, name string) (string, error) {
	var r struct {
		AclID     string `json:"AclId"`
		RequestID string `json:"RequestId"`
	}
	if err := b.slbRPC(ctx, region, "CreateAccessControlList", map[string]string{"AclName": name, "AddressIPVersion": "ipv4"}, &r); err != nil {
		return "", err
	}
	if r.AclID == "" {
		return "", errdefs.Errorf(errdefs.KindInternal, "CreateAccessControlList: the response has no AclId (request ID %s)", r.RequestID)
	}
	return r.AclID, nil
}

// FindACLs is DescribeAccessControlLists with AclName (a fuzzy match in
// the cloud), keeping the exact matches.
func (b *Backend) FindACLs(ctx context.Context, region, name string) ([]backend.ACL, error) {
	var out []backend.ACL
	seen := 0
	for page := 1; ; page++ {
		var r slbACLList
		if err := b.slbRPC(ctx, region, "DescribeAccessControlLists",
			map[string]string{"AclName": name, "PageNumber": strconv.Itoa(page), "PageSize": "50"}, &r); err != nil {
			return nil, err
		}
		seen += len(r.Acls.Acl)
		for _, a := range r.Acls.Acl {
			if a.AclName == name {
				out = append(out, backend.ACL{ID: a.AclID, Name: a.AclName, AddressIPVersion: a.AddressIPVersion})
			}
		}
		if len(r.Acls.Acl) == 0 || seen >= r.TotalCount {
			return out, nil
		}
	}
}

// DeleteACL is DeleteAccessControlList: RegionId and AclId.
func (b *Backend) DeleteACL(ctx context.Context, region, aclID string) error {
	return b.slbRPC(ctx, region, "DeleteAccessControlList", map[string]string{"AclId": aclID}, nil)
}

func (b *Backend) DescribeACL(ctx context.Context, region, aclID string) (*backend.ACL, error) {
	// The entries come in pages (Page, PageSize); read them all.
	var out *backend.ACL
	var a slbACL
	for page := 1; ; page++ {
		var r slbACL
		if err := b.slbRPC(ctx, region, "DescribeAccessControlListAttribute",
			map[string]string{"AclId": aclID, "Page": strconv.Itoa(page), "PageSize": strconv.Itoa(aclEntriesPage)}, &r); err != nil {
			return nil, err
		}
		if out == nil {
			a = r
			out = &backend.ACL{ID: a.AclID, Name: a.AclName, AddressIPVersion: a.AddressIPVersion, Entries: []backend.ACLEntry{}}
		}
		for _, e := range r.AclEntrys.AclEntry {
			out.Entries = append(out.Entries, backend.ACLEntry{CIDR: e.AclEntryIP, Comment: e.AclEntryComment})
		}
		if len(r.AclEntrys.AclEntry) == 0 || len(out.Entries) >= r.TotalAclEntry {
			break
		}
	}
	for _, r := range a.RelatedListeners.RelatedListener {
		out.RelatedListeners = append(out.RelatedListeners, backend.RelatedListener{LoadBalancerID: r.LoadBalancerID,
			Port: r.ListenerPort, Protocol: r.Protocol, AclType: r.AclType})
	}
	return out, nil
}

func (b *Backend) AddACLEntries(ctx context.Context, region, aclID string, entries []backend.ACLEntry) error {
	return b.slbRPC(ctx, region, "AddAccessControlListEntry", map[string]string{"AclId": aclID, "AclEntrys": encodeACLEntries(entries)}, nil)
}

func (b *Backend) RemoveACLEntries(ctx context.Context, region, aclID string, entries []backend.ACLEntry) error {
	return b.slbRPC(ctx, region, "RemoveAccessControlListEntry", map[string]string{"AclId": aclID, "AclEntrys": encodeACLEntries(entries)}, nil)
}

type slbLoadBalancers struct {
	TotalCount    int `json:"TotalCount"`
	LoadBalancers struct {
		LoadBalancer []struct {
			LoadBalancerID string `json:"LoadBalancerId"`
			Address        string `json:"Address"`
			VpcID          string `json:"VpcId"`
		} `json:"LoadBalancer"`
	} `json:"LoadBalancers"`
}

type slbListeners struct {
	NextToken string `json:"NextToken"`
	Listeners []struct {
		LoadBalancerID string `json:"LoadBalancerId"`
		ListenerPort   int    `json:"ListenerPort"`
		AclStatus      string `json:"AclStatus"`
		AclType        string `json:"AclType"`
		AclID          string `json:"AclId"`
	} `json:"Listeners"`
}

type slbACLList struct {
	TotalCount int `json:"TotalCount"`
	Acls       struct {
		Acl []struct {
			AclID            string `json:"AclId"`
			AclName          string `json:"AclName"`
			AddressIPVersion string `json:"AddressIPVersion"`
		} `json:"Acl"`
	} `json:"Acls"`
}

func (b *Backend) ListLoadBalancers(ctx context.Context, region string) ([]backend.LoadBalancer, error) {
	page := func(n int) ([]backend.LoadBalancer, int, error) {
		var r slbLoadBalancers
		if err := b.slbRPC(ctx, region, "DescribeLoadBalancers", map[string]string{"PageNumber": strconv.Itoa(n), "PageSize": "100"}, &r); err != nil {
			return nil, 0, err
		}
		out := make([]backend.LoadBalancer, 0, len(r.LoadBalancers.LoadBalancer))
		for _, lb := range r.LoadBalancers.LoadBalancer {
			out = append(out, backend.LoadBalancer{ID: lb.LoadBalancerID, Address: lb.Address, VPCID: lb.VpcID})
		}
		return out, r.TotalCount, nil
	}
	return backend.AllPages(ctx, 100, page)
}

func (b *Backend) ListListenerACLs(ctx context.Context, region string, lbIDs []string, port int) ([]backend.ListenerACL, error) {
	var out []backend.ListenerACL
	token := ""
	for {
		p := map[string]string{"MaxResults": "100", "ListenerProtocol": "tcp"}
		if port > 0 {
			p["ListenerPort"] = strconv.Itoa(port)
		}
		for i, id := range lbIDs {
			p["LoadBalancerId."+strconv.Itoa(i+1)] = id
		}
		if token != "" {
			p["NextToken"] = token
		}
		var r slbListeners
		if err := b.slbRPC(ctx, region, "DescribeLoadBalancerListeners", p, &r); err != nil {
			return nil, err
		}
		for _, l := range r.Listeners {
			out = append(out, backend.ListenerACL{LoadBalancerID: l.LoadBalancerID, Port: l.ListenerPort, Status: l.AclStatus, Type: l.AclType, ACLID: l.AclID})
		}
		if r.NextToken == "" || r.NextToken == token {
			return out, nil
		}
		token = r.NextToken
	}
}

func (b *Backend) ListACLs(ctx context.Context, region string) ([]backend.ACL, error) {
	var out []backend.ACL
	for page := 1; ; page++ {
		var r slbACLList
		if err := b.slbRPC(ctx, region, "DescribeAccessControlLists", map[string]string{"PageNumber": strconv.Itoa(page), "PageSize": "100"}, &r); err != nil {
			return nil, err
		}
		for _, a := range r.Acls.Acl {
			out = append(out, backend.ACL{ID: a.AclID, Name: a.AclName, AddressIPVersion: a.AddressIPVersion})
		}
		if len(r.Acls.Acl) == 0 || len(out) >= r.TotalCount {
			return out, nil
		}
	}
}
