package simulator

import (
	"os"
	"strings"
	"testing"
)

// The table "What the simulator assumes" in docs/simulator.md is the one in the code.
// UPDATE_README=1 rewrites it.
func TestREADMEAssumptions(t *testing.T) {
	const path = "../docs/simulator.md"
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	readme, want := string(b), AssumptionsTable()
	const start, end = "<!-- assumptions:begin -->\n", "<!-- assumptions:end -->"
	i, j := strings.Index(readme, start), strings.Index(readme, end)
	if i < 0 || j < i {
		t.Fatalf("%s has no %q ... %q section", path, start, end)
	}
	if got := readme[i+len(start) : j]; got != want {
		if os.Getenv("UPDATE_README") != "" {
			if err := os.WriteFile(path, []byte(readme[:i+len(start)]+want+readme[j:]), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		t.Errorf("docs/simulator.md's assumptions table differs from simulator.Assumptions (UPDATE_README=1 go test ./simulator -run README rewrites it); want:\n%s", want)
	}
	for _, a := range Assumptions {
		if a.Source == "" || a.Case == "" || a.Choice == "" || (a.Code == "") != (a.HTTPStatus == 0) {
			t.Errorf("incomplete assumption %+v", *a)
		}
	}
}
