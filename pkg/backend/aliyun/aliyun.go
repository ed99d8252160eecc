// Package aliyun is the Backend for the real Alibaba Cloud, through
// github.com/aliyun/alibaba-cloud-sdk-go: CS (ROA) for clusters and tasks, VPC
// (RPC) for EIPs. Both go through the SDK's CommonRequest, HTTPS always (the
// SDK's default is HTTP), and decode the bodies into this package's own wire
// types: the SDK's generated CS models are empty.
//
// A Go program imports it to give pkg/expose the real cloud: New(Options)
// signs with Options.Credentials, else with the chain the plugin itself uses
// (see Options), and its endpoints may point at `simulator serve` on loopback.
package aliyun

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ack-expose/ack-expose/internal/cloudenum"
	"github.com/ack-expose/ack-expose/pkg/errdefs"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/responses"

	"github.com/ack-expose/ack-expose/pkg/backend"
)

// Options configure the backend.
type Options struct {
	// Region for CS calls and the default endpoints (see ResolveRegion).
	Region string
	// CSEndpoint and VPCEndpoint override the endpoints (raw URLs, as in the
	// ACK_EXPOSE_*_ENDPOINT variables); empty means the region's public ones.
	CSEndpoint, VPCEndpoint string
	// SLBEndpoint overrides the SLB endpoint (ACK_EXPOSE_SLB_ENDPOINT).
	SLBEndpoint string
	// Credentials; nil means ResolveCredentials(Profile).
	Credentials credentials.CredentialsProvider
	// Source names Credentials, when given, for -v 1 and the caller.
	Source Source
	// Profile is the aliyun CLI (or credentials file) profile to sign with
	// (--profile); empty means ALIBABA_CLOUD_PROFILE, else the chain.
	Profile string
	// Log, when set, receives one line per HTTP call with its request ID.
	Log backend.Logf
}

// Backend talks to Alibaba Cloud.
type Backend struct {
	clients *clients
	region  string
	cs      *Endpoint // nil: the region's
	vpc     *Endpoint
	slb     *Endpoint
	log     backend.Logf
	source  Source
}

var _ backend.Backend = (*Backend)(nil)

// New checks the options and credentials and returns the backend. It makes no call.
func New(o Options) (*Backend, error) {
	b := &Backend{region: o.Region, log: o.Log, source: o.Source}
	if o.CSEndpoint != "" {
		e, err := ParseEndpoint(EnvCSEndpoint, o.CSEndpoint)
		if err != nil {
			return nil, err
		}
		b.cs = &e
	}
	if o.VPCEndpoint != "" {
		e, err := ParseEndpoint(EnvVPCEndpoint, o.VPCEndpoint)
		if err != nil {
			return nil, err
		}
		b.vpc = &e
	}
	if o.SLBEndpoint != "" {
		e, err := ParseEndpoint(EnvSLBEndpoint, o.SLBEndpoint)
		if err != nil {
			return nil, err
		}
		b.slb = &e
	}
	// STS is asked only where needed, and the providers that assume roles
	// read the override when they are built: a bad one is refused here,
	// whatever the command, rather than ignored until then.
	if raw := os.Getenv(EnvSTSEndpoint); raw != "" {
		if _, err := ParseEndpoint(EnvSTSEndpoint, raw); err != nil {
			return nil, err
		}
	}
	if b.cs == nil && b.region == "" {
		return nil, errdefs.Errorf(errdefs.KindInvalid, "no region for the Alibaba Cloud API").
			WithHint("Pass --region (e.g. --region cn-hangzhou), set %s, or set a region in the aliyun CLI profile (`aliyun configure`).", EnvRegion)
	}
	provider := o.Credentials
	if provider == nil {
		p, source, err := ResolveCredentials(o.Profile)
		if err != nil {
			return nil, err
		}
		b.source = source
		provider = NewSDKProvider(p, source)
	}
	// Resolve once now, so a missing credential is one clear error up front,
	// naming its real cause (credentials.go).
	if _, err := provider.GetCredentials(); err != nil {
		if o.Credentials != nil && o.Source.Provider == "" {
			return nil, errdefs.Errorf(errdefs.KindInvalid, "the Alibaba Cloud credentials given gave none").WithHint("%s", credentialsHint)
		}
		return nil, err
	}
	if o.Log != nil && b.source.Provider != "" {
		o.Log("credentials from %s", b.source.Provider)
	}
	// The SDK's own proxy handling matches NO_PROXY entries as regular
	// expressions against the host and sends loopback through HTTPS_PROXY;
	// Go's rules (http.ProxyFromEnvironment: loopback exempt, CIDRs and
	// domains in NO_PROXY) are what users expect. The SDK only rewrites the
	// proxy of an *http.Transport, so the transport is wrapped.
	cfg := sdk.NewConfig().WithScheme("HTTPS").WithTimeout(30 * time.Second).WithUserAgent("kubectl-ack_expose")
	cfg.Transport = newTransport()
	region := b.region
	if region == "" {
		region = "cn-hangzhou" // only names the client; every request has its endpoint set
	}
	newClient := func() (*sdk.Client, error) {
		client, err := sdk.NewClientWithOptions(region, cfg, provider)
		if err != nil {
			return nil, errdefs.Errorf(errdefs.KindInvalid, "setting up the Alibaba Cloud client: %v", err)
		}
		client.SetConnectTimeout(5 * time.Second)
		client.SetReadTimeout(backend.CallTimeout)
		return client, nil
	}
	client, err := newClient()
	if err != nil {
		return nil, err
	}
	b.clients = &clients{free: []*sdk.Client{client}, new: newClient}
	return b, nil
}

