package expose

import (
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
		uid, id, ok := ParseContextName(s)
		if !ok {
			return
		}
		if uid+"-"+id != s || ValidClusterID(id) != nil {
			t.Errorf("%q split into %q and %q", s, uid, id)
		}
	})
}
