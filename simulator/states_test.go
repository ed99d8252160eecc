package simulator

import (
	"strings"
	"testing"
)

// Every documented cluster state can be put in the state file and is served
// as it is; anything else is refused when the file is read.
func TestClusterStates(t *testing.T) {
	w := DemoWorld()
	for _, st := range ClusterStates {
		c := w.Clusters[0]
		c.ID, c.Name, c.State = ClusterIDFor("state-"+st), "state-"+st, st
		c.EIPAllocationID = ""
		w.Clusters = append(w.Clusters, c)
	}
	e := newEngine(t, w)
	for _, st := range ClusterStates {
		v, err := e.DescribeClusterDetail(ClusterIDFor("state-" + st))
		if err != nil || v.State != st {
			t.Errorf("%s: %v, state %q", st, err, v.State)
		}
	}
	if _, err := e.ModifyCluster(ModifyClusterRequest{ClusterID: ClusterIDFor("state-upgrading")}); err == nil ||
		!strings.Contains(err.Error(), AssumeBusyCluster.Code) {
		t.Errorf("ModifyCluster on an upgrading cluster: %v, want %s", err, AssumeBusyCluster.Code)
	}
	w.Clusters[0].State = "sleeping"
	b, _ := Encode(w)
	if _, err := Decode(b); err == nil || !strings.Contains(err.Error(), `state "sleeping" is not a cluster state of CS`) {
		t.Errorf("unknown state: %v", err)
	}
}
