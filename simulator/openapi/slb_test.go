package openapi_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/slb"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/vpc"

	"github.com/ack-expose/ack-expose/simulator"
	"github.com/ack-expose/ack-expose/simulator/openapi"
)

// The Go SDK's typed SLB client (classic RPC) manages an ACL and the API
// server listener against the simulator unchanged: its request shapes
// (AclEntrys as a JSON list, repeated LoadBalancerId) are the test input, its
// response structs the check of our field names.
func TestSLBWithTypedGoSDK(t *testing.T) {
	e, srv, _ := newServer(t)
	host, port := hostPort(t, srv)
	client := &slb.Client{Client: *classicClient(t)}
	lb := "lb-bp1demo000000000000"

	create := slb.CreateCreateAccessControlListRequest()
	create.Scheme, create.Domain, create.Port = "http", host, port
	create.RegionId, create.AclName, create.AddressIPVersion = "cn-hangzhou", "ack-expose-test", "ipv4"
	created, err := client.CreateAccessControlList(create)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(created.AclId, "acl-") {
		t.Fatalf("AclId %q", created.AclId)
	}

	add := slb.CreateAddAccessControlListEntryRequest()
	add.Scheme, add.Domain, add.Port = "http", host, port
	add.RegionId, add.AclId = "cn-hangzhou", created.AclId
	add.AclEntrys = `[{"entry":"10.0.0.0/24","comment":"office"},{"entry":"203.0.113.7/32","comment":""}]`
	if _, err := client.AddAccessControlListEntry(add); err != nil {
		t.Fatal(err)
	}
	// The documented errors: a duplicate entry, an IPv6 entry in an IPv4 ACL, more than 50 per call.
	for entrys, code := range map[string]string{
		`[{"entry":"10.0.0.0/24"}]`:   "InvalidParam.AclEntryExists",
		`[{"entry":"2001:db8::/32"}]`: "IllegalEntry",
		`[{"entry":"10.0.0.7/24"}]`:   "InvalidParameter",
		manyEntries(51):               "QuotaExceeded.AclEntryNumberPerRequest",
		`not json`:                    "InvalidParameter",
	} {
		add.AclEntrys = entrys
		_, err := client.AddAccessControlListEntry(add)
		var se *sdkerrors.ServerError
		if !errors.As(err, &se) || se.ErrorCode() != code || se.HttpStatus() != 400 {
			t.Errorf("AclEntrys %.40s: got %v, want %s", entrys, err, code)
		}
	}

	set := slb.CreateSetLoadBalancerTCPListenerAttributeRequest()
	set.Scheme, set.Domain, set.Port = "http", host, port
	set.RegionId, set.LoadBalancerId, set.ListenerPort = "cn-hangzhou", lb, "6443"
	set.AclStatus, set.AclType, set.AclId = "on", "white", created.AclId
	if _, err := client.SetLoadBalancerTCPListenerAttribute(set); err != nil {
		t.Fatal(err)
	}

	get := slb.CreateDescribeLoadBalancerTCPListenerAttributeRequest()
	get.Scheme, get.Domain, get.Port = "http", host, port
	get.RegionId, get.LoadBalancerId, get.ListenerPort = "cn-hangzhou", lb, "6443"
	l, err := client.DescribeLoadBalancerTCPListenerAttribute(get)
	if err != nil {
		t.Fatal(err)
	}
	if l.AclStatus != "on" || l.AclType != "white" || l.AclId != created.AclId || l.ListenerPort != 6443 || l.LoadBalancerId != lb {
		t.Errorf("listener %+v", l)
	}

	attr := slb.CreateDescribeAccessControlListAttributeRequest()
	attr.Scheme, attr.Domain, attr.Port = "http", host, port
	attr.RegionId, attr.AclId = "cn-hangzhou", created.AclId
	a, err := client.DescribeAccessControlListAttribute(attr)
	if err != nil {
		t.Fatal(err)
	}
	if a.AclName != "ack-expose-test" || a.AddressIPVersion != "ipv4" || len(a.AclEntrys.AclEntry) != 2 ||
		a.AclEntrys.AclEntry[0].AclEntryIP != "10.0.0.0/24" || a.AclEntrys.AclEntry[0].AclEntryComment != "office" ||
		len(a.RelatedListeners.RelatedListener) != 1 || a.RelatedListeners.RelatedListener[0].ListenerPort != 6443 ||
		a.RelatedListeners.RelatedListener[0].LoadBalancerId != lb || a.RelatedListeners.RelatedListener[0].AclType != "white" {
		t.Errorf("ACL %+v", a)
	}

	rm := slb.CreateRemoveAccessControlListEntryRequest()
	rm.Scheme, rm.Domain, rm.Port = "http", host, port
	rm.RegionId, rm.AclId, rm.AclEntrys = "cn-hangzhou", created.AclId, `[{"entry":"203.0.113.7/32"}]`
	if _, err := client.RemoveAccessControlListEntry(rm); err != nil {
		t.Fatal(err)
	}

	lis := slb.CreateDescribeLoadBalancerListenersRequest()
	lis.Scheme, lis.Domain, lis.Port = "http", host, port
	lis.RegionId, lis.ListenerPort, lis.MaxResults = "cn-hangzhou", "6443", "100"
	lis.LoadBalancerId = &[]string{lb, "lb-bp1demo000000000002"}
	ls, err := client.DescribeLoadBalancerListeners(lis)
	if err != nil {
		t.Fatal(err)
	}
	if len(ls.Listeners) != 2 || ls.Listeners[0].LoadBalancerId != lb || ls.Listeners[0].AclStatus != "on" ||
		ls.Listeners[1].AclId != "acl-bp1demoshared0000000" {
		t.Errorf("listeners %+v", ls.Listeners)
	}

	lbs := slb.CreateDescribeLoadBalancersRequest()
	lbs.Scheme, lbs.Domain, lbs.Port = "http", host, port
	lbs.RegionId, lbs.PageSize = "cn-hangzhou", "100"
	lr, err := client.DescribeLoadBalancers(lbs)
	if err != nil {
		t.Fatal(err)
	}
	if lr.TotalCount != 8 || lr.LoadBalancers.LoadBalancer[0].Address != "192.168.0.10" || lr.LoadBalancers.LoadBalancer[0].VpcId == "" {
		t.Errorf("load balancers: %d, first %+v", lr.TotalCount, lr.LoadBalancers.LoadBalancer[0])
	}

	acls := slb.CreateDescribeAccessControlListsRequest()
	acls.Scheme, acls.Domain, acls.Port = "http", host, port
	acls.RegionId = "cn-hangzhou"
	ar, err := client.DescribeAccessControlLists(acls)
	if err != nil {
		t.Fatal(err)
	}
	if ar.TotalCount != 2 || len(ar.Acls.Acl) != 2 {
		t.Errorf("ACLs %+v", ar)
	}

	_ = e.View(func(s *simulator.State) error {
		if !s.AdmitsSource(simulator.ClusterIDFor("demo-basic"), "10.0.0.9") || s.AdmitsSource(simulator.ClusterIDFor("demo-basic"), "203.0.113.7") {
			t.Errorf("AdmitsSource does not follow the list")
		}
		return nil
	})
}

