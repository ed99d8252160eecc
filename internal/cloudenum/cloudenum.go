// Package cloudenum names the enumerated strings of the cloud APIs that the
// lifecycle, both backends and the simulator compare against, once. The EIP
// line types and internet charge types, with their limits, are in eipspec.
package cloudenum

// ChargeType (InstanceChargeType) of an EIP (VPC DescribeEipAddresses).
const (
	// ChargePrePaid is a subscription EIP: ReleaseEipAddress refuses it
	// (Forbidden.ChargeTypeIsPrepaid), so ack-expose never asks.
	ChargePrePaid  = "PrePaid"
	ChargePostPaid = "PostPaid"
)

// InstanceTypeSLB is the InstanceType of an EIP bound to a CLB (SLB) instance.
const InstanceTypeSLB = "SlbInstance"

// AclStatus and AclType of a CLB listener (SLB DescribeLoadBalancerTCPListenerAttribute).
const (
	ACLOn    = "on"
	ACLOff   = "off"
	ACLWhite = "white"
	ACLBlack = "black"
)
