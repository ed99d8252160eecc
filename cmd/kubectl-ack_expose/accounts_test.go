package main

import (
	"fmt"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/ack-expose/ack-expose/simulator"
)

func init() {
	scriptCmds["role"] = cmdRole
	scriptCmds["cluster"] = cmdCluster
}

// role STATEFILE NAME [TRUSTED-ACCOUNT...]: set the RAM role NAME of the
// account of STATEFILE, trusted by those accounts (none: nobody may assume it).
// `! role STATEFILE NAME` deletes it.
func cmdRole(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: role STATEFILE NAME [TRUSTED-ACCOUNT...]")
	}
	ts.Check(simulator.New(ts.MkAbs(args[0])).Update(func(s *simulator.State) error {
		var roles []simulator.Role
		for _, r := range s.Roles {
			if r.Name != args[1] {
				roles = append(roles, r)
			}
		}
		if !neg {
			roles = append(roles, simulator.Role{Name: args[1], TrustedAccounts: append([]string{}, args[2:]...)})
		}
		s.Roles = roles
		return nil
	}))
}

// cluster NAME REGION [EIP-ADDRESS]: add a running ACK Pro cluster NAME in
// REGION to the script's world (its CLB and VPC are made on first use), with
// a public endpoint at EIP-ADDRESS when given (an EIP of that region, in use
// by its CLB).
func cmdCluster(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 || len(args) > 3 {
		ts.Fatalf("usage: cluster NAME REGION [EIP-ADDRESS]")
	}
	name, region := args[0], args[1]
	ts.Check(simulator.New(ts.Getenv("ACK_EXPOSE_SIMULATOR_STATE")).Update(func(s *simulator.State) error {
		n := len(s.Clusters) + 1
		c := simulator.Cluster{ID: simulator.ClusterIDFor(name), Name: name, RegionID: region, ClusterType: "ManagedKubernetes",
			Profile: "Default", ClusterSpec: "ack.pro.small", State: "running", VPCID: fmt.Sprintf("vpc-%s%012d", region, n),
			APIServerLoadBalancerID: fmt.Sprintf("lb-%s%012d", region, n), IntranetEndpoint: fmt.Sprintf("https://10.%d.0.10:6443", n)}
		if len(args) == 3 {
			id := fmt.Sprintf("eip-%s%012d", region, n)
			s.EIPs = append(s.EIPs, simulator.EIP{AllocationID: id, IPAddress: args[2], RegionID: region, Status: "InUse",
				InstanceID: c.APIServerLoadBalancerID, InstanceType: "SlbInstance", Bandwidth: "5", InternetChargeType: "PayByTraffic",
				ChargeType: "PostPaid"})
			c.EIPAllocationID = id
		}
		s.Clusters = append(s.Clusters, c)
		return nil
	}))
}