func manyEntries(n int) string {
	var list []map[string]string
	for i := range n {
		list = append(list, map[string]string{"entry": "10.1." + itoa(i) + ".0/24"})
	}
	b, _ := json.Marshal(list)
	return string(b)
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

// DescribeVpcAttribute (typed VPC client) and DescribeClusterResources (typed CS client).
func TestVpcAttributeAndClusterResources(t *testing.T) {
	_, srv, _ := newServer(t)
	host, port := hostPort(t, srv)
	vc := &vpc.Client{Client: *classicClient(t)}
	req := vpc.CreateDescribeVpcAttributeRequest()
	req.Scheme, req.Domain, req.Port = "http", host, port
	req.RegionId, req.VpcId = "cn-hangzhou", "vpc-bp1demo00000000000"
	v, err := vc.DescribeVpcAttribute(req)
	if err != nil {
		t.Fatal(err)
	}
	if v.VpcId != req.VpcId || v.CidrBlock != "192.168.0.0/24" || len(v.SecondaryCidrBlocks.SecondaryCidrBlock) != 1 {
		t.Errorf("VPC %+v", v)
	}

	// The classic typed CS client models this response as an object, but the
	// API returns a list (as the cs-20151215 models and terraform-provider-alicloud
	// read it): a CommonRequest, as the backend sends it.
	rr := requests.NewCommonRequest()
	rr.Product, rr.Version, rr.ApiName = "CS", "2015-12-15", "DescribeClusterResources"
	rr.Method, rr.Scheme, rr.Domain, rr.Port = "GET", "http", host, port
	rr.PathPattern = "/clusters/" + simulator.ClusterIDFor("demo-pro") + "/resources"
	resp, err := classicClient(t).ProcessCommonRequest(rr)
	if err != nil {
		t.Fatal(err)
	}
	var list []struct {
		ResourceType string `json:"resource_type"`
		InstanceID   string `json:"instance_id"`
	}
	if err := json.Unmarshal(resp.GetHttpContentBytes(), &list); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range list {
		found = found || (r.ResourceType == "ALIYUN::SLB::LoadBalancer" && r.InstanceID == "lb-bp1demo000000000001")
	}
	if !found {
		t.Errorf("no API server CLB in %s", resp.GetHttpContentString())
	}
}

// The newer request generation (x-acs-action, x-acs-version, ACS3) reaches the SLB front.
func TestACS3SLB(t *testing.T) {
	_, srv, _ := newServer(t)
	status, b := acs3(t, "POST", srv.URL+"/?RegionId=cn-hangzhou&LoadBalancerId=lb-bp1demo000000000002&ListenerPort=6443",
		"DescribeLoadBalancerTCPListenerAttribute", openapi.SLBVersion)
	if status != 200 || !strings.Contains(string(b), `"AclId":"acl-bp1demoshared0000000"`) || !strings.Contains(string(b), `"AclStatus":"on"`) {
		t.Errorf("%d %s", status, b)
	}
}
