package openapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/ack-expose/ack-expose/simulator"
)

// SLBVersion is the version of the SLB (CLB) API served.
const SLBVersion = "2014-05-15"

// serveSLB answers the SLB actions the plugin uses, with the response fields
// of alibaba-cloud-sdk-go services/slb.
func (s *Server) serveSLB(w http.ResponseWriter, action string, p url.Values) {
	reqID := simulator.NewRequestID()
	region := p.Get("RegionId")
	if region == "" {
		writeRPCError(w, &simulator.APIError{Code: "MissingRegionId", HTTPStatus: 400, Message: "RegionId is mandatory for this action."})
		return
	}
	switch action {
	case "DescribeLoadBalancerTCPListenerAttribute", "SetLoadBalancerTCPListenerAttribute":
		s.slbListenerAttribute(w, reqID, region, action, p)
	case "CreateAccessControlList", "DeleteAccessControlList":
		s.slbACLLifecycle(w, reqID, region, action, p)
	case "DescribeAccessControlListAttribute":
		s.slbACLAttribute(w, reqID, region, p)
	case "AddAccessControlListEntry", "RemoveAccessControlListEntry":
		s.slbACLEntries(w, reqID, region, action, p)
	case "DescribeLoadBalancers", "DescribeAccessControlLists":
		s.slbPagedList(w, reqID, region, action, p)
	case "DescribeLoadBalancerListeners":
		s.slbListeners(w, reqID, region, p)
	default:
		writeRPCError(w, &simulator.APIError{Code: "InvalidAction.NotFound", HTTPStatus: 404,
			Message: fmt.Sprintf("Specified api %q is not found, please check your url and method (the simulator serves SLB %s DescribeLoadBalancers, DescribeLoadBalancerListeners, DescribeAccessControlLists, DescribeLoadBalancerTCPListenerAttribute, SetLoadBalancerTCPListenerAttribute, CreateAccessControlList, DeleteAccessControlList, DescribeAccessControlListAttribute, AddAccessControlListEntry and RemoveAccessControlListEntry).", action, SLBVersion)})
	}
}

// slbListenerAttribute answers Describe- and
// SetLoadBalancerTCPListenerAttribute: a listener's access control.
func (s *Server) slbListenerAttribute(w http.ResponseWriter, reqID, region, action string, p url.Values) {
	n, err := strconv.Atoi(p.Get("ListenerPort"))
	if err != nil || n < 1 || n > 65535 {
		writeRPCError(w, &simulator.APIError{Code: "InvalidParameter", HTTPStatus: 400, Message: "ListenerPort must be an integer from 1 to 65535."})
		return
	}
	if action == "SetLoadBalancerTCPListenerAttribute" {
		if err := s.Engine.SetLoadBalancerTCPListenerAttribute(simulator.ListenerACLRequest{RegionID: region,
			LoadBalancerID: p.Get("LoadBalancerId"), Port: n, AclStatus: p.Get("AclStatus"), AclType: p.Get("AclType"), AclID: p.Get("AclId")}); err != nil {
			writeRPCError(w, asAPIError(err))
			return
		}
		writeJSON(w, 200, reqID, map[string]string{"RequestId": reqID})
		return
	}
	l, err := s.Engine.DescribeLoadBalancerTCPListenerAttribute(region, p.Get("LoadBalancerId"), n)
	if err != nil {
		writeRPCError(w, asAPIError(err))
		return
	}
	writeJSON(w, 200, reqID, map[string]any{"RequestId": reqID, "LoadBalancerId": l.LoadBalancerID, "ListenerPort": l.Port,
		"BackendServerPort": l.Port, "Status": "running", "Bandwidth": -1, "Scheduler": "wrr",
		"AclStatus": l.AclStatus, "AclType": l.AclType, "AclId": l.AclID,
		"AclIds": map[string]any{"AclId": nonEmpty(l.AclID)}})
}

// slbACLLifecycle answers CreateAccessControlList and DeleteAccessControlList.
func (s *Server) slbACLLifecycle(w http.ResponseWriter, reqID, region, action string, p url.Values) {
	if action == "DeleteAccessControlList" {
		if err := s.Engine.DeleteAccessControlList(region, p.Get("AclId")); err != nil {
			writeRPCError(w, asAPIError(err))
			return
		}
		writeJSON(w, 200, reqID, map[string]string{"RequestId": reqID})
		return
	}
	if p.Get("AclName") == "" {
		writeRPCError(w, &simulator.APIError{Code: "MissingParameter", HTTPStatus: 400, Message: "AclName is mandatory for this action."})
		return
	}
	id, err := s.Engine.CreateAccessControlList(region, p.Get("AclName"), p.Get("AddressIPVersion"))
	if err != nil {
		writeRPCError(w, asAPIError(err))
		return
	}
	writeJSON(w, 200, reqID, map[string]string{"RequestId": reqID, "AclId": id})
}

