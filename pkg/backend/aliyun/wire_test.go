package aliyun

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ack-expose/ack-expose/pkg/errdefs"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"

	"github.com/ack-expose/ack-expose/pkg/backend"
)

// A DescribeClusterDetail body shaped as the CS documentation shows it:
// master_url and meta_data are JSON documents inside strings.
const clusterDetailSample = `{
  "cluster_id": "c82e6987e2961451182edacd74faf****",
  "cluster_type": "ManagedKubernetes",
  "created": "2019-11-25T15:50:20+08:00",
  "init_version": "1.16.6-aliyun.1",
  "current_version": "1.16.6-aliyun.1",
  "next_version": "1.18.8-aliyun.1",
  "deletion_protection": true,
  "docker_version": "19.03.5",
  "external_loadbalancer_id": "lb-2vcrbmlevo6kjpgch****",
  "meta_data": "{\"Addons\":[{\"config\":\"\",\"disabled\":false,\"name\":\"gateway-api\",\"version\":\"v1.0.0\"}]}",
  "name": "prod-cluster",
  "network_mode": "vpc",
  "region_id": "cn-beijing",
  "resource_group_id": "rg-acfmyvw3wjm****",
  "security_group_id": "sg-25yq****",
  "size": 5,
  "state": "running",
  "subnet_cidr": "172.20.0.0/16",
  "tags": [{"key": "env", "value": "prod"}],
  "updated": "2020-01-13T23:01:03+08:00",
  "vpc_id": "vpc-2zecuu62b9zw7a7qn****",
  "vswitch_id": "vsw-2zete8s4qocqg0mf6****",
  "zone_id": "cn-beijing-a",
  "profile": "Default",
  "cluster_spec": "ack.pro.small",
  "master_url": "{\"api_server_endpoint\":\"https://123.56.xx.xx:6443\",\"intranet_api_server_endpoint\":\"https://192.168.xx.xx:6443\"}",
  "maintenance_window": {"enable": false},
  "extra_sans": ["api.example.com", "203.0.113.7"]
}`

func TestDecodeClusterDetail(t *testing.T) {
	var c csCluster
	if err := json.Unmarshal([]byte(clusterDetailSample), &c); err != nil {
		t.Fatal(err)
	}
	d, err := c.domain()
	if err != nil {
		t.Fatal(err)
	}
	want := backend.Cluster{ID: "c82e6987e2961451182edacd74faf****", Name: "prod-cluster", RegionID: "cn-beijing",
		ClusterType: "ManagedKubernetes", Profile: "Default", ClusterSpec: "ack.pro.small", State: "running",
		VPCID: "vpc-2zecuu62b9zw7a7qn****", IntranetEndpoint: "https://192.168.xx.xx:6443", PublicEndpoint: "https://123.56.xx.xx:6443",
		ExtraSANs: []string{"api.example.com", "203.0.113.7"}}
	if !reflect.DeepEqual(*d, want) {
		t.Errorf("got %+v\nwant %+v", *d, want)
	}
}

func TestParseMasterURL(t *testing.T) {
	for _, tc := range []struct {
		in               string
		public, intranet string
		bad              bool
	}{
		{in: "", public: "", intranet: ""},
		{in: `{"intranet_api_server_endpoint":"https://10.0.0.1:6443"}`, intranet: "https://10.0.0.1:6443"},
		{in: `{"api_server_endpoint":"","intranet_api_server_endpoint":"https://10.0.0.1:6443"}`, intranet: "https://10.0.0.1:6443"},
		{in: `{"api_server_endpoint":"https://1.2.3.4:6443","intranet_api_server_endpoint":"https://10.0.0.1:6443","extra":1}`, public: "https://1.2.3.4:6443", intranet: "https://10.0.0.1:6443"},
		{in: `https://1.2.3.4:6443`, bad: true},
		{in: `["x"]`, bad: true},
	} {
		m, err := ParseMasterURL(tc.in)
		if (err != nil) != tc.bad || m.APIServerEndpoint != tc.public || m.IntranetAPIServerEndpoint != tc.intranet {
			t.Errorf("ParseMasterURL(%q) = %+v, %v", tc.in, m, err)
		}
	}
}

