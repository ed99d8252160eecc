package expose

import (
	"fmt"
	"strings"

	"github.com/ack-expose/ack-expose/pkg/errdefs"

	"github.com/ack-expose/ack-expose/pkg/backend"
)

// Eligibility says whether a cluster of this kind may associate, change or
// disassociate its API server EIP after creation. The seed document allows it
// for ACK standard, ACK Pro and ACK Serverless clusters only.
func Eligibility(c *backend.Cluster) (ok bool, reason string) {
	switch c.ClusterType {
	case "Ask":
		return true, ""
	case "ManagedKubernetes":
		switch c.Profile {
		case "Serverless":
			return true, ""
		case "", "Default":
			if c.ClusterSpec == "" || c.ClusterSpec == "ack.standard" || strings.HasPrefix(c.ClusterSpec, "ack.pro.") {
				return true, ""
			}
			return false, fmt.Sprintf("managed cluster spec %q is not ACK standard or ACK Pro; only ACK standard, ACK Pro and ACK Serverless clusters can change the API server EIP after creation", c.ClusterSpec)
		case "Edge":
			return false, "ACK Edge clusters cannot change the API server EIP after creation; only ACK standard, ACK Pro and ACK Serverless clusters can"
		case "Lingjun":
			return false, "ACK Lingjun clusters cannot change the API server EIP after creation; only ACK standard, ACK Pro and ACK Serverless clusters can"
		}
		return false, fmt.Sprintf("managed cluster profile %q cannot change the API server EIP after creation; only ACK standard, ACK Pro and ACK Serverless clusters can", c.Profile)
	case "Kubernetes":
		return false, "ACK dedicated clusters cannot change the API server EIP after creation; migrate the cluster to ACK Pro first (ACK console: Cluster Information > Migrate to Pro)"
	case "ExternalKubernetes":
		return false, "registered clusters are not served by an ACK API server CLB; manage public access to the API server in the cluster's own infrastructure"
	}
	return false, fmt.Sprintf("cluster type %q cannot change the API server EIP; only ACK standard, ACK Pro and ACK Serverless clusters can", c.ClusterType)
}

// StateReason says why a supported cluster cannot change right now.
func StateReason(c *backend.Cluster) string {
	if backend.IsBusy(c.State) {
		return fmt.Sprintf("cluster is %s: busy, try again when it is running", c.State)
	}
	return fmt.Sprintf("cluster is %s; only a running cluster can change its API server EIP", c.State)
}

// checkMutable returns the error that stops any change to the cluster's EIP.
func checkMutable(c *backend.Cluster) error {
	if ok, reason := Eligibility(c); !ok {
		return errdefs.Errorf(errdefs.KindUnsupported, "cluster %s (%s): %s", c.Name, c.ID, reason)
	}
	if c.State != backend.StateRunning {
		return errdefs.Errorf(errdefs.KindConflict, "cluster %s (%s): %s", c.Name, c.ID, StateReason(c))
	}
	return nil
}
