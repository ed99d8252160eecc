package cmd

import (
	"strings"
	"testing"

	"github.com/ack-expose/ack-expose/pkg/expose"
)

// The gate's message names every row that breaks the policy: a cluster with
// no name and no context (a cluster of --all-clusters nobody has a context
// for, whose name the cloud left empty) by its ID, never by an empty name.
func TestGateSummaryNamesNamelessClusters(t *testing.T) {
	l := &expose.ExposureList{Items: []expose.AuditItem{
		{Exposure: expose.Exposure{Cluster: expose.ClusterInfo{ID: "c0123456789abcdef0123456789abcde"}}, Violations: []string{"open: every address"}},
		{Exposure: expose.Exposure{Cluster: expose.ClusterInfo{ID: "c1", Name: "prod"}}, Violations: []string{"expired"}},
		{Context: "ctx-only", Violations: []string{"unchecked"}},
		{Violations: []string{"open"}},
	}}
	got := violationSummary(l)
	for _, want := range []string{
		"\n  c0123456789abcdef0123456789abcde: open: every address",
		"\n  prod (c1): expired",
		"\n  ctx-only: unchecked",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("summary %q lacks %q", got, want)
		}
	}
	for _, line := range strings.Split(got, "\n")[1:] {
		if strings.HasPrefix(strings.TrimSpace(line), ":") || strings.HasPrefix(strings.TrimSpace(line), "(") {
			t.Errorf("a row without its cluster's name or ID: %q", line)
		}
	}
}