// slbACLEntries answers AddAccessControlListEntry and RemoveAccessControlListEntry.
func (s *Server) slbACLEntries(w http.ResponseWriter, reqID, region, action string, p url.Values) {
	entries, err := simulator.ParseACLEntries(p.Get("AclEntrys"))
	if err != nil {
		writeRPCError(w, asAPIError(err))
		return
	}
	call := s.Engine.AddAccessControlListEntry
	if action == "RemoveAccessControlListEntry" {
		call = s.Engine.RemoveAccessControlListEntry
	}
	if err := call(region, p.Get("AclId"), entries); err != nil {
		writeRPCError(w, asAPIError(err))
		return
	}
	writeJSON(w, 200, reqID, map[string]string{"RequestId": reqID})
}

// slbACLAttribute answers DescribeAccessControlListAttribute: a page of the list's entries, and the listeners that use it.
func (s *Server) slbACLAttribute(w http.ResponseWriter, reqID, region string, p url.Values) {
	page, err1 := atoiDefault(p.Get("Page"), 0)
	size, err2 := atoiDefault(p.Get("PageSize"), 0)
	if err1 != nil || err2 != nil {
		writeRPCError(w, &simulator.APIError{Code: "InvalidParameter", HTTPStatus: 400, Message: "Page and PageSize must be integers."})
		return
	}
	a, total, err := s.Engine.DescribeAccessControlListAttribute(region, p.Get("AclId"), page, size)
	if err != nil {
		writeRPCError(w, asAPIError(err))
		return
	}
	entries := make([]map[string]string, 0, len(a.Entries))
	for _, e := range a.Entries {
		entries = append(entries, map[string]string{"AclEntryIP": e.Entry, "AclEntryComment": e.Comment})
	}
	related := make([]map[string]any, 0, len(a.RelatedListeners))
	for _, r := range a.RelatedListeners {
		related = append(related, map[string]any{"LoadBalancerId": r.LoadBalancerID, "ListenerPort": r.Port, "Protocol": r.Protocol, "AclType": r.AclType})
	}
	writeJSON(w, 200, reqID, map[string]any{"RequestId": reqID, "AclId": a.ID, "AclName": a.Name,
		"AddressIPVersion": a.AddressIPVersion, "ResourceGroupId": "rg-simulator", "CreateTime": "2026-01-01T00:00:00Z",
		"TotalAclEntry": total, "AclEntrys": map[string]any{"AclEntry": entries},
		"RelatedListeners": map[string]any{"RelatedListener": related}, "Tags": map[string]any{"Tag": []any{}}})
}

// slbPagedList answers DescribeLoadBalancers and DescribeAccessControlLists: a page by PageNumber and PageSize.
func (s *Server) slbPagedList(w http.ResponseWriter, reqID, region, action string, p url.Values) {
	page, err1 := atoiDefault(p.Get("PageNumber"), 1)
	size, err2 := atoiDefault(p.Get("PageSize"), 10)
	if err1 != nil || err2 != nil {
		writeRPCError(w, &simulator.APIError{Code: "InvalidParameter", HTTPStatus: 400, Message: "PageNumber and PageSize must be integers."})
		return
	}
	if action == "DescribeLoadBalancers" {
		list, total, err := s.Engine.DescribeLoadBalancers(region, page, size)
		if err != nil {
			writeRPCError(w, asAPIError(err))
			return
		}
		out := make([]map[string]any, 0, len(list))
		for _, lb := range list {
			out = append(out, map[string]any{"LoadBalancerId": lb.ID, "Address": lb.Address, "VpcId": lb.VPCID,
				"AddressIPVersion": lb.AddressIPVersion, "AddressType": "intranet", "NetworkType": "vpc", "RegionId": lb.RegionID,
				"LoadBalancerStatus": "active", "LoadBalancerName": ""})
		}
		writeJSON(w, 200, reqID, map[string]any{"RequestId": reqID, "TotalCount": total, "PageNumber": page, "PageSize": size,
			"LoadBalancers": map[string]any{"LoadBalancer": out}})
		return
	}
	list, total, err := s.Engine.DescribeAccessControlLists(region, p.Get("AclName"), page, size)
	if err != nil {
		writeRPCError(w, asAPIError(err))
		return
	}
	out := make([]map[string]any, 0, len(list))
	for _, a := range list {
		out = append(out, map[string]any{"AclId": a.ID, "AclName": a.Name, "AddressIPVersion": a.AddressIPVersion, "ResourceGroupId": "rg-simulator"})
	}
	writeJSON(w, 200, reqID, map[string]any{"RequestId": reqID, "TotalCount": total, "Count": len(out), "PageNumber": page,
		"PageSize": size, "Acls": map[string]any{"Acl": out}})
}

