package aliyun

import (
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/cs"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/vpc"

	"github.com/ack-expose/ack-expose/pkg/errdefs"
)

// Environment variables that override the cloud endpoints.
const (
	EnvCSEndpoint  = "ACK_EXPOSE_CS_ENDPOINT"
	EnvVPCEndpoint = "ACK_EXPOSE_VPC_ENDPOINT"
	EnvRegion      = "ALIBABA_CLOUD_REGION_ID"
	// EnvSTSEndpoint overrides the STS endpoint (GetCallerIdentity, and the
	// roles the credential providers assume, which need https).
	EnvSTSEndpoint = "ACK_EXPOSE_STS_ENDPOINT"
)

// Endpoint is where an API is served.
type Endpoint struct {
	Scheme string // "HTTPS" or "HTTP"
	Host   string
	Port   string
}

// ParseEndpoint reads an endpoint override. HTTPS is the default; plain HTTP is
// accepted only for a loopback host, so credentials never cross a network in clear.
func ParseEndpoint(name, raw string) (Endpoint, error) {
	s := strings.TrimSpace(raw)
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err == nil && u.User != nil {
		// Never echoed: the user info may be a password, a key or a token.
		shown := *u
		shown.User = url.User("REDACTED")
		return Endpoint{}, errdefs.Errorf(errdefs.KindInvalid, "%s=%q is not an endpoint: it carries user info, which an endpoint must not (credentials come from the profile, never from the URL); give scheme://host[:port]", name, shown.String())
	}
	if err != nil || u.Hostname() == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		shown := strconv.Quote(raw)
		if strings.Contains(raw, "@") { // user info that did not parse: not echoed either
			shown = "(not shown: it has user info)"
		}
		return Endpoint{}, errdefs.Errorf(errdefs.KindInvalid, "%s=%s is not an endpoint: give scheme://host[:port], as in https://cs.cn-hangzhou.aliyuncs.com or http://127.0.0.1:8080", name, shown)
	}
	e := Endpoint{Host: u.Hostname(), Port: u.Port()}
	switch strings.ToLower(u.Scheme) {
	case "https":
		e.Scheme = "HTTPS"
		if e.Port == "" {
			e.Port = "443"
		}
	case "http":
		if !IsLoopback(e.Host) {
			return Endpoint{}, errdefs.Errorf(errdefs.KindInvalid, "%s=%q uses plain http to a host that is not loopback: requests carry signed credentials, so use https (plain http is only for a local simulator on 127.0.0.1 or localhost)", name, raw)
		}
		e.Scheme = "HTTP"
		if e.Port == "" {
			e.Port = "80"
		}
	default:
		return Endpoint{}, errdefs.Errorf(errdefs.KindInvalid, "%s=%q: unknown scheme %q, use https", name, raw, u.Scheme)
	}
	return e, nil
}

// IsLoopback reports whether host is localhost or a loopback address.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// CSEndpoint is the CS API of a region, as the SDK's endpoint data for CS
// resolves it (services/cs: a few regions use a central or VPC endpoint).
func CSEndpoint(region string) Endpoint {
	return sdkEndpoint(cs.GetEndpointMap(), "cs", region)
}

// VPCEndpoint is the VPC API of a region, as the SDK's endpoint data for VPC
// resolves it (services/vpc): the central vpc.aliyuncs.com serves cn-hangzhou
// and the finance and government regions, vpc.<region>.aliyuncs.com the others.
func VPCEndpoint(region string) Endpoint {
	return sdkEndpoint(vpc.GetEndpointMap(), "vpc", region)
}

// sdkEndpoint resolves as the SDK's typed clients do for a "regional"
// product: the product's endpoint map, else <product>.<region>.aliyuncs.com.
func sdkEndpoint(m map[string]string, product, region string) Endpoint {
	host := m[region]
	if host == "" {
		host = product + "." + region + ".aliyuncs.com"
	}
	return Endpoint{Scheme: "HTTPS", Host: host, Port: "443"}
}

// ResolveRegion picks the region for CS calls: the flag, then
// ALIBABA_CLOUD_REGION_ID, then the aliyun CLI profile (profile, else
// ALIBABA_CLOUD_PROFILE, else the current one). It returns "" when none says.
func ResolveRegion(flag, profile string) (region, source string) {
	if flag != "" {
		return flag, "--region"
	}
	if r := os.Getenv(EnvRegion); r != "" {
		return r, EnvRegion
	}
	if r, p := cliProfileRegion(profile); r != "" {
		return r, "aliyun CLI profile " + p
	}
	return "", ""
}

// cliProfileRegion reads region_id of the profile of the aliyun CLI config.
func cliProfileRegion(profile string) (region, name string) {
	cfg, err := LoadCLIConfig()
	if err != nil || cfg == nil {
		return "", ""
	}
	want := profile
	if want == "" {
		want = os.Getenv(envProfile)
	}
	if want == "" {
		want = cfg.Current
	}
	if p := cfg.Profile(want); p != nil {
		return p.RegionID, p.Name
	}
	return "", ""
}