// clients are the SDK clients of a backend. The SDK's client is not safe
// for concurrent use (every request writes its timeout into it), and calls
// run concurrently (status asks STS while it reads; audits read many
// clusters at once): a request has a client to itself. They share one
// transport, so connections are still reused.
type clients struct {
	mu   sync.Mutex
	free []*sdk.Client
	new  func() (*sdk.Client, error)
}

func (p *clients) get() (*sdk.Client, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.free); n > 0 {
		c := p.free[n-1]
		p.free = p.free[:n-1]
		return c, nil
	}
	return p.new()
}

func (p *clients) put(c *sdk.Client) {
	p.mu.Lock()
	p.free = append(p.free, c)
	p.mu.Unlock()
}

func (b *Backend) csEndpoint() Endpoint {
	if b.cs != nil {
		return *b.cs
	}
	return CSEndpoint(b.region)
}

func (b *Backend) vpcEndpoint(region string) Endpoint {
	if b.vpc != nil {
		return *b.vpc
	}
	return VPCEndpoint(region)
}

// do runs one SDK call, giving up (but not cancelling it) when ctx ends: the
// SDK has no context support, and a Ctrl-C must not wait for a read timeout.
func do(ctx context.Context, call func() (*responses.CommonResponse, error)) (*responses.CommonResponse, error) {
	type result struct {
		resp *responses.CommonResponse
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		resp, err := call()
		ch <- result{resp, err}
	}()
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case r := <-ch:
		return r.resp, r.err
	}
}

// roa calls a CS API and decodes its JSON body into out.
func (b *Backend) roa(ctx context.Context, action, method, path string, query map[string]string, body any, out any) error {
	e := b.csEndpoint()
	req := requests.NewCommonRequest()
	req.Product, req.Version, req.ApiName = "CS", "2015-12-15", action
	req.Method, req.Scheme, req.Domain, req.Port = method, e.Scheme, e.Host, e.Port
	req.PathPattern = path
	for k, v := range query {
		req.QueryParams[k] = v
	}
	if body != nil {
		content, err := json.Marshal(body)
		if err != nil {
			return err
		}
		req.SetContent(content)
		req.SetContentType("application/json")
	}
	req.Headers["Accept"] = "application/json"
	return b.send(ctx, action, method+" "+path, req, out, csErrorOf)
}

// rpc calls a VPC API and decodes its JSON body into out.
func (b *Backend) rpc(ctx context.Context, region, action string, params map[string]string, out any) error {
	return b.rpcCall(ctx, b.vpcEndpoint(region), "Vpc", "2016-04-28", region, action, params, out)
}

// rpcCall calls an RPC-style API (VPC, SLB): POST, the parameters and the
// region in the query, signed by the SDK.
func (b *Backend) rpcCall(ctx context.Context, e Endpoint, product, version, region, action string, params map[string]string, out any) error {
	req := requests.NewCommonRequest()
	req.Product, req.Version, req.ApiName = product, version, action
	req.Method, req.Scheme, req.Domain, req.Port = "POST", e.Scheme, e.Host, e.Port
	req.QueryParams["RegionId"] = region
	for k, v := range params {
		req.QueryParams[k] = v
	}
	return b.send(ctx, action, action, req, out, rpcErrorOf)
}

