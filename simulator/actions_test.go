package simulator

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Every action the simulator serves may be faulted, and every action a fault
// may name is served: Actions is the list of the actions the engine serves (Call and read).
func TestActionsAreServed(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	call := regexp.MustCompile(`\.(?:Call|read)\("([A-Za-z0-9]+)"`)
	served := map[string]bool{FaultTaskFailure: true}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range call.FindAllSubmatch(data, -1) {
			served[string(m[1])] = true
		}
	}
	for a := range served {
		if !slices.Contains(Actions, a) {
			t.Errorf("action %s is served but missing from Actions: faults cannot name it", a)
		}
	}
	for _, a := range Actions {
		if !served[a] {
			t.Errorf("Actions lists %s, which the simulator does not serve", a)
		}
	}
}

// A fault naming an action the simulator does not serve would never fire:
// the state is refused, naming the valid actions.
func TestDecodeRefusesUnknownFaultAction(t *testing.T) {
	for _, action := range []string{"AllocateEIPAddress", "describeClusterDetail", "Nope"} {
		_, err := Decode([]byte(`{"version":1,"faults":[{"action":"` + action + `","code":"X","httpStatus":500,"remaining":1}]}`))
		if err == nil || !strings.Contains(err.Error(), `unknown action "`+action+`"`) || !strings.Contains(err.Error(), "AllocateEipAddress, ") {
			t.Errorf("%s: %v", action, err)
		}
	}
	if _, err := Decode([]byte(`{"version":1,"faults":[{"action":"AllocateEipAddress","code":"X","httpStatus":500,"remaining":1}]}`)); err != nil {
		t.Errorf("a known action is refused: %v", err)
	}
}
