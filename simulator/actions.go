package simulator

import (
	"slices"
	"strings"
)

// Actions are the API actions the simulator serves (every Engine.Call), plus
// FaultTaskFailure: the actions a Fault may name. TestActionsAreServed keeps
// the list in step with the calls.
var Actions = []string{
	"AddAccessControlListEntry",
	"AllocateEipAddress",
	"AssumeRole",
	"CreateAccessControlList",
	"DeleteAccessControlList",
	"DescribeAccessControlListAttribute",
	"DescribeAccessControlLists",
	"DescribeClusterDetail",
	"DescribeClusterResources",
	"DescribeClusterUserKubeconfig",
	"DescribeClustersV1",
	"DescribeEipAddresses",
	"DescribeLoadBalancerListeners",
	"DescribeLoadBalancerTCPListenerAttribute",
	"DescribeLoadBalancers",
	"DescribeRegions",
	"DescribeTaskInfo",
	"DescribeVpcAttribute",
	"ModifyCluster",
	FaultTaskFailure,
	"GetCallerIdentity",
	"ReleaseEipAddress",
	"RemoveAccessControlListEntry",
	"SetLoadBalancerTCPListenerAttribute",
}

// knownAction reports whether a fault may name action (case-sensitive, as
// the cloud's action names are).
func knownAction(action string) bool { return slices.Contains(Actions, action) }

func actionList() string { return strings.Join(Actions, ", ") }
