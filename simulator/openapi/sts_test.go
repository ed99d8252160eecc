package openapi_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"

	"github.com/ack-expose/ack-expose/simulator"
	"github.com/ack-expose/ack-expose/simulator/openapi"
)

// STS GetCallerIdentity answers in both request generations: the classic
// signed query (here through the Go SDK) and ACS3 headers.
func TestGetCallerIdentityBothGenerations(t *testing.T) {
	e, srv, _ := newServer(t)
	host, port := hostPort(t, srv)
	req := requests.NewCommonRequest()
	req.Product, req.Version, req.ApiName = "Sts", openapi.STSVersion, "GetCallerIdentity"
	req.Method, req.Scheme, req.Domain = "POST", "HTTP", host+":"+port
	resp, err := classicClient(t).ProcessCommonRequest(req)
	if err != nil {
		t.Fatal(err)
	}
	var got struct{ AccountId, IdentityType, Arn string }
	if err := json.Unmarshal(resp.GetHttpContentBytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.AccountId != "1234567890123456" || got.IdentityType != "RAMUser" || !strings.HasPrefix(got.Arn, "acs:ram::1234567890123456:user/") {
		t.Errorf("classic: %+v", got)
	}
	status, b := acs3(t, "POST", srv.URL+"/", "GetCallerIdentity", openapi.STSVersion)
	if status != 200 || !strings.Contains(string(b), `"AccountId":"1234567890123456"`) {
		t.Errorf("ACS3: %d %s", status, b)
	}
	n := 0
	_ = e.View(func(s *simulator.State) error { n = s.Calls["GetCallerIdentity"]; return nil })
	if n != 2 {
		t.Errorf("GetCallerIdentity counted %d times, want 2", n)
	}
}
