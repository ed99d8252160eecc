package expose

import (
	"regexp"
	"strings"
	"testing"
)

func FuzzParseEIPRef(f *testing.F) {
	for _, s := range []string{"eip-bp1demo0000000000001", "47.96.1.10", "", "eip-", "1.2.3.4.5", "::ffff:1.2.3.4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseEIPRef(s)
		if err != nil {
			return
		}
		if (r.AllocationID == "") == (r.IPAddress == "") {
			t.Errorf("%q parsed to %+v: exactly one of ID and address must be set", s, r)
		}
		if strings.ContainsAny(r.String(), " ,/") {
			t.Errorf("%q parsed to %q, which would break a comma-separated API filter", s, r)
		}
	})
}

func FuzzParseContextName(f *testing.F) {
	for _, s := range []string{"1234567890123456-c0123456789abcdef0123456789abcdef", "kind-kind", "-c0123456789abcdef0123456789abcdef", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		uid, id, ok := parseContextName(s)
		if !ok {
			return
		}
		if uid+"-"+id != s || ValidClusterID(id) != nil {
			t.Errorf("%q split into %q and %q", s, uid, id)
		}
	})
}

// FuzzShapes checks the hand-written shape checks against the patterns they
// implement (the regexps ack-expose used before it dropped them for start-up time).
func FuzzShapes(f *testing.F) {
	for _, s := range []string{
		"c0123456789abcdef0123456789abcdef", "C0123456789abcdef0123456789abcdef", "c0123456789abcdef0123456789abcdeg",
		"eip-bp1demo0000000000001", "eip-abc12", "eip-abcdef", "eip-ABCDEF", strings.Repeat("a", 68),
		"1234567890123456-c0123456789abcdef0123456789abcdef", "1234567890123456-c0123456789abcdef0123456789abcdef-public",
		"1234567890123456-c0123456789abcdef0123456789abcdef-", "x-c0123456789abcdef0123456789abcdef-public", "",
	} {
		f.Add(s)
	}
	clusterID := regexp.MustCompile(`^c[0-9a-f]{32}$`)
	allocationID := regexp.MustCompile(`^eip-[0-9a-z]{6,64}$`)
	contextName := regexp.MustCompile(`^([0-9]+)-(c[0-9a-f]{32})$`)
	contextPrefix := regexp.MustCompile(`^[0-9]+-(c[0-9a-f]{32})-`)
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := isClusterID(s), clusterID.MatchString(s); got != want {
			t.Errorf("isClusterID(%q) = %v, want %v", s, got, want)
		}
		if got, want := isAllocationID(s), allocationID.MatchString(s); got != want {
			t.Errorf("isAllocationID(%q) = %v, want %v", s, got, want)
		}
		uid, id, ok := parseContextName(s)
		if m := contextName.FindStringSubmatch(s); (m != nil) != ok || m != nil && (m[1] != uid || m[2] != id) {
			t.Errorf("parseContextName(%q) = %q, %q, %v; want %q", s, uid, id, ok, m)
		}
		id, ok = derivedContextCluster(s)
		if m := contextPrefix.FindStringSubmatch(s); (m != nil) != ok || m != nil && m[1] != id {
			t.Errorf("derivedContextCluster(%q) = %q, %v; want %q", s, id, ok, m)
		}
	})
}
