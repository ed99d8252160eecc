package openapi_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/alibabacloud-go/tea/dara"
	vpc3 "github.com/alibabacloud-go/vpc-20160428/v6/client"
	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/cs"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/vpc"

	"github.com/ack-expose/ack-expose/simulator"
)

// The simulator is at least as strict as VPC's AllocateEipAddress and
// ReleaseEipAddress references, asked through the Go SDK's typed services/vpc
// client (its request shape is the test input) against the OpenAPI server.
func TestVPCStrictWithTypedGoSDK(t *testing.T) {
	e, srv, _ := newServer(t)
	host, port := hostPort(t, srv)
	_ = e.Update(func(s *simulator.State) error {
		s.EIPs[0].ChargeType = "PrePaid" // eip-bp1demo0000000000001
		return nil
	})
	client := &vpc.Client{Client: *classicClient(t)}
	allocate := func(region, bw, charge, isp string) (*vpc.AllocateEipAddressResponse, error) {
		req := vpc.CreateAllocateEipAddressRequest()
		req.Scheme, req.Domain, req.Port = "http", host, port
		req.RegionId, req.Bandwidth, req.InternetChargeType, req.ISP = region, bw, charge, isp
		return client.AllocateEipAddress(req)
	}
	release := func(id string) error {
		req := vpc.CreateReleaseEipAddressRequest()
		req.Scheme, req.Domain, req.Port = "http", host, port
		req.RegionId, req.AllocationId = "cn-hangzhou", id
		_, err := client.ReleaseEipAddress(req)
		return err
	}
	wantErr := func(what string, err error, code string, status int) {
		t.Helper()
		var se *sdkerrors.ServerError
		if !errors.As(err, &se) || se.ErrorCode() != code || se.HttpStatus() != status {
			t.Errorf("%s: %v, want %s (%d)", what, err, code, status)
		}
	}
	for _, tc := range []struct {
		region, bw, charge, isp string
		code                    string // "" = allocated
	}{
		{"cn-hangzhou", "200", "PayByTraffic", "", ""},
		{"cn-hangzhou", "201", "PayByTraffic", "", "InvalidBandwidth.Malformed"},
		{"cn-hangzhou", "0", "PayByTraffic", "", "InvalidBandwidth.Malformed"},
		{"cn-hangzhou", "500", "PayByBandwidth", "", ""},
		{"cn-hangzhou", "501", "PayByBandwidth", "", "InvalidBandwidth.Malformed"},
		{"cn-hangzhou", "501", "", "", "InvalidBandwidth.Malformed"}, // the API's default is PayByBandwidth
		{"cn-hangzhou", "5", "PayByMood", "", "InvalidParameter"},
		{"cn-hangzhou", "5", "PayByTraffic", "BGP_PRO", simulator.AssumeBGPProRegion.Code},
		{"cn-beijing", "5", "PayByTraffic", "BGP_PRO", simulator.AssumeBGPProRegion.Code},
		{"cn-hongkong", "5", "PayByTraffic", "BGP_PRO", ""},
		{"ap-southeast-7", "5", "PayByTraffic", "BGP_PRO", ""},
	} {
		what := strings.Join([]string{tc.region, tc.bw, tc.charge, tc.isp}, " ")
		resp, err := allocate(tc.region, tc.bw, tc.charge, tc.isp)
		if tc.code != "" {
			wantErr(what, err, tc.code, 400)
			continue
		}
		if err != nil || resp.AllocationId == "" {
			t.Errorf("%s: %v", what, err)
			continue
		}
		// OrderId is an integer (the model's Long), not a string.
		if body := resp.GetHttpContentString(); !strings.Contains(body, `"OrderId":0`) {
			t.Errorf("%s: OrderId is not an integer: %s", what, body)
		}
	}
	wantErr("release PrePaid", release("eip-bp1demo0000000000001"), "Forbidden.ChargeTypeIsPrepaid", 400)
	wantErr("release InUse", release("eip-bp1demoecs000000000"), "IncorrectEipStatus", 400)
	wantErr("release unknown", release("eip-bp1nope000000000000"), "InvalidAllocationId.NotFound", 404)
	if err := release("eip-bp1demo0000000000002"); err != nil {
		t.Errorf("release Available PostPaid: %v", err)
	}

	// DescribeEipAddresses filters on ISP, BGP by default: BGP_PRO EIPs only when asked.
	describe := func(region, isp string) []string {
		req := vpc.CreateDescribeEipAddressesRequest()
		req.Scheme, req.Domain, req.Port = "http", host, port
		req.RegionId, req.ISP = region, isp
		resp, err := client.DescribeEipAddresses(req)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, x := range resp.EipAddresses.EipAddress {
			out = append(out, x.ISP)
		}
		return out
	}
	if got := describe("cn-hongkong", ""); len(got) != 0 {
		t.Errorf("cn-hongkong without ISP: %v, want no BGP_PRO EIP", got)
	}
	if got := describe("cn-hongkong", "BGP_PRO"); len(got) != 1 || got[0] != "BGP_PRO" {
		t.Errorf("cn-hongkong ISP=BGP_PRO: %v", got)
	}
}

// The newer SDK decodes AllocateEipAddress' OrderId as an integer.
func TestAllocateOrderIdWithNewGenerationSDK(t *testing.T) {
	_, srv, _ := newServer(t)
	client := newVPC3Client(t, srv)
	resp, err := client.AllocateEipAddress(&vpc3.AllocateEipAddressRequest{RegionId: dara.String("cn-hangzhou"),
		InternetChargeType: dara.String("PayByTraffic"), Bandwidth: dara.String("5")})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Body.OrderId == nil || resp.Body.AllocationId == nil {
		t.Errorf("got %s", dara.Prettify(resp.Body))
	}
}

// ModifyCluster's body must be JSON: the classic SDK's default content type
// (application/octet-stream) is refused, as the cloud does.
func TestModifyClusterContentType(t *testing.T) {
	_, srv, _ := newServer(t)
	host, port := hostPort(t, srv)
	client := &cs.Client{Client: *classicClient(t)}
	req := cs.CreateModifyClusterRequest()
	req.Scheme, req.Domain, req.Port = "http", host, port
	req.ClusterId = simulator.ClusterIDFor("demo-basic")
	req.SetContent([]byte(`{"api_server_eip":false}`))
	_, err := client.ModifyCluster(req)
	var se *sdkerrors.ServerError
	if !errors.As(err, &se) || se.HttpStatus() != 400 || !strings.Contains(se.Message(), simulator.AssumeCSContentType.Code) {
		t.Fatalf("octet-stream body: %v, want %s (400)", err, simulator.AssumeCSContentType.Code)
	}
	req.SetContentType("application/json")
	if _, err := client.ModifyCluster(req); err != nil {
		t.Fatalf("JSON body: %v", err)
	}
}