func TestDecodeLists(t *testing.T) {
	var l csClusterList
	body := `{"clusters":[` + clusterDetailSample + `],"page_info":{"page_number":1,"page_size":10,"total_count":21}}`
	if err := json.Unmarshal([]byte(body), &l); err != nil || len(l.Clusters) != 1 || l.PageInfo.TotalCount != 21 {
		t.Fatalf("%+v %v", l, err)
	}
	var e vpcEIPList
	eips := `{"PageSize":10,"RequestId":"4EC47282-1B74-4534-BD0E-403F3EE64CAF","PageNumber":1,"TotalCount":1,
	  "EipAddresses":{"EipAddress":[{"ChargeType":"PostPaid","IpAddress":"47.75.XX.XX","AllocationId":"eip-2zeerraiwb7ujxscd****",
	  "Status":"InUse","InstanceId":"lb-2ze24rsk3ecwyyhq0****","InstanceType":"SlbInstance","RegionId":"cn-beijing","Bandwidth":"5",
	  "InternetChargeType":"PayByTraffic","ISP":"BGP","Name":"api","OperationLocks":{"LockReason":[]}}]}}`
	if err := json.Unmarshal([]byte(eips), &e); err != nil || e.TotalCount != 1 {
		t.Fatalf("%+v %v", e, err)
	}
	got := e.EipAddresses.EipAddress[0].domain()
	if got.AllocationID != "eip-2zeerraiwb7ujxscd****" || got.InstanceType != "SlbInstance" || got.Bandwidth != "5" || got.ChargeType != "PostPaid" {
		t.Errorf("%+v", got)
	}
	var task csTask
	if err := json.Unmarshal([]byte(`{"task_id":"T-5a54309c80282e39ea****","cluster_id":"c1","state":"failed","current_stage":"UpdateAPIServer",
	  "created":"2020-11-10T16:02:04+08:00","error":{"code":"ErrRollout","message":"rollout failed"}}`), &task); err != nil {
		t.Fatal(err)
	}
	d := task.domain()
	if done, ok := backend.TaskDone(d.State); !done || ok || d.ErrorCode != "ErrRollout" || d.Created.IsZero() {
		t.Errorf("%+v", d)
	}
}

func TestDecodeErrors(t *testing.T) {
	e, ok := DecodeCSError([]byte(`{"code":"ErrorClusterNotFound","message":"cluster not found","requestId":"A1B2","status":404}`))
	if !ok || e.Code != "ErrorClusterNotFound" || e.RequestID != "A1B2" || e.Status != 404 {
		t.Errorf("CS: %+v %v", e, ok)
	}
	e, ok = DecodeCSError([]byte(`{"code":"ErrorCheckAcl","message":"denied","requestId":"R","status":"403"}`))
	if !ok || e.Status != 403 {
		t.Errorf("CS status as string: %+v %v", e, ok)
	}
	if _, ok := DecodeCSError([]byte(`<html>502 Bad Gateway</html>`)); ok {
		t.Error("HTML decoded as a CS error")
	}
	e, ok = DecodeRPCError([]byte(`{"RequestId":"R2","HostId":"vpc.aliyuncs.com","Code":"Forbidden.RAM","Message":"not authorized","Recommend":"https://..."}`))
	if !ok || e.Code != "Forbidden.RAM" || e.RequestID != "R2" {
		t.Errorf("RPC: %+v %v", e, ok)
	}
}

// The SDK hides CS errors in Message(); convertError digs them out.
func TestConvertServerErrors(t *testing.T) {
	cs := sdkerrors.NewServerError(404, `{"code":"ErrorClusterNotFound","message":"cluster c1 not found","requestId":"REQ-CS","status":404}`, "")
	err := convertError("DescribeClusterDetail", cs, csErrorOf)
	var be *errdefs.Error
	if !errors.As(err, &be) || be.Kind != errdefs.KindNotFound || be.Code != "ErrorClusterNotFound" || be.RequestID != "REQ-CS" {
		t.Errorf("CS: %#v", err)
	}
	if !strings.Contains(err.Error(), "code ErrorClusterNotFound, request ID REQ-CS") {
		t.Errorf("message %q lacks code and request ID", err)
	}
	vpcErr := sdkerrors.NewServerError(400, `{"RequestId":"REQ-VPC","HostId":"vpc","Code":"Throttling.User","Message":"flow control"}`, "")
	err = convertError("AllocateEipAddress", vpcErr, rpcErrorOf)
	if !errors.As(err, &be) || be.Kind != errdefs.KindThrottled || !errdefs.Retryable(err) || be.RequestID != "REQ-VPC" {
		t.Errorf("VPC: %#v", err)
	}
	err = convertError("DescribeTaskInfo", sdkerrors.NewServerError(503, "Service Unavailable", ""), csErrorOf)
	if !errdefs.Retryable(err) {
		t.Errorf("a 503 without a body must be retryable: %#v", err)
	}
	err = convertError("DescribeTaskInfo", sdkerrors.NewClientError("SDK.ServerUnreachable", "connection refused", nil), csErrorOf)
	if !errdefs.Retryable(err) {
		t.Errorf("an unreachable server must be retryable: %#v", err)
	}
	reset := &url.Error{Op: "Put", URL: "http://127.0.0.1/api/v2/clusters/c1", Err: io.EOF}
	err = convertError("ModifyCluster", reset, csErrorOf)
	if !errdefs.Retryable(err) || !errdefs.Ambiguous(err) {
		t.Errorf("a connection closed without an answer must be retryable for reads and ambiguous for changes: %#v", err)
	}
}

