package aliyun

import "testing"

// Endpoints follow the SDK's endpoint data (services/vpc, services/cs), not
// one special case.
func TestEndpointsFromSDKData(t *testing.T) {
	for _, tc := range []struct{ region, vpc, cs string }{
		{"cn-hangzhou", "vpc.aliyuncs.com", "cs.cn-hangzhou.aliyuncs.com"},
		{"cn-shanghai-finance-1", "vpc.aliyuncs.com", "cs-vpc.cn-shanghai-finance-1.aliyuncs.com"},
		{"cn-shenzhen-finance-1", "vpc.aliyuncs.com", "cs-vpc.cn-shenzhen-finance-1.aliyuncs.com"},
		{"cn-north-2-gov-1", "vpc.aliyuncs.com", "cs.cn-north-2-gov-1.aliyuncs.com"},
		{"cn-beijing", "vpc.cn-beijing.aliyuncs.com", "cs.cn-beijing.aliyuncs.com"},
		{"ap-southeast-1", "vpc.ap-southeast-1.aliyuncs.com", "cs.ap-southeast-1.aliyuncs.com"},
	} {
		if got := VPCEndpoint(tc.region); got.Host != tc.vpc || got.Scheme != "HTTPS" || got.Port != "443" {
			t.Errorf("VPCEndpoint(%s) = %+v, want %s", tc.region, got, tc.vpc)
		}
		if got := CSEndpoint(tc.region); got.Host != tc.cs || got.Scheme != "HTTPS" {
			t.Errorf("CSEndpoint(%s) = %+v, want %s", tc.region, got, tc.cs)
		}
	}
}
