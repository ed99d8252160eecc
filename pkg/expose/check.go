package expose

import (
	"fmt"

	"github.com/ack-expose/ack-expose/pkg/errdefs"

	"github.com/ack-expose/ack-expose/internal/clusterkind"
	"github.com/ack-expose/ack-expose/pkg/backend"
)

// eligibility says whether a cluster of this kind may associate, change or
// disassociate its API server EIP after creation: the one table in
// internal/clusterkind, which follows ACK's current documentation.
func eligibility(c *backend.Cluster) (ok bool, reason string) {
	k := clusterkind.Of(c.ClusterType, c.Profile, c.ClusterSpec)
	return k.Supported, k.Reason
}

// stateReason says why a supported cluster cannot change right now.
func stateReason(c *backend.Cluster) string {
	if backend.IsBusy(c.State) {
		return fmt.Sprintf("cluster is %s: busy, try again when it is running", c.State)
	}
	return fmt.Sprintf("cluster is %s; only a running cluster can change its API server EIP", c.State)
}

// checkMutable returns the error that stops any change to the cluster's EIP.
func checkMutable(c *backend.Cluster) error {
	if ok, reason := eligibility(c); !ok {
		return errdefs.Errorf(errdefs.KindUnsupported, "cluster %s (%s): %s", c.Name, c.ID, reason)
	}
	if c.State != backend.StateRunning {
		return errdefs.Errorf(errdefs.KindConflict, "cluster %s (%s): %s", c.Name, c.ID, stateReason(c))
	}
	return nil
}
