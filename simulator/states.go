package simulator

import (
	"fmt"
	"strings"
)

// ClusterStates are the cluster states CS documents: DescribeClusterDetail's
// set, and the three more of DescribeClustersV1 (upgrading, removing,
// draining). The state file may put a cluster in any of them, and both fronts
// serve it as it is.
var ClusterStates = []string{"initial", "failed", "running", "updating", "updating_failed", "scaling",
	"waiting", "disconnected", "stopped", "deleting", "deleted", "delete_failed",
	"upgrading", "removing", "draining"}

func checkClusterState(state string) error {
	for _, s := range ClusterStates {
		if s == state {
			return nil
		}
	}
	return fmt.Errorf("state %q is not a cluster state of CS (%s)", state, strings.Join(ClusterStates, ", "))
}

// LineType is the EIP's ISP, BGP when the file does not say.
func (e EIP) LineType() string {
	if e.ISP == "" {
		return "BGP"
	}
	return e.ISP
}
