package openapi_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
	"github.com/alibabacloud-go/tea/dara"
	vpc3 "github.com/alibabacloud-go/vpc-20160428/v6/client"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/cs"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/vpc"

	"github.com/ack-expose/ack-expose/simulator"
	"github.com/ack-expose/ack-expose/simulator/openapi"
)

// recorder remembers the authorization scheme and action of each request.
type recorder struct {
	mu   sync.Mutex
	seen []string
	h    http.Handler
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	scheme, _, _ := strings.Cut(req.Header.Get("Authorization"), " ")
	if scheme == "" && req.URL.Query().Get("Signature") != "" {
		scheme = "query-signature"
	}
	r.mu.Lock()
	r.seen = append(r.seen, scheme)
	r.mu.Unlock()
	r.h.ServeHTTP(w, req)
}

func (r *recorder) last() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seen[len(r.seen)-1]
}

func newServer(t *testing.T) (*simulator.Engine, *httptest.Server, *recorder) {
	t.Helper()
	e := simulator.New(filepath.Join(t.TempDir(), "state.json"))
	w := simulator.DemoWorld()
	w.Timing = simulator.Timing{}
	if err := e.Write(w, false); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{h: openapi.New(e)}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	return e, srv, rec
}

func hostPort(t *testing.T, srv *httptest.Server) (string, string) {
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Hostname(), u.Port()
}

