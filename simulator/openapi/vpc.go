package openapi

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/ack-expose/ack-expose/simulator"
)

type vpcEIP struct {
	AllocationID       string `json:"AllocationId"`
	IPAddress          string `json:"IpAddress"`
	RegionID           string `json:"RegionId"`
	Status             string `json:"Status"`
	InstanceID         string `json:"InstanceId"`
	InstanceType       string `json:"InstanceType"`
	InstanceRegionID   string `json:"InstanceRegionId"`
	Bandwidth          string `json:"Bandwidth"`
	InternetChargeType string `json:"InternetChargeType"`
	ChargeType         string `json:"ChargeType"`
	ISP                string `json:"ISP"`
	Name               string `json:"Name"`
	Description        string `json:"Description"`
	// Descritpion (sic) is in the official SDK's model too; both carry it.
	Descritpion     string `json:"Descritpion"`
	ResourceGroupID string `json:"ResourceGroupId"`
	AllocationTime  string `json:"AllocationTime"`
	Mode            string `json:"Mode"`
}

func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func (s *Server) serveVPC(w http.ResponseWriter, action string, p url.Values) {
	reqID := simulator.NewRequestID()
	fail := func(err error) { writeRPCError(w, asAPIError(err)) }
	switch action {
	case "DescribeEipAddresses":
		page, err1 := atoiDefault(p.Get("PageNumber"), 1)
		size, err2 := atoiDefault(p.Get("PageSize"), 10)
		if err1 != nil || err2 != nil {
			writeRPCError(w, &simulator.APIError{Code: "InvalidParameter", HTTPStatus: 400, Message: "PageNumber and PageSize must be integers."})
			return
		}
		list, total, err := s.Engine.DescribeEipAddresses(p.Get("RegionId"), simulator.EIPFilter{
			AllocationIDs: splitList(p.Get("AllocationId")), IPAddresses: splitList(p.Get("EipAddress")), Status: p.Get("Status"),
			ISP: p.Get("ISP"),
		}, page, size)
		if err != nil {
			fail(err)
			return
		}
		out := make([]vpcEIP, 0, len(list))
		for _, e := range list {
			out = append(out, vpcEIP{AllocationID: e.AllocationID, IPAddress: e.IPAddress, RegionID: e.RegionID,
				Status: e.Status, InstanceID: e.InstanceID, InstanceType: e.InstanceType, Bandwidth: e.Bandwidth,
				InternetChargeType: e.InternetChargeType, ChargeType: e.ChargeType, ISP: e.LineType(),
				Name: e.Name, Description: e.Description, Descritpion: e.Description, ResourceGroupID: "rg-simulator", AllocationTime: allocationTime(e), Mode: "NAT",
				InstanceRegionID: instanceRegion(e)})
		}
		writeJSON(w, 200, reqID, map[string]any{"RequestId": reqID, "TotalCount": total, "PageNumber": page,
			"PageSize": size, "EipAddresses": map[string]any{"EipAddress": out}})
	case "AllocateEipAddress":
		e, err := s.Engine.AllocateEipAddress(simulator.AllocateRequest{RegionID: p.Get("RegionId"),
			Bandwidth: p.Get("Bandwidth"), InternetChargeType: p.Get("InternetChargeType"), ISP: p.Get("ISP"),
			Name: p.Get("Name"), Description: p.Get("Description"), ClientToken: p.Get("ClientToken")})
		if err != nil {
			fail(err)
			return
		}
		// OrderId is an integer (vpc-20160428 model: Long); pay-as-you-go EIPs have no order.
		writeJSON(w, 200, reqID, map[string]any{"RequestId": reqID, "AllocationId": e.AllocationID,
			"EipAddress": e.IPAddress, "ResourceGroupId": "rg-simulator", "OrderId": 0})
	case "DescribeVpcAttribute":
		s.serveVpcAttribute(w, p)
	case "ReleaseEipAddress":
		if err := s.Engine.ReleaseEipAddress(p.Get("RegionId"), p.Get("AllocationId")); err != nil {
			fail(err)
			return
		}
		writeJSON(w, 200, reqID, map[string]string{"RequestId": reqID})
	case "DescribeRegions":
		regions, err := s.Engine.DescribeRegions()
		if err != nil {
			fail(err)
			return
		}
		out := make([]map[string]string, 0, len(regions))
		for _, r := range regions {
			out = append(out, map[string]string{"RegionId": r, "LocalName": r, "RegionEndpoint": "vpc." + r + ".aliyuncs.com"})
		}
		writeJSON(w, 200, reqID, map[string]any{"RequestId": reqID, "Regions": map[string]any{"Region": out}})
	default:
		writeRPCError(w, &simulator.APIError{Code: "InvalidAction.NotFound", HTTPStatus: 404,
			Message: fmt.Sprintf("Specified api %q is not found, please check your url and method (the simulator serves VPC %s DescribeEipAddresses, AllocateEipAddress, ReleaseEipAddress and DescribeRegions).", action, VPCVersion)})
	}
}

func instanceRegion(e simulator.EIP) string {
	if e.InstanceID == "" {
		return ""
	}
	return e.RegionID
}

// allocationTime is AllocationTime as VPC writes it (UTC, to the second);
// EIPs of older state files were allocated long ago.
func allocationTime(e simulator.EIP) string {
	if e.AllocatedAt == nil {
		return "2026-01-01T00:00:00Z"
	}
	return e.AllocatedAt.UTC().Format("2006-01-02T15:04:05Z")
}