// slbListeners answers DescribeLoadBalancerListeners: the listeners of some CLBs, by NextToken and MaxResults.
func (s *Server) slbListeners(w http.ResponseWriter, reqID, region string, p url.Values) {
	max, err := atoiDefault(p.Get("MaxResults"), 20)
	if err != nil {
		writeRPCError(w, &simulator.APIError{Code: "InvalidParameter", HTTPStatus: 400, Message: "MaxResults must be an integer."})
		return
	}
	port := 0
	if v := p.Get("ListenerPort"); v != "" {
		if port, err = strconv.Atoi(v); err != nil {
			writeRPCError(w, &simulator.APIError{Code: "InvalidParameter", HTTPStatus: 400, Message: "ListenerPort must be an integer."})
			return
		}
	}
	list, next, err := s.Engine.DescribeLoadBalancerListeners(region, repeated(p, "LoadBalancerId"), port, p.Get("NextToken"), max)
	if err != nil {
		writeRPCError(w, asAPIError(err))
		return
	}
	out := make([]map[string]any, 0, len(list))
	for _, l := range list {
		out = append(out, map[string]any{"LoadBalancerId": l.LoadBalancerID, "ListenerPort": l.Port, "ListenerProtocol": l.Protocol,
			"Status": "running", "AclStatus": l.AclStatus, "AclType": l.AclType, "AclId": l.AclID, "AclIds": nonEmpty(l.AclID)})
	}
	writeJSON(w, 200, reqID, map[string]any{"RequestId": reqID, "NextToken": next, "MaxResults": max, "TotalCount": len(out), "Listeners": out})
}

// repeated reads an RPC list parameter: Name.1, Name.2, ... (classic SDKs) or
// Name as a JSON list (newer SDKs' flat form).
func repeated(p url.Values, name string) []string {
	var out []string
	for i := 1; ; i++ {
		v := p.Get(name + "." + strconv.Itoa(i))
		if v == "" {
			break
		}
		out = append(out, v)
	}
	if raw := p.Get(name); raw != "" && len(out) == 0 {
		var list []string
		if err := json.Unmarshal([]byte(raw), &list); err == nil {
			return list
		}
		return []string{raw}
	}
	return out
}

func nonEmpty(s string) []string {
	if s == "" {
		return []string{}
	}
	return []string{s}
}

// serveVpcAttribute answers VPC DescribeVpcAttribute.
func (s *Server) serveVpcAttribute(w http.ResponseWriter, p url.Values) {
	reqID := simulator.NewRequestID()
	v, err := s.Engine.DescribeVpcAttribute(p.Get("RegionId"), p.Get("VpcId"))
	if err != nil {
		writeRPCError(w, asAPIError(err))
		return
	}
	writeJSON(w, 200, reqID, map[string]any{"RequestId": reqID, "VpcId": v.ID, "RegionId": v.RegionID, "Status": "Available",
		"VpcName": "", "CidrBlock": v.CidrBlock, "SecondaryCidrBlocks": map[string]any{"SecondaryCidrBlock": nonEmptyList(v.SecondaryCidrBlocks)},
		"UserCidrs": map[string]any{"UserCidr": []string{}}, "IsDefault": false, "CreationTime": "2026-01-01T00:00:00Z"})
}

func nonEmptyList(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

// serveClusterResources answers CS GET /clusters/{id}/resources.
func (s *Server) serveClusterResources(w http.ResponseWriter, id string) {
	reqID := simulator.NewRequestID()
	list, err := s.Engine.DescribeClusterResources(id)
	if err != nil {
		writeCSError(w, asAPIError(err))
		return
	}
	out := make([]map[string]any, 0, len(list))
	for _, r := range list {
		out = append(out, map[string]any{"cluster_id": r.ClusterID, "resource_type": r.ResourceType, "instance_id": r.InstanceID,
			"state": r.State, "created": "2026-01-01T00:00:00+08:00", "auto_create": 1, "resource_info": ""})
	}
	writeJSON(w, 200, reqID, out)
}
