package simulator

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"
)

// ModifyCluster api_server_custom_cert_sans: append and overwrite, the
// restart window (the endpoint refuses connections while the cluster rolls
// out), and the served certificate's names afterwards.
func TestModifyClusterSANs(t *testing.T) {
	w := DemoWorld()
	w.Timing.ModifyCluster = Duration(2 * time.Second)
	e := newEngine(t, w)
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	e.Now = c.now
	id := ClusterIDFor("demo-pro")
	endpoint := func() *Endpoint {
		t.Helper()
		nv, err := e.Network("47.96.1.20:6443")
		if err != nil || nv.Endpoint == nil {
			t.Fatalf("no endpoint at the EIP: %v", err)
		}
		return nv.Endpoint
	}
	change := func(action string, names ...string) {
		t.Helper()
		if _, err := e.ModifyCluster(ModifyClusterRequest{ClusterID: id, CertSANs: &CertSANs{Action: action, Names: names}}); err != nil {
			t.Fatal(err)
		}
		if v, _ := e.DescribeClusterDetail(id); v.State != "updating" {
			t.Fatalf("cluster %s during the rollout, want updating", v.State)
		}
		if !endpoint().Restarting {
			t.Fatal("the API server answers during the rollout; want it restarting")
		}
		c.advance(3 * time.Second)
		if endpoint().Restarting {
			t.Fatal("the API server still restarts after the rollout")
		}
	}
	change(SANsAppend, "API.demo.example", "203.0.113.7")
	change(SANsAppend, "api.demo.example", "b.demo.example")
	v, _ := e.DescribeClusterDetail(id)
	if want := []string{"api.demo.example", "203.0.113.7", "b.demo.example"}; !slices.Equal(v.ExtraSans, want) || v.State != "running" {
		t.Fatalf("after two appends: %q, %s; want %q, running", v.ExtraSans, v.State, want)
	}
	if sans := endpoint().SANs; !slices.Contains(sans, "b.demo.example") || !slices.Contains(sans, "47.96.1.20") {
		t.Fatalf("served certificate names %q; want the extra names and the EIP", sans)
	}
	change(SANsOverwrite, "b.demo.example")
	if v, _ := e.DescribeClusterDetail(id); !slices.Equal(v.ExtraSans, []string{"b.demo.example"}) {
		t.Fatalf("after overwrite: %q", v.ExtraSans)
	}
	if v, _ := e.DescribeClusterDetail(id); v.EIPAllocationID != "eip-bp1demopro000000000" {
		t.Fatalf("a change of names moved the EIP: %q", v.EIPAllocationID)
	}
}

func TestModifyClusterSANsRules(t *testing.T) {
	e := newEngine(t, DemoWorld())
	for _, tc := range []struct {
		cluster, action string
		names           []string
		code            string
	}{
		{"demo-dedicated", SANsAppend, []string{"a.example"}, AssumeSANsUnsupportedKind.Code},
		{"demo-registered", SANsAppend, []string{"a.example"}, AssumeSANsUnsupportedKind.Code},
		{"demo-edge", SANsAppend, []string{"a.example"}, AssumeSANsUnsupportedKind.Code},
		{"demo-busy", SANsAppend, []string{"a.example"}, AssumeBusyCluster.Code},
		{"demo-pro", "replace", []string{"a.example"}, AssumeSANsInvalid.Code},
		{"demo-pro", SANsAppend, []string{"bad_name"}, AssumeSANsInvalid.Code},
		{"demo-pro", SANsAppend, nil, AssumeSANsInvalid.Code},
	} {
		_, err := e.ModifyCluster(ModifyClusterRequest{ClusterID: ClusterIDFor(tc.cluster), CertSANs: &CertSANs{Action: tc.action, Names: tc.names}})
		var ae *APIError
		if !errors.As(err, &ae) || ae.Code != tc.code {
			t.Errorf("%s %s %q: %v; want %s", tc.cluster, tc.action, tc.names, err, tc.code)
		}
	}
	if n := len(readState(t, e).Tasks); n != 0 {
		t.Errorf("refused changes started %d tasks", n)
	}
}

// A state file written before extraSans and dns existed keeps working; one
// with a bad name or record is refused with the field named.
func TestSANsStateFile(t *testing.T) {
	old := DemoWorld()
	b, err := json.Marshal(old)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Decode(b); err != nil {
		t.Fatalf("a state without extraSans: %v", err)
	}
	bad := DemoWorld()
	bad.Clusters[0].ExtraSans = []string{"https://x"}
	b, _ = json.Marshal(bad)
	if _, err := Decode(b); err == nil {
		t.Error("a state with extraSans https://x was accepted")
	}
	bad = DemoWorld()
	bad.DNS = map[string]string{"api.demo.example": "not-an-ip"}
	b, _ = json.Marshal(bad)
	if _, err := Decode(b); err == nil {
		t.Error("a state with a DNS record to not-an-ip was accepted")
	}
}

func readState(t *testing.T, e *Engine) *State {
	t.Helper()
	var out *State
	if err := e.View(func(s *State) error { out = s; return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}