func TestParseEndpoint(t *testing.T) {
	for _, tc := range []struct {
		raw                string
		scheme, host, port string
		bad                bool
	}{
		{raw: "https://cs.cn-shanghai.aliyuncs.com", scheme: "HTTPS", host: "cs.cn-shanghai.aliyuncs.com", port: "443"},
		{raw: "cs.cn-shanghai.aliyuncs.com", scheme: "HTTPS", host: "cs.cn-shanghai.aliyuncs.com", port: "443"},
		{raw: "https://cs-vpc.cn-shanghai.aliyuncs.com:8443/", scheme: "HTTPS", host: "cs-vpc.cn-shanghai.aliyuncs.com", port: "8443"},
		{raw: "http://127.0.0.1:8080", scheme: "HTTP", host: "127.0.0.1", port: "8080"},
		{raw: "http://127.5.6.7:8080", scheme: "HTTP", host: "127.5.6.7", port: "8080"},
		{raw: "http://localhost:1", scheme: "HTTP", host: "localhost", port: "1"},
		{raw: "http://[::1]:9", scheme: "HTTP", host: "::1", port: "9"},
		{raw: "http://cs.cn-shanghai.aliyuncs.com", bad: true},
		{raw: "http://192.168.1.1:80", bad: true},
		{raw: "ftp://127.0.0.1", bad: true},
		{raw: "https://cs.aliyuncs.com/path", bad: true},
		{raw: "https://user:pw@cs.aliyuncs.com", bad: true},
		{raw: "", bad: true},
	} {
		e, err := ParseEndpoint("X", tc.raw)
		if tc.bad {
			if err == nil || errdefs.KindOf(err) != errdefs.KindInvalid {
				t.Errorf("ParseEndpoint(%q) = %+v, want a usage error", tc.raw, e)
			}
			continue
		}
		if err != nil || e.Scheme != tc.scheme || e.Host != tc.host || e.Port != tc.port {
			t.Errorf("ParseEndpoint(%q) = %+v, %v", tc.raw, e, err)
		}
	}
}

// An endpoint with user info is refused without echoing the secret in it,
// parsed or not.
func TestParseEndpointHidesUserInfo(t *testing.T) {
	for _, raw := range []string{"https://LTAI5tKEY:TopSecretValue@sts.example.com", "https://TopSecretValue@sts.example.com", "https://k:TopSecretValue@sts example.com/%zz"} {
		_, err := ParseEndpoint(EnvSTSEndpoint, raw)
		if err == nil || strings.Contains(err.Error(), "TopSecretValue") {
			t.Errorf("ParseEndpoint(%q): %v", raw, err)
		}
	}
}

