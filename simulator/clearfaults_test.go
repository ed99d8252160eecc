package simulator

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// A state whose faults do not validate (edited by hand) is refused by every
// call, but ClearFaults repairs it; a fault of another action is kept.
func TestClearFaultsRepairsBadFaults(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.json")
	e := New(path)
	w := DemoWorld()
	w.Faults = []Fault{{Action: "ModifyCluster", Code: "X", HTTPStatus: 400, Remaining: 1}, {Action: "DescribeTaskInfo", Code: "Y", HTTPStatus: 400, Remaining: 1}}
	if err := e.Write(w, false); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	bad := bytes.Replace(data, []byte(`"action": "ModifyCluster",`), []byte(`"action": "ModifyCluster", "delay": "-5s",`), 1)
	if bytes.Equal(bad, data) {
		t.Fatal("fixture: no ModifyCluster fault to break")
	}
	if err := os.WriteFile(path, bad, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := e.Update(func(*State) error { return nil }); err == nil {
		t.Fatal("a state with a negative delay loaded")
	}
	if n, err := e.ClearFaults("DescribeTaskInfo"); err == nil {
		t.Fatalf("ClearFaults(DescribeTaskInfo) kept a bad fault and succeeded (%d)", n)
	}
	if n, err := e.ClearFaults("ModifyCluster"); err != nil || n != 1 {
		t.Fatalf("ClearFaults(ModifyCluster) = %d, %v; want 1, nil", n, err)
	}
	if err := e.View(func(s *State) error {
		if len(s.Faults) != 1 || s.Faults[0].Action != "DescribeTaskInfo" {
			t.Errorf("faults left: %+v, want the DescribeTaskInfo one", s.Faults)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