func (b *Backend) send(ctx context.Context, action, what string, req *requests.CommonRequest, out any,
	cloudErr func(*sdkerrors.ServerError) CloudError) error {
	start := time.Now()
	client, err := b.clients.get()
	if err != nil {
		return err
	}
	resp, err := do(ctx, func() (*responses.CommonResponse, error) {
		defer b.clients.put(client) // once the SDK is done with it, even after do gave up
		return client.ProcessCommonRequest(req)
	})
	elapsed := time.Since(start).Round(time.Millisecond)
	if err != nil {
		converted := convertError(action, err, cloudErr)
		if b.log != nil {
			// The transport's facts only: the caller (the retry middleware)
			// logs the failure itself, once.
			var be *errdefs.Error
			switch {
			case errors.As(converted, &be) && be.HTTPStatus != 0:
				b.log("aliyun: %s %s://%s:%s: HTTP %d %s in %s, request ID %q", what, strings.ToLower(req.Scheme), req.Domain, req.Port, be.HTTPStatus, be.Code, elapsed, be.RequestID)
			default:
				b.log("aliyun: %s %s://%s:%s: no HTTP response in %s", what, strings.ToLower(req.Scheme), req.Domain, req.Port, elapsed)
			}
		}
		return converted
	}
	if b.log != nil {
		b.log("aliyun: %s %s://%s:%s: HTTP %d in %s, request ID %q", what, strings.ToLower(req.Scheme), req.Domain, req.Port, resp.GetHttpStatus(), elapsed, requestID(resp))
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(resp.GetHttpContentBytes(), out); err != nil {
		return &errdefs.Error{Kind: errdefs.KindInternal, Msg: fmt.Sprintf("%s: the response is not the JSON expected: %v", action, err), RequestID: requestID(resp)}
	}
	return nil
}

func requestID(resp *responses.CommonResponse) string {
	for k, v := range resp.GetHttpHeaders() {
		if strings.EqualFold(k, "x-acs-request-id") && len(v) > 0 {
			return v[0]
		}
	}
	var body struct {
		RequestID  string `json:"RequestId"`
		RequestID2 string `json:"request_id"`
	}
	_ = json.Unmarshal(resp.GetHttpContentBytes(), &body)
	if body.RequestID != "" {
		return body.RequestID
	}
	return body.RequestID2
}

// csErrorOf reads a CS error: the SDK only knows capitalised fields, so for CS
// ErrorCode() and RequestId() are empty and Message() is the raw JSON body.
func csErrorOf(se *sdkerrors.ServerError) CloudError {
	if e, ok := DecodeCSError([]byte(se.Message())); ok {
		return e
	}
	return CloudError{Code: se.ErrorCode(), Message: se.Message(), RequestID: se.RequestId()}
}

func rpcErrorOf(se *sdkerrors.ServerError) CloudError {
	if se.ErrorCode() != "" {
		return CloudError{Code: se.ErrorCode(), Message: se.Message(), RequestID: se.RequestId()}
	}
	if e, ok := DecodeRPCError([]byte(se.Message())); ok {
		return e
	}
	return CloudError{Message: se.Message(), RequestID: se.RequestId()}
}

// convertError maps an SDK error to a backend error of the right kind, keeping
// the cloud's code and request ID.
func convertError(action string, err error, cloudErr func(*sdkerrors.ServerError) CloudError) error {
	// The context's own end (do gave up) is returned as is. A transport's
	// timeout is also a context.DeadlineExceeded, but a *url.Error quoting
	// the request URL, and with it the query's credentials: it is scrubbed
	// below, as every other transport error, and is a call with no answer
	// (as the simulated backend's read timeout is).
	if err == context.Canceled || err == context.DeadlineExceeded {
		return err
	}
	var se *sdkerrors.ServerError
	if errors.As(err, &se) {
		ce := cloudErr(se)
		kind := errdefs.KindForCloudCode(ce.Code, se.HttpStatus())
		msg := errdefs.Printable(ce.Message)
		if msg == "" {
			msg = "HTTP " + strconv.Itoa(se.HttpStatus())
		}
		return &errdefs.Error{Kind: kind, Msg: action + ": " + msg, Code: ce.Code, RequestID: ce.RequestID, HTTPStatus: se.HttpStatus()}
	}
	var ce *sdkerrors.ClientError
	if errors.As(err, &ce) {
		kind := errdefs.KindInternal
		switch ce.ErrorCode() {
		case "SDK.ServerUnreachable", "SDK.TimeoutError", "SDK.ServerError":
			kind = errdefs.KindUnavailable
		}
		return &errdefs.Error{Kind: kind, Msg: action + ": " + errdefs.Printable(scrubURLs(ce.Message())), Code: ce.ErrorCode()}
	}
	var urlErr *url.Error
	var netErr net.Error
	if errors.As(err, &urlErr) || errors.As(err, &netErr) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		// A refused, reset or timed-out connection: no answer. Worth
		// retrying for a read; for a change, ambiguous (errdefs.Ambiguous).
		return &errdefs.Error{Kind: errdefs.KindUnavailable, Msg: action, Err: scrubbed{err}}
	}
	return &errdefs.Error{Kind: errdefs.KindInternal, Msg: action, Err: scrubbed{err}}
}