func classicClient(t *testing.T) *sdk.Client {
	c, err := sdk.NewClientWithOptions("cn-hangzhou", sdk.NewConfig().WithScheme("HTTP"),
		credentials.NewStaticAKCredentialsProvider("LTAItest", "secret"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The Go SDK's typed VPC client (classic RPC: Action, Version and Signature in
// the query) works unchanged, errors included.
func TestClassicRPCWithTypedGoSDK(t *testing.T) {
	_, srv, rec := newServer(t)
	host, port := hostPort(t, srv)
	client := &vpc.Client{Client: *classicClient(t)}

	req := vpc.CreateDescribeEipAddressesRequest()
	req.Scheme, req.Domain, req.Port = "http", host, port
	req.RegionId = "cn-hangzhou"
	req.EipAddress = "47.96.1.20,47.96.1.30"
	resp, err := client.DescribeEipAddresses(req)
	if err != nil {
		t.Fatal(err)
	}
	if rec.last() != "query-signature" {
		t.Errorf("request signed with %q, want the classic query signature", rec.last())
	}
	if resp.TotalCount != 2 || len(resp.EipAddresses.EipAddress) != 2 || resp.RequestId == "" {
		t.Fatalf("got %+v", resp)
	}
	got := resp.EipAddresses.EipAddress[0]
	if got.AllocationId != "eip-bp1demopro000000000" || got.Status != "InUse" || got.InstanceType != "SlbInstance" || got.Bandwidth != "5" {
		t.Errorf("first EIP: %+v", got)
	}

	alloc := vpc.CreateAllocateEipAddressRequest()
	alloc.Scheme, alloc.Domain, alloc.Port = "http", host, port
	alloc.RegionId = "cn-hangzhou"
	alloc.Bandwidth, alloc.InternetChargeType, alloc.ClientToken = "7", "PayByTraffic", "token-1"
	a1, err := client.AllocateEipAddress(alloc)
	if err != nil {
		t.Fatal(err)
	}
	a2, err := client.AllocateEipAddress(alloc)
	if err != nil {
		t.Fatal(err)
	}
	if a1.AllocationId == "" || a1.AllocationId != a2.AllocationId || a1.EipAddress != a2.EipAddress {
		t.Errorf("the same ClientToken allocated twice: %s, %s", a1.AllocationId, a2.AllocationId)
	}

	rel := vpc.CreateReleaseEipAddressRequest()
	rel.Scheme, rel.Domain, rel.Port = "http", host, port
	rel.RegionId, rel.AllocationId = "cn-hangzhou", "eip-bp1demopro000000000"
	_, err = client.ReleaseEipAddress(rel)
	var se *sdkerrors.ServerError
	if !errors.As(err, &se) {
		t.Fatalf("releasing an InUse EIP: %v, want a ServerError", err)
	}
	if se.ErrorCode() != "IncorrectEipStatus" || se.HttpStatus() != 400 || se.RequestId() == "" || se.HostId() == "" || se.Recommend() == "" {
		t.Errorf("RPC error: code %q status %d request %q host %q recommend %q", se.ErrorCode(), se.HttpStatus(), se.RequestId(), se.HostId(), se.Recommend())
	}
}

// The Go SDK's typed CS request (classic ROA, "Authorization: acs AK:sig") works
// unchanged; as in the real cloud, its CS errors are the raw lower-case body.
func TestClassicROAWithTypedGoSDK(t *testing.T) {
	_, srv, rec := newServer(t)
	host, port := hostPort(t, srv)
	client := &cs.Client{Client: *classicClient(t)}

	req := cs.CreateDescribeClusterDetailRequest()
	req.Scheme, req.Domain, req.Port = "http", host, port
	req.ClusterId = simulator.ClusterIDFor("demo-pro")
	resp, err := client.DescribeClusterDetail(req)
	if err != nil {
		t.Fatal(err)
	}
	if rec.last() != "acs" {
		t.Errorf("request signed with %q, want acs", rec.last())
	}
	var body struct {
		ClusterID string `json:"cluster_id"`
		MasterURL string `json:"master_url"`
		Spec      string `json:"cluster_spec"`
	}
	if err := json.Unmarshal(resp.GetHttpContentBytes(), &body); err != nil {
		t.Fatal(err)
	}
	var mu map[string]string
	if err := json.Unmarshal([]byte(body.MasterURL), &mu); err != nil {
		t.Fatalf("master_url is not a JSON string: %v", err)
	}
	if body.ClusterID != req.ClusterId || body.Spec != "ack.pro.small" || mu["api_server_endpoint"] != "https://47.96.1.20:6443" ||
		mu["intranet_api_server_endpoint"] != "https://192.168.1.10:6443" {
		t.Errorf("got %+v, master_url %v", body, mu)
	}

	req.ClusterId = "c00000000000000000000000000000000"
	_, err = client.DescribeClusterDetail(req)
	var se *sdkerrors.ServerError
	if !errors.As(err, &se) || se.HttpStatus() != 404 || se.ErrorCode() != "" {
		t.Fatalf("got %v, want a 404 ServerError with the CS body in Message()", err)
	}
	var csErr struct {
		Code      string `json:"code"`
		Message   string `json:"message"`
		RequestID string `json:"requestId"`
		Status    int    `json:"status"`
	}
	if err := json.Unmarshal([]byte(se.Message()), &csErr); err != nil || csErr.Code != "ErrorClusterNotFound" || csErr.RequestID == "" || csErr.Status != 404 {
		t.Errorf("CS error body %q: %+v %v", se.Message(), csErr, err)
	}
}

// The newer SDKs (darabonba openapi, ACS3-HMAC-SHA256 with x-acs-action) work
// unchanged too: here the official vpc-20160428 client.
func TestACS3WithNewGenerationSDK(t *testing.T) {
	e, srv, rec := newServer(t)
	client := newVPC3Client(t, srv)
	resp, err := client.DescribeEipAddresses(&vpc3.DescribeEipAddressesRequest{
		RegionId: dara.String("cn-hangzhou"), AllocationId: dara.String("eip-bp1demo0000000000001"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if rec.last() != "ACS3-HMAC-SHA256" {
		t.Errorf("request signed with %q, want ACS3-HMAC-SHA256", rec.last())
	}
	b := resp.Body
	if dara.Int32Value(b.TotalCount) != 1 || len(b.EipAddresses.EipAddress) != 1 ||
		dara.StringValue(b.EipAddresses.EipAddress[0].IpAddress) != "47.96.1.10" ||
		dara.StringValue(b.EipAddresses.EipAddress[0].Status) != "Available" {
		t.Fatalf("got %s", dara.Prettify(b))
	}

	_, err = client.ReleaseEipAddress(&vpc3.ReleaseEipAddressRequest{
		RegionId: dara.String("cn-hangzhou"), AllocationId: dara.String("eip-doesnotexist000000"),
	})
	// The SDK's error type varies between tea versions; its text does not.
	if err == nil || !strings.Contains(err.Error(), "Code: InvalidAllocationId.NotFound") || !strings.Contains(err.Error(), "StatusCode: 404") {
		t.Errorf("got %v, want InvalidAllocationId.NotFound (404)", err)
	}
	_ = e.View(func(s *simulator.State) error {
		if s.Calls["DescribeEipAddresses"] != 1 || s.Calls["ReleaseEipAddress"] != 1 {
			t.Errorf("calls %v", s.Calls)
		}
		return nil
	})
}

// newVPC3Client is the official vpc-20160428 client (darabonba openapi) on srv.
func newVPC3Client(t *testing.T, srv *httptest.Server) *vpc3.Client {
	t.Helper()
	host, port := hostPort(t, srv)
	client, err := vpc3.NewClient(&openapiutil.Config{
		AccessKeyId: dara.String("LTAItest"), AccessKeySecret: dara.String("secret"),
		Endpoint: dara.String(host + ":" + port), Protocol: dara.String("HTTP"), RegionId: dara.String("cn-hangzhou"),
	})
	if err != nil {
		t.Fatal(err)
	}
	return client
}

// acs3 sends a request in the ACS3 style (x-acs-action, x-acs-version, ACS3
// header) and returns the status and body.
func acs3(t *testing.T, method, url, action, version string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	req.Header.Set("x-acs-action", action)
	req.Header.Set("x-acs-version", version)
	req.Header.Set("Authorization", "ACS3-HMAC-SHA256 Credential=LTAItest,SignedHeaders=host;x-acs-action;x-acs-date,Signature=abc")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// A CS request in the ACS3 style (x-acs-action, x-acs-version, ACS3 header).
func TestACS3ROA(t *testing.T) {
	_, srv, _ := newServer(t)
	status, b := acs3(t, "GET", srv.URL+"/clusters/"+simulator.ClusterIDFor("demo-basic"), "DescribeClusterDetail", openapi.CSVersion)
	if status != 200 || !strings.Contains(string(b), `"name":"demo-basic"`) {
		t.Errorf("%d %s", status, b)
	}
}

// A request without credentials gets the cloud's error, in its API's shape.
func TestMissingCredentials(t *testing.T) {
	_, srv, _ := newServer(t)
	get := func(path string) (int, map[string]any) {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, m
	}
	status, m := get("/?Action=DescribeEipAddresses&Version=2016-04-28&RegionId=cn-hangzhou")
	if status != 400 || m["Code"] != "MissingAccessKeyId" || m["RequestId"] == "" || m["HostId"] == nil || m["Recommend"] == nil || m["Message"] == "" {
		t.Errorf("RPC: %d %v", status, m)
	}
	status, m = get("/clusters/" + simulator.ClusterIDFor("demo-basic"))
	if status != 400 || m["code"] != "MissingAuthorization" || m["requestId"] == "" || m["status"] != float64(400) {
		t.Errorf("ROA: %d %v", status, m)
	}
}

// Faults come back in the wire shape and status of their API, and count as calls.
func TestFaultsOverHTTP(t *testing.T) {
	e, srv, _ := newServer(t)
	host, port := hostPort(t, srv)
	_ = e.Update(func(s *simulator.State) error {
		s.Faults = append(s.Faults, simulator.Fault{Action: "DescribeEipAddresses", Code: "ServiceUnavailable", HTTPStatus: 503, Message: "busy", Remaining: 1})
		return nil
	})
	client := &vpc.Client{Client: *classicClient(t)}
	req := vpc.CreateDescribeEipAddressesRequest()
	req.Scheme, req.Domain, req.Port, req.RegionId = "http", host, port, "cn-hangzhou"
	_, err := client.DescribeEipAddresses(req)
	var se *sdkerrors.ServerError
	if !errors.As(err, &se) || se.HttpStatus() != 503 || se.ErrorCode() != "ServiceUnavailable" {
		t.Fatalf("got %v", err)
	}
	if _, err := client.DescribeEipAddresses(req); err != nil {
		t.Fatalf("the fault was consumed, yet: %v", err)
	}
	_ = e.View(func(s *simulator.State) error {
		if s.Calls["DescribeEipAddresses"] != 2 || len(s.Faults) != 0 {
			t.Errorf("calls %v faults %v", s.Calls, s.Faults)
		}
		return nil
	})
}

// DescribeClusterUserKubeconfig returns ACK's kubeconfig, public or private.
func TestUserConfig(t *testing.T) {
	_, srv, _ := newServer(t)
	get := func(id, private string) (int, map[string]string) {
		req, _ := http.NewRequest("GET", srv.URL+"/k8s/"+id+"/user_config?PrivateIpAddress="+private, nil)
		req.Header.Set("Authorization", "acs LTAItest:c2ln")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]string
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	status, m := get(simulator.ClusterIDFor("demo-pro"), "false")
	if status != 200 || !strings.Contains(m["config"], "server: https://47.96.1.20:6443") || m["expiration"] == "" ||
		!strings.Contains(m["config"], "name: 1234567890123456-"+simulator.ClusterIDFor("demo-pro")) {
		t.Errorf("public: %d %v", status, m)
	}
	status, m = get(simulator.ClusterIDFor("demo-pro"), "true")
	if status != 200 || !strings.Contains(m["config"], "server: https://192.168.1.10:6443") {
		t.Errorf("private: %d %v", status, m)
	}
	if status, _ = get(simulator.ClusterIDFor("demo-basic"), "false"); status != 400 {
		t.Errorf("public kubeconfig of a cluster without EIP: %d", status)
	}
}
