package simulator

import (
	"strings"
	"testing"
)

// AddAccessControlListEntry refuses comments the CLI refuses too: the
// simulator is at least as strict as the cloud where the docs are silent.
func TestACLEntryComment(t *testing.T) {
	e := newEngine(t, DemoWorld())
	const acl = "acl-bp1demoshared0000000"
	for _, c := range []string{"a\nb", "a\x1b[31mRED", strings.Repeat("x", ACLEntryCommentMax+1), "bad \xff"} {
		err := e.AddAccessControlListEntry("", acl, []ACLEntry{{Entry: "198.51.100.1/32", Comment: c}})
		if ae, ok := err.(*APIError); !ok || ae.Code != "InvalidParameter" {
			t.Errorf("comment %q: got %v, want InvalidParameter", c, err)
		}
	}
	if err := e.AddAccessControlListEntry("", acl, []ACLEntry{{Entry: "198.51.100.1/32", Comment: "office VPN (杭州)"}}); err != nil {
		t.Errorf("plain comment refused: %v", err)
	}
}
