package openapi_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ack-expose/ack-expose/internal/probe"
	"github.com/ack-expose/ack-expose/simulator"
	"github.com/ack-expose/ack-expose/simulator/openapi"
)

// The endpoints follow the state: an EIP allocated while serving gets its
// listener on the next Sync, and a check through the map reaches the cluster
// the EIP is associated with; unknown addresses fall back to a listener that
// drops the connection.
func TestAPIServersFollowTheState(t *testing.T) {
	e, _, _ := newServer(t)
	apis := openapi.NewAPIServers(e)
	t.Cleanup(apis.Close)
	added, err := apis.Sync()
	if err != nil || len(added) == 0 {
		t.Fatalf("Sync: %v, %v", added, err)
	}
	if err := apis.ListenFallback(); err != nil {
		t.Fatal(err)
	}
	var ca string
	_ = e.View(func(s *simulator.State) error { ca = s.CA.Cert; return nil })

	check := func(endpoint string) string {
		ct, err := probe.ParseConnectTo(apis.ConnectTo())
		if err != nil {
			t.Fatal(err)
		}
		r := probe.Probe(context.Background(), endpoint, probe.Path{CA: []byte(ca)}, probe.Options{ConnectTo: ct, ConnectTimeout: time.Second})
		if r.OK() {
			return "ok " + r.Version
		}
		return r.Error
	}
	if got := check("https://47.96.1.20:6443"); got != "ok "+simulator.APIServerVersion {
		t.Errorf("demo-pro: %s", got)
	}
	if got := check("https://47.96.1.10:6443"); !strings.Contains(got, "dropped") {
		t.Errorf("an unassociated EIP: %s", got)
	}
	// Allocate and associate a new EIP with demo-basic.
	eip, err := e.AllocateEipAddress(simulator.AllocateRequest{RegionID: simulator.DemoRegion})
	if err != nil {
		t.Fatal(err)
	}
	endpoint := "https://" + eip.IPAddress + ":6443"
	if got := check(endpoint); !strings.Contains(got, "dropped") {
		t.Errorf("before Sync, the new EIP falls back: %s", got)
	}
	if added, err := apis.Sync(); err != nil || len(added) != 1 || added[0] != eip.IPAddress+":6443" {
		t.Fatalf("Sync after allocation: %v, %v", added, err)
	}
	if _, err := e.ModifyCluster(simulator.ModifyClusterRequest{ClusterID: simulator.ClusterIDFor("demo-basic"), APIServerEIP: true, APIServerEIPID: eip.AllocationID}); err != nil {
		t.Fatal(err)
	}
	if got := check(endpoint); got != "ok "+simulator.APIServerVersion {
		t.Errorf("the new EIP once associated: %s", got)
	}
	m := apis.ConnectTo()
	if i := strings.LastIndex(m, ","); i < 0 || !strings.HasPrefix(m[i+1:], ":6443=127.0.0.1:") || !strings.Contains(m, eip.IPAddress+":6443=127.0.0.1:") {
		t.Errorf("ConnectTo: %s", m)
	}
}
