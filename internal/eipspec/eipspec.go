// Package eipspec holds VPC AllocateEipAddress' documented limits, once: the
// command layer and the lifecycle refuse what the cloud would refuse, and the
// simulator refuses it the cloud's way.
// Source: VPC API 2016-04-28 AllocateEipAddress reference (Bandwidth, ISP).
package eipspec

import (
	"slices"
	"strings"
)

// Internet charge types (InternetChargeType) of a pay-as-you-go EIP.
const (
	PayByTraffic   = "PayByTraffic"
	PayByBandwidth = "PayByBandwidth"
)

// Line types (ISP). BGP is the default of AllocateEipAddress and of
// DescribeEipAddresses' ISP filter.
const (
	ISPBGP    = "BGP"
	ISPBGPPro = "BGP_PRO"
)

// BGPProRegions are the only regions that offer BGP (Multi-ISP) Pro lines.
var BGPProRegions = []string{"cn-hongkong", "ap-southeast-1", "ap-northeast-1", "ap-southeast-3",
	"ap-southeast-6", "ap-southeast-5", "ap-southeast-7"}

// BGPProIn reports whether region offers BGP_PRO.
func BGPProIn(region string) bool { return slices.Contains(BGPProRegions, region) }

// BGPProRegionList names the BGP_PRO regions, for messages.
func BGPProRegionList() string { return strings.Join(BGPProRegions, ", ") }

// MaxBandwidth is the largest Bandwidth (Mbps) of a pay-as-you-go EIP of a
// charge type, 0 for an unknown one: PayByTraffic 1-200, PayByBandwidth 1-500.
func MaxBandwidth(chargeType string) int {
	switch chargeType {
	case PayByTraffic:
		return 200
	case PayByBandwidth:
		return 500
	}
	return 0
}