func TestResolveRegion(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv(EnvRegion, "")
	t.Setenv("ALIBABA_CLOUD_PROFILE", "")
	if r, _ := ResolveRegion("", ""); r != "" {
		t.Errorf("no source, got %q", r)
	}
	_ = os.MkdirAll(filepath.Join(home, ".aliyun"), 0o700)
	cfg := `{"current":"work","profiles":[{"name":"default","region_id":"cn-hangzhou","access_key_secret":"x"},{"name":"work","region_id":"ap-southeast-1"}]}`
	if err := os.WriteFile(filepath.Join(home, ".aliyun", "config.json"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	if r, src := ResolveRegion("", ""); r != "ap-southeast-1" || !strings.Contains(src, "work") {
		t.Errorf("CLI profile: %q from %q", r, src)
	}
	t.Setenv("ALIBABA_CLOUD_PROFILE", "default")
	if r, _ := ResolveRegion("", ""); r != "cn-hangzhou" {
		t.Errorf("ALIBABA_CLOUD_PROFILE: %q", r)
	}
	t.Setenv(EnvRegion, "cn-shenzhen")
	if r, src := ResolveRegion("", ""); r != "cn-shenzhen" || src != EnvRegion {
		t.Errorf("env: %q %q", r, src)
	}
	if r, src := ResolveRegion("cn-beijing", ""); r != "cn-beijing" || src != "--region" {
		t.Errorf("flag: %q %q", r, src)
	}
}

func TestNewNeedsRegionAndCredentials(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
	for _, k := range []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_ROLE_ARN",
		"ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "ALIBABA_CLOUD_OIDC_TOKEN_FILE", "ALIBABA_CLOUD_PROFILE", "ALIBABA_CLOUD_CREDENTIALS_FILE"} {
		t.Setenv(k, "")
	}
	_, err := New(Options{})
	if errdefs.KindOf(err) != errdefs.KindInvalid || !strings.Contains(err.Error(), "--region") {
		t.Errorf("no region: %v", err)
	}
	_, err = New(Options{Region: "cn-hangzhou"})
	if errdefs.KindOf(err) != errdefs.KindInvalid || !strings.Contains(err.Error(), "--mode CloudSSO") || strings.Contains(err.Error(), "ALIBABA_CLOUD_ACCESS_KEY") {
		t.Errorf("no credentials: %v", err)
	}
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "AK")
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "SK")
	b, err := New(Options{Region: "cn-hangzhou"})
	if err != nil {
		t.Fatal(err)
	}
	if e := b.csEndpoint(); e.Scheme != "HTTPS" || e.Host != "cs.cn-hangzhou.aliyuncs.com" {
		t.Errorf("default CS endpoint %+v", e)
	}
	if e := b.vpcEndpoint("cn-beijing"); e.Scheme != "HTTPS" || e.Host != "vpc.cn-beijing.aliyuncs.com" {
		t.Errorf("default VPC endpoint %+v", e)
	}
	if _, err := New(Options{CSEndpoint: "http://10.0.0.1:80"}); errdefs.KindOf(err) != errdefs.KindInvalid {
		t.Errorf("plain http to a non-loopback host: %v", err)
	}
}

func TestScrubURLs(t *testing.T) {
	for in, want := range map[string]string{
		`Post "https://slb.aliyuncs.com:443/?AccessKeyId=K&Signature=S&SecurityToken=T": dial tcp: no such host`: `Post "https://slb.aliyuncs.com:443/?…": dial tcp: no such host`,
		"GET http://127.0.0.1:1/clusters/c1 failed":                                                              "GET http://127.0.0.1:1/clusters/c1 failed",
		"a http://h/?x=1 b https://g/p?y=2":                                                                      "a http://h/?… b https://g/p?…",
		"no url here":                                                                                            "no url here",
		"trailing https://h?k=v":                                                                                 "trailing https://h?…",
	} {
		if got := scrubURLs(in); got != want {
			t.Errorf("scrubURLs(%q) = %q, want %q", in, got, want)
		}
	}
}

// A call that times out: Go's client error quotes the request URL, whose
// query carries an RPC call's AccessKeyId, SecurityToken and Signature, and
// it is also a context.DeadlineExceeded. Its text must not carry them.
func TestTimeoutErrorHasNoSecrets(t *testing.T) {
	hold := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-hold }))
	defer srv.Close()
	defer close(hold)
	client := &http.Client{Timeout: 50 * time.Millisecond}
	_, raw := client.Post(srv.URL+"/?AccessKeyId=KEYSENTINEL&SecurityToken=TOKSENTINEL&Signature=SIGSENTINEL", "", nil)
	if raw == nil {
		t.Fatal("the call did not time out")
	}
	err := convertError("DescribeEipAddresses", raw, rpcErrorOf)
	for _, s := range []string{"KEYSENTINEL", "TOKSENTINEL", "SIGSENTINEL"} {
		if strings.Contains(err.Error(), s) {
			t.Errorf("the error quotes a secret: %v", err)
		}
	}
	if !strings.Contains(err.Error(), "DescribeEipAddresses") {
		t.Errorf("the error does not name the call: %v", err)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a timeout must stay a timeout: %#v", err)
	}
}