// scrubURLs drops the query of every URL in s (up to the next space or
// quote), so that no error or log line ever carries credentials: an RPC
// request carries its AccessKeyId, SecurityToken and Signature there, and Go's
// transport errors (*url.Error) quote the whole URL.
func scrubURLs(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "://")
		if i < 0 {
			return b.String() + s
		}
		end := i + 3 + strings.IndexAny(s[i+3:]+" ", " \t\n\"'")
		u := s[:end]
		if q := strings.IndexByte(s[i:end], '?'); q >= 0 {
			u = s[:i+q] + "?…"
		}
		b.WriteString(u)
		s = s[end:]
	}
}

// scrubbed is an error whose text has its URLs' queries removed; errors.Is
// and errors.As still see the original.
type scrubbed struct{ err error }

func (e scrubbed) Error() string { return scrubURLs(e.err.Error()) }
func (e scrubbed) Unwrap() error { return e.err }

func (b *Backend) DescribeCluster(ctx context.Context, id string) (*backend.Cluster, error) {
	var c csCluster
	if err := b.roa(ctx, "DescribeClusterDetail", "GET", "/clusters/"+id, nil, nil, &c); err != nil {
		return nil, err
	}
	if c.ClusterID == "" {
		return nil, errdefs.Errorf(errdefs.KindInternal, "DescribeClusterDetail %s: the response has no cluster_id", id)
	}
	return c.domain()
}

func (b *Backend) ListClusters(ctx context.Context, region string) ([]backend.Cluster, error) {
	// Pages after the first are read at the same time (backend.AllPages).
	return backend.AllPages(ctx, 100, func(page int) ([]backend.Cluster, int, error) {
		q := map[string]string{"page_number": strconv.Itoa(page), "page_size": "100"}
		if region != "" {
			q["region_id"] = region
		}
		var list csClusterList
		if err := b.roa(ctx, "DescribeClustersV1", "GET", "/api/v1/clusters", q, nil, &list); err != nil {
			return nil, 0, err
		}
		out := make([]backend.Cluster, 0, len(list.Clusters))
		for _, c := range list.Clusters {
			d, err := c.domain()
			if err != nil {
				return nil, 0, err
			}
			out = append(out, *d)
		}
		return out, list.PageInfo.TotalCount, nil
	})
}

func (b *Backend) DescribeEIPs(ctx context.Context, region string, q backend.EIPQuery) ([]backend.EIP, error) {
	var out []backend.EIP
	for page := 1; ; page++ {
		p := map[string]string{"PageNumber": strconv.Itoa(page), "PageSize": "100"}
		if len(q.AllocationIDs) > 0 {
			p["AllocationId"] = strings.Join(q.AllocationIDs, ",")
		}
		if len(q.IPAddresses) > 0 {
			p["EipAddress"] = strings.Join(q.IPAddresses, ",")
		}
		if q.ISP != "" {
			p["ISP"] = q.ISP
		}
		var list vpcEIPList
		if err := b.rpc(ctx, region, "DescribeEipAddresses", p, &list); err != nil {
			return nil, err
		}
		for _, e := range list.EipAddresses.EipAddress {
			out = append(out, e.domain())
		}
		if len(list.EipAddresses.EipAddress) == 0 || len(out) >= list.TotalCount {
			return out, nil
		}
	}
}

func (b *Backend) AllocateEIP(ctx context.Context, region string, s backend.AllocateSpec) (*backend.EIP, error) {
	p := map[string]string{
		"Bandwidth":          strconv.Itoa(s.Bandwidth),
		"InternetChargeType": s.InternetChargeType,
		"InstanceChargeType": cloudenum.ChargePostPaid,
		"ISP":                s.ISP,
		"Name":               s.Name,
		"Description":        s.Description,
		"ClientToken":        s.ClientToken,
	}
	var r vpcAllocateResponse
	if err := b.rpc(ctx, region, "AllocateEipAddress", p, &r); err != nil {
		return nil, err
	}
	if r.AllocationID == "" {
		return nil, errdefs.Errorf(errdefs.KindInternal, "AllocateEipAddress: the response has no AllocationId (request ID %s)", r.RequestID)
	}
	return &backend.EIP{AllocationID: r.AllocationID, IPAddress: r.EipAddress, RegionID: region,
		Status: backend.EIPAvailable, Bandwidth: strconv.Itoa(s.Bandwidth), InternetChargeType: s.InternetChargeType,
		ChargeType: cloudenum.ChargePostPaid, Name: s.Name, Description: s.Description}, nil
}

func (b *Backend) ReleaseEIP(ctx context.Context, region, id string) error {
	return b.rpc(ctx, region, "ReleaseEipAddress", map[string]string{"AllocationId": id}, nil)
}

func (b *Backend) ModifyAPIServerEIP(ctx context.Context, clusterID, eipID string) (string, error) {
	body := map[string]any{"api_server_eip": eipID != ""}
	if eipID != "" {
		body["api_server_eip_id"] = eipID
	}
	var r csModifyResponse
	if err := b.roa(ctx, "ModifyCluster", "PUT", "/api/v2/clusters/"+clusterID, nil, body, &r); err != nil {
		return "", err
	}
	// An accepted change without a task_id is still accepted: the lifecycle
	// then waits on the cluster's state.
	return r.TaskID, nil
}

func (b *Backend) ModifyAPIServerSANs(ctx context.Context, clusterID string, c backend.SANChange) (string, error) {
	names := c.Names
	if names == nil {
		names = []string{} // overwrite with none: an empty list, not null
	}
	body := map[string]any{"api_server_custom_cert_sans": map[string]any{
		"action": c.Action, "subject_alternative_names": names}}
	var r csModifyResponse
	if err := b.roa(ctx, "ModifyCluster", "PUT", "/api/v2/clusters/"+clusterID, nil, body, &r); err != nil {
		return "", err
	}
	return r.TaskID, nil
}

func (b *Backend) DescribeTask(ctx context.Context, id string) (*backend.Task, error) {
	var t csTask
	if err := b.roa(ctx, "DescribeTaskInfo", "GET", "/tasks/"+id, nil, nil, &t); err != nil {
		return nil, err
	}
	return t.domain(), nil
}

// CallerIdentity is STS GetCallerIdentity, at ACK_EXPOSE_STS_ENDPOINT or
// sts.aliyuncs.com.
func (b *Backend) CallerIdentity(ctx context.Context) (*backend.Caller, error) {
	e := Endpoint{Scheme: "HTTPS", Host: "sts.aliyuncs.com", Port: "443"}
	if raw := os.Getenv(EnvSTSEndpoint); raw != "" {
		var err error
		if e, err = ParseEndpoint(EnvSTSEndpoint, raw); err != nil {
			return nil, err
		}
	}
	var out struct {
		AccountID    string `json:"AccountId"`
		Arn          string `json:"Arn"`
		IdentityType string `json:"IdentityType"`
	}
	region := b.region
	if region == "" {
		region = "cn-hangzhou"
	}
	if err := b.rpcCall(ctx, e, "Sts", "2015-04-01", region, "GetCallerIdentity", nil, &out); err != nil {
		return nil, err
	}
	return &backend.Caller{AccountID: out.AccountID, Arn: out.Arn, IdentityType: out.IdentityType, Provider: b.source.Provider}, nil
}

func (b *Backend) ListRegions(ctx context.Context) ([]string, error) {
	region := b.region
	if region == "" {
		region = "cn-hangzhou"
	}
	var out struct {
		Regions struct {
			Region []struct {
				RegionID string `json:"RegionId"`
			} `json:"Region"`
		} `json:"Regions"`
	}
	if err := b.rpc(ctx, region, "DescribeRegions", nil, &out); err != nil {
		return nil, err
	}
	var regions []string
	for _, r := range out.Regions.Region {
		regions = append(regions, r.RegionID)
	}
	return regions, nil
}
